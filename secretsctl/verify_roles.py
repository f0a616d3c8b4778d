"""verify's checks of the stack's IAM roles against its plan: trust, policies, and no other role.

IAM cannot stop a deployer from creating a role under the stack's path with a trust of its own
choosing, or from re-trusting one; verify is where that shows.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from design.naming import BREAK_GLASS_PATH, CI_ROLE_PATH, StackNames
from inputs.exceptions import InputError
from secretsctl.errors import CommandError
from secretsctl.operations import error_text
from secretsctl.plan import build_plan
from secretsctl.stack_target import PROJECT_DIR, StackTarget
from secretsctl.verify_checks import CRITICAL, FAILURE, OK, STACK_WIDE, Expected, Finding
from secretsctl.verify_policy import allowed_principals, canonical

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
ROLE_READS = "iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies"
ROLE_EXISTS, ROLE_TRUST, ROLE_POLICIES, UNDECLARED_ROLE = (
    "role-exists",
    "role-trust",
    "role-policies",
    "undeclared-role",
)
"""verify's checks of a role; every planned role gets a role-exists row."""


@dataclass(frozen=True)
class PlannedRole:
    """One role of the plan, with what it should carry."""

    arn: str
    path: str
    trust: Any
    """The assumeRolePolicy, JSON text."""
    inline: Mapping[str, Any]
    """Inline policies by name (JSON text)."""
    attached: frozenset[str]
    """ARNs of the managed policies attached."""


@dataclass(frozen=True)
class RolePlan:
    roles: Mapping[str, PlannedRole]
    """By role name."""
    managed: Mapping[str, Any]
    """The documents of the managed policies the stack declares, by ARN."""


def stack_plan(target: StackTarget, *, stack_path: Path | None) -> dict[str, Any]:
    """The offline plan of the stack verify checks: the same stack file and catalog, with
    placeholders for values (none is decrypted) and the region verify was given.
    """
    path = stack_path or PROJECT_DIR / f"Pulumi.{target.stack}.yaml"
    try:
        with _in_region(path, stack=target.stack, region=target.region) as planned_path:
            return build_plan(
                stack=target.stack,
                catalog_path=target.catalog_path,
                stack_path=planned_path,
                placeholders=True,
            )
    except InputError as exc:
        raise CommandError.bad_input(exc.problems) from None


@contextlib.contextmanager
def _in_region(path: Path, *, stack: str, region: str) -> Iterator[Path]:
    """The stack file, or a copy of it with `aws:region` set when --region overrides it."""
    stack_file = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = stack_file.get("config") or {}
    if config.get("aws:region") == region:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="secretsctl-verify-") as directory:
        copy = Path(directory) / f"Pulumi.{stack}.yaml"
        stack_file["config"] = {**config, "aws:region": region}
        copy.write_text(yaml.safe_dump(stack_file), encoding="utf-8")
        yield copy


def role_plan(plan: Mapping[str, Any]) -> RolePlan:
    """The plan's roles, each with the inline policies and attachments that name it."""
    inline: dict[str, dict[str, Any]] = {}
    attached: dict[str, set[str]] = {}
    managed: dict[str, Any] = {}
    for resource in plan["resources"]:
        inputs, outputs = resource["inputs"], resource["outputs"]
        if resource["type"] == ROLE_POLICY:
            inline.setdefault(inputs["role"], {})[outputs["name"]] = inputs["policy"]
        elif resource["type"] == ATTACHMENT:
            attached.setdefault(inputs["role"], set()).add(inputs["policyArn"])
        elif resource["type"] == MANAGED_POLICY:
            managed[outputs["arn"]] = inputs["policy"]
    roles = {
        resource["outputs"]["name"]: PlannedRole(
            arn=resource["outputs"]["arn"],
            path=resource["outputs"]["path"],
            trust=resource["inputs"]["assumeRolePolicy"],
            inline=inline.get(resource["outputs"]["name"], {}),
            attached=frozenset(attached.get(resource["outputs"]["name"], set())),
        )
        for resource in plan["resources"]
        if resource["type"] == ROLE
    }
    return RolePlan(roles=roles, managed=managed)


def role_findings(plan: Mapping[str, Any], *, expected: Expected, iam: Any) -> list[Finding]:
    """Every planned role against what is deployed, then every role the plan does not declare.

    botocore's errors propagate when AWS cannot be asked at all.
    """
    planned = role_plan(plan)
    names = expected.target.inputs.names
    paths = _stack_paths(names, planned)
    try:
        deployed = _listed_roles(iam, names=names, paths=paths)
    except ClientError as exc:
        detail = (
            f"cannot list the roles under {', '.join(paths)}: {error_text(exc)} "
            "(needs iam:ListRoles); no role was verified"
        )
        return [Finding(STACK_WIDE, "roles", FAILURE, detail)]
    findings = []
    for name, role in sorted(planned.roles.items()):
        findings += _planned_role(
            name, role, deployed.get(name), plan=planned, expected=expected, iam=iam
        )
    for name, entry in sorted(deployed.items()):
        if name not in planned.roles:
            findings.append(_undeclared_role(name, entry))
    return findings


def _stack_paths(names: StackNames, planned: RolePlan) -> dict[str, bool]:
    """The IAM paths to list, each with whether the stack has it alone.

    Every role under the workload path is the stack's; the CI and break-glass paths are
    shared by stacks, so only the names `{prefix}-{env}-*` there are.
    """
    paths = {CI_ROLE_PATH: False, BREAK_GLASS_PATH: False}
    paths |= {
        role.path: False
        for role in planned.roles.values()
        if not role.path.startswith(names.workload_path)
    }
    return {names.workload_path: True, **paths}


