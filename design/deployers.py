"""Who deploys each resource: ci-deploy (`ci`) or a human administrator (`administrator`).

One rule: a type is `ci` only if it is listed here, and an IAM, log, Lambda, EventBridge or
Step Functions resource only at the stack's own place (the workload path, its log groups, its
rotation functions, its restart rules and state machine). Everything
else, including any type added later (Access Analyzer, other regions), is the administrator's
until someone lists it here and ci-deploy's policy grows the table's actions for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from design import provider_actions as types
from design.naming import StackNames

CI = "ci"
ADMINISTRATOR = "administrator"
COMPONENT_PREFIX = "app-secrets:"

ALWAYS_CI = frozenset(
    {
        types.SECRET,
        types.SECRET_VERSION,
        types.SECRET_POLICY,
        types.SECRET_ROTATION,
        types.RANDOM_PASSWORD,
        types.TASK_DEFINITION,
    }
)
"""CI's wherever they are: secrets live under the stack's path by name, task definitions in its
families, and random passwords make no AWS call. The stack key that encrypts the secrets is not
here: it is the administrator's."""
IAM_PATH_TYPES = frozenset(
    {types.ROLE, types.MANAGED_POLICY, types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT}
)
"""CI's under the workload path only: the CI roles, break-glass and the boundary live elsewhere."""
NAMED_TYPES = frozenset(
    {
        types.LOG_GROUP,
        types.FUNCTION,
        types.PERMISSION,
        types.EVENT_RULE,
        types.EVENT_TARGET,
        types.STATE_MACHINE,
    }
)
"""CI's when their name (a permission's: its function's; a target's: its rule's) is the stack's
own. The alert rules are not: their names match no pattern of `ci_names`."""


def deployer(resource_type: str, *, place: str | None, names: StackNames) -> str:
    """`ci` or `administrator` for one resource; `place` is its IAM path or name (see module)."""
    if resource_type in ALWAYS_CI:
        return CI
    if resource_type in IAM_PATH_TYPES:
        return CI if place == names.workload_path else ADMINISTRATOR
    if resource_type in NAMED_TYPES and place is not None:
        return CI if any(fnmatchcase(place, name) for name in ci_names(names)) else ADMINISTRATOR
    return ADMINISTRATOR


def ci_names(names: StackNames) -> tuple[str, ...]:
    """The name patterns of the stack's own log groups, rotation functions, restart rules and
    restart state machine."""
    return (
        names.service_log_group_pattern,
        names.rotation_log_group_pattern,
        names.rotation_function_name("*"),
        names.restart_rule_name("???"),
        names.restart_state_machine_name,
    )


def with_deployers(resources: Sequence[dict[str, Any]], *, names: StackNames) -> list[dict]:
    """The plan's resources, each with `deployer`; a component takes its children's.

    A component makes no AWS call of its own. It is `ci` when it holds at least one resource
    and every resource below it is `ci`, so that a change to it never needs an administrator
    who would not also be needed for what it holds; otherwise `administrator`.
    """
    role_paths = {
        resource["outputs"].get("name"): resource["inputs"].get("path")
        for resource in resources
        if resource["type"] == types.ROLE
    }
    decided = {
        resource["urn"]: deployer(resource["type"], place=_place(resource, role_paths), names=names)
        for resource in resources
        if not resource["type"].startswith(COMPONENT_PREFIX)
    }
    children: dict[str | None, list[str]] = {}
    for resource in resources:
        children.setdefault(resource.get("parent"), []).append(resource["urn"])
    return [
        {**resource, "deployer": _decided(resource["urn"], decided, children)}
        for resource in resources
    ]


def _decided(urn: str, decided: dict[str, str], children: Mapping) -> str:
    if urn in decided:
        return decided[urn]
    below = [_decided(child, decided, children) for child in children.get(urn, [])]
    return CI if below and all(found == CI for found in below) else ADMINISTRATOR


def _place(resource: Mapping[str, Any], role_paths: Mapping[str, str | None]) -> str | None:
    """The IAM path of a role or policy (a role policy's or attachment's: its role's), or the
    name of a log group, function, rule or state machine (a permission's: its function's; a
    target's: its rule's)."""
    inputs = resource["inputs"]
    resource_type = resource["type"]
    if resource_type in (types.ROLE, types.MANAGED_POLICY):
        return inputs.get("path")
    if resource_type in (types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT):
        role = str(inputs.get("role", ""))
        return role_paths.get(role.rsplit("/", 1)[-1])
    if resource_type == types.PERMISSION:
        return inputs.get("function")
    if resource_type == types.EVENT_TARGET:
        return inputs.get("rule")
    return inputs.get("name")
