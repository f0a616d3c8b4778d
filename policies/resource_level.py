"""No Resource "*" for an action that supports resource-level permissions, in any identity policy.

Which actions support a resource is AWS's Service Authorization Reference, as parliament ships
it (`iam_definition.json`): an action is restrictable when it lists a resource type. Resource
policies (key, topic, bucket) are not checked: there `*` means the resource itself.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

from .iam import IdentityDocument, check_identity_statements
from .model import Enforcement, Kind, Resource, Rule, Violation
from .policy_documents import Statement, matches


def _parliament_file(name: str) -> Path:
    """A data file of the parliament package, found without importing it (that takes 0.4 s,
    pkg_resources included, on every plan)."""
    spec = importlib.util.find_spec("parliament")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("parliament is not installed: run `make test` to install it")
    return Path(spec.origin).parent / name


DEFINITION = _parliament_file("iam_definition.json")


@functools.cache
def restrictable_actions() -> frozenset[str]:
    """`service:Action` (lower case) for every action that accepts a resource ARN."""
    definition = json.loads(DEFINITION.read_text(encoding="utf-8"))
    return frozenset(
        f"{service['prefix']}:{privilege['privilege']}".lower()
        for service in definition
        for privilege in service["privileges"]
        if any(entry["resource_type"] for entry in privilege["resource_types"])
    )


def restrictable(action: str) -> list[str]:
    """The restrictable actions `action` (which may hold wildcards) grants."""
    lowered = action.lower()
    if "*" not in lowered and "?" not in lowered:
        return [action] if lowered in restrictable_actions() else []
    return list(_restrictable_matching(lowered))


@functools.cache
def _restrictable_matching(pattern: str) -> tuple[str, ...]:
    """A wildcard's restrictable actions: a scan of about 10,000 actions, the same per pattern."""
    return tuple(sorted(known for known in restrictable_actions() if matches(pattern, known)))


def _star_problems(_document: IdentityDocument, statement: Statement) -> list[str]:
    if not statement.allows or "*" not in statement.resources:
        return []
    actions = sorted({found for action in statement.actions for found in restrictable(action)})
    if not actions:
        return []
    shown = ", ".join(actions[:6]) + (f" and {len(actions) - 6} more" if len(actions) > 6 else "")
    return [f"allows {shown} on Resource '*', though each accepts a resource ARN"]


def no_star_for_restrictable_actions(resource: Resource) -> list[Violation]:
    return check_identity_statements(
        resource,
        NO_STAR_FOR_RESTRICTABLE_ACTIONS,
        check=_star_problems,
        fix="Name the resources (ARNs or the stack's ARN pattern), or a condition key the "
        "action supports; keep '*' for actions that accept no resource only.",
        report_malformed=False,
    )


NO_STAR_FOR_RESTRICTABLE_ACTIONS = Rule(
    name="iam-no-star-for-restrictable-actions",
    control="CKV_AWS_355, CKV_AWS_290",
    description=(
        "CKV_AWS_355 / CKV_AWS_290: no identity policy Allow grants, on Resource '*', an action "
        "that supports resource-level permissions according to AWS's Service Authorization "
        "Reference (parliament's copy): each such action names its resources."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=no_star_for_restrictable_actions,
)
