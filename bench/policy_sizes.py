"""The largest IAM policy per kind of role at 10, 100 and 1,000 secrets (IAM's limits in brackets).

Run: .venv/bin/python -m bench.policy_sizes
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.catalogs import generated_catalog, write_stack
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, MANAGED_PER_ROLE
from secretsctl.plan import build_plan

SIZES = (10, 100, 1000)


def role_kind(role_name: str) -> str:
    for suffix, kind in (
        ("-exec", "execution"),
        ("-task", "task"),
        ("-rotation", "rotation"),
        ("-ci-deploy", "ci-deploy"),
        ("-ci-preview", "ci-preview"),
    ):
        if role_name.endswith(suffix):
            return kind
    return "other"


def measure(secrets: int) -> dict[str, dict[str, int]]:
    """Per kind of role: the largest inline total, largest managed policy, most attachments."""
    catalog = generated_catalog(
        secrets=secrets,
        services=max(1, secrets // 10),
        widest_service=min(300, secrets * 3 // 10),
        rotate_every=2,
    )
    with tempfile.TemporaryDirectory() as directory:
        catalog_path, stack_path = write_stack(Path(directory), catalog)
        plan = build_plan(
            stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
        )
    managed = {
        resource["outputs"]["arn"]: len(resource["inputs"]["policy"])
        for resource in plan["resources"]
        if resource["type"] == "aws:iam/policy:Policy"
    }
    per_role: dict[str, dict[str, int]] = {}
    for resource in plan["resources"]:
        role = resource["inputs"].get("role")
        if resource["type"] == "aws:iam/rolePolicy:RolePolicy":
            stats = per_role.setdefault(role, {"inline": 0, "managed": 0, "attached": 0})
            stats["inline"] += len(resource["inputs"]["policy"])
        elif resource["type"] == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            stats = per_role.setdefault(role, {"inline": 0, "managed": 0, "attached": 0})
            stats["attached"] += 1
            stats["managed"] = max(
                stats["managed"], managed.get(resource["inputs"]["policyArn"], 0)
            )
    kinds: dict[str, dict[str, int]] = {}
    for role, stats in per_role.items():
        kind = kinds.setdefault(role_kind(role), {"inline": 0, "managed": 0, "attached": 0})
        for key, value in stats.items():
            kind[key] = max(kind[key], value)
    boundary = max(size for arn, size in managed.items() if "boundary" in arn)
    kinds["boundary"] = {"inline": 0, "managed": boundary, "attached": 0}
    return kinds


def main() -> int:
    limits = f"inline per role {INLINE_LIMIT}, managed policy {MANAGED_LIMIT}"
    print(f"limits: {limits}, {MANAGED_PER_ROLE} attached")
    print(f"{'secrets':>8}  {'role kind':<11} {'inline':>7} {'managed':>8} {'attached':>9}")
    over = False
    for secrets in SIZES:
        for kind, stats in sorted(measure(secrets).items()):
            sizes = f"{stats['inline']:>7} {stats['managed']:>8} {stats['attached']:>9}"
            print(f"{secrets:>8}  {kind:<11} {sizes}")
            over |= (
                stats["inline"] > INLINE_LIMIT
                or stats["managed"] > MANAGED_LIMIT
                or stats["attached"] > MANAGED_PER_ROLE
            )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