def _listed_roles(iam: Any, *, names: StackNames, paths: Mapping[str, bool]) -> dict[str, dict]:
    """The ListRoles entries of the stack's roles under `paths`, by name."""
    found = {}
    for path, exclusive in paths.items():
        for page in iam.get_paginator("list_roles").paginate(PathPrefix=path):
            for entry in page["Roles"]:
                mine = exclusive or entry["RoleName"].startswith(f"{names.stem}-")
                if entry["Path"].startswith(path) and mine:
                    found[entry["RoleName"]] = entry
    return found


def _planned_role(
    name: str,
    role: PlannedRole,
    entry: Mapping[str, Any] | None,
    *,
    plan: RolePlan,
    expected: Expected,
    iam: Any,
) -> list[Finding]:
    if entry is None:
        detail = f"not found under {role.path}: deleted out of band or never deployed; "
        return [Finding(name, ROLE_EXISTS, FAILURE, detail + expected.fix)]
    if entry["Arn"] != role.arn:
        detail = f"is {entry['Arn']}; the plan declares {role.arn}{_account_hint(expected)}"
        return [Finding(name, ROLE_EXISTS, FAILURE, detail)]
    return [
        Finding(name, ROLE_EXISTS, OK, entry["Arn"]),
        _trust(name, role, entry, expected=expected),
        _policies(name, role, plan=plan, expected=expected, iam=iam),
    ]


def _account_hint(expected: Expected) -> str:
    if expected.target.inputs.settings.account_id:
        return ""
    return " (the stack file sets no accountId, so the plan assumes one: set app-secrets:accountId)"


def _trust(
    name: str, role: PlannedRole, entry: Mapping[str, Any], *, expected: Expected
) -> Finding:
    deployed = entry.get("AssumeRolePolicyDocument")
    if canonical(deployed) == canonical(role.trust):
        return Finding(name, ROLE_TRUST, OK, "the planned trust")
    added = sorted(set(allowed_principals(deployed)) - set(allowed_principals(role.trust)))
    removed = sorted(set(allowed_principals(role.trust)) - set(allowed_principals(deployed)))
    change = "; ".join(
        ([f"it now trusts {', '.join(added)}"] if added else [])
        + ([f"it no longer trusts {', '.join(removed)}"] if removed else [])
    )
    return Finding(
        name,
        ROLE_TRUST,
        CRITICAL,
        f"TRUST CHANGED: the role's trust policy differs from the plan "
        f"({change or 'its actions or conditions differ'}): someone changed who may assume it. "
        f"Now: {expected.fix} to put the planned trust back, and look in CloudTrail for "
        "UpdateAssumeRolePolicy and AssumeRole calls on the role",
    )


def _policies(
    name: str, role: PlannedRole, *, plan: RolePlan, expected: Expected, iam: Any
) -> Finding:
    try:
        inline, attached = _deployed_policies(iam, name)
        managed = {arn: _default_document(iam, arn) for arn in attached if arn in plan.managed}
    except ClientError as exc:
        detail = f"cannot read: {error_text(exc)} (needs {ROLE_READS}, iam:GetPolicyVersion)"
        return Finding(name, ROLE_POLICIES, FAILURE, detail)
    problems = _inline_problems(role.inline, inline) + _attached_problems(role.attached, attached)
    problems += [
        f"managed policy {arn}: its default version differs from the plan"
        for arn, document in sorted(managed.items())
        if canonical(document) != canonical(plan.managed[arn])
    ]
    if problems:
        return Finding(name, ROLE_POLICIES, FAILURE, f"{'; '.join(problems)}: {expected.fix}")
    detail = f"{len(inline)} inline, {len(attached)} attached, as planned"
    return Finding(name, ROLE_POLICIES, OK, detail)


def _inline_problems(planned: Mapping[str, Any], deployed: Mapping[str, Any]) -> list[str]:
    problems = [
        f"inline policy {name} is not in the plan" for name in deployed if name not in planned
    ]
    for name, document in sorted(planned.items()):
        if name not in deployed:
            problems.append(f"inline policy {name} is missing")
        elif canonical(deployed[name]) != canonical(document):
            problems.append(f"inline policy {name} differs from the plan")
    return problems


def _attached_problems(planned: frozenset[str], deployed: frozenset[str]) -> list[str]:
    return [f"{arn} is attached but not in the plan" for arn in sorted(deployed - planned)] + [
        f"{arn} is not attached" for arn in sorted(planned - deployed)
    ]


def _deployed_policies(iam: Any, name: str) -> tuple[dict[str, Any], frozenset[str]]:
    """The role's inline policies by name, and the ARNs of its attached policies."""
    inline = {}
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy_name in page["PolicyNames"]:
            document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)
            inline[policy_name] = document["PolicyDocument"]
    attached = set()
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        attached |= {policy["PolicyArn"] for policy in page["AttachedPolicies"]}
    return inline, frozenset(attached)


def _default_document(iam: Any, arn: str) -> Any:
    """What a managed policy grants now: its default version (a deployer may add versions)."""
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def _undeclared_role(name: str, entry: Mapping[str, Any]) -> Finding:
    trusted = allowed_principals(entry.get("AssumeRolePolicyDocument")) or ["nobody"]
    return Finding(
        name,
        UNDECLARED_ROLE,
        FAILURE,
        f"{entry['Arn']} is under the stack's path but not in the plan, and trusts "
        f"{', '.join(trusted)}: find who created it (CloudTrail CreateRole), then delete it or "
        "declare it",
    )
