"""The access report: who may do what to which secret, evaluated from the planned policies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS
from aws_model.iam_index import RequestIndex
from aws_model.iam_patterns import Context, normalize_context
from secretsctl.access_external import external_access

AWS_MANAGED_POLICIES: dict[str, dict] = {
    "service-role/AmazonECSTaskExecutionRolePolicy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    }
}
"""The AWS managed policies the program attaches, as AWS publishes them, for the evaluation."""


class AccessReportError(ValueError):
    """The plan holds a policy the report cannot evaluate."""


@dataclass
class PlannedRole:
    arn: str
    name: str
    tags: dict[str, str]
    boundary_arn: str | None
    policies: list[str] = field(default_factory=list)
    """Identity policy documents (JSON): inline and attached."""


@dataclass(frozen=True)
class PlannedSecret:
    name: str
    """The catalog name."""
    arn: str
    tags: dict[str, str]
    resource_policy: str | None
    kms_key_id: str | None = None
    """The key the secret is encrypted with (its ARN), for principals of other accounts."""


def access_report(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`{role, secret, actions}` for every role that may do anything to a catalog secret, and
    `{..., external: true}` for each principal of another account a secret is shared with
    (secretsctl/access_external.py).

    Computed by evaluating each role's identity policies, its permissions boundary and the
    secret's resource policy (Allow, Deny, wildcards, conditions), never from the catalog.
    Each role's policies are indexed once (aws_model/iam_index.py), with the answers of
    iam_eval request by request; a secret that no Allow can reach is denied without a look.
    """
    roles, secrets, managed = _collect(plan)
    index = RequestIndex(
        SECRET_RESOURCE_ACTIONS, {secret.arn: secret.resource_policy for secret in secrets}
    )
    secret_contexts = {secret.arn: _secret_context(secret) for secret in secrets}
    report = []
    for role in roles:
        policies = index.principal(
            role.arn,
            identity_policies=role.policies,
            permissions_boundary=_boundary(role, managed),
        )
        role_context = _role_context(plan, role)
        reachable = index.reachable(policies)
        for secret in (secret for secret in secrets if secret.arn in reachable):
            actions = index.allowed_actions(
                policies,
                resource_arn=secret.arn,
                context={**role_context, **secret_contexts[secret.arn]},
            )
            if actions:
                report.append({"role": role.arn, "secret": secret.name, "actions": actions})
    report += external_access(plan, secrets)
    return sorted(report, key=lambda entry: (entry["role"], entry["secret"]))


def _collect(
    plan: Mapping[str, Any],
) -> tuple[list[PlannedRole], list[PlannedSecret], dict[str, str]]:
    by_type: dict[str, list[dict]] = {}
    for resource in plan["resources"]:
        by_type.setdefault(resource["type"], []).append(resource)
    managed = {
        resource["outputs"]["arn"]: resource["inputs"]["policy"]
        for resource in by_type.get("aws:iam/policy:Policy", [])
    }
    roles = _planned_roles(by_type, managed=managed)
    return roles, _planned_secrets(plan, by_type), managed


def _planned_roles(
    by_type: Mapping[str, list[dict]], *, managed: Mapping[str, str]
) -> list[PlannedRole]:
    roles: dict[str, PlannedRole] = {}
    for resource in by_type.get("aws:iam/role:Role", []):
        outputs = resource["outputs"]
        roles[outputs["name"]] = PlannedRole(
            arn=outputs["arn"],
            name=outputs["name"],
            tags=dict(resource["inputs"].get("tags") or {}),
            boundary_arn=resource["inputs"].get("permissionsBoundary"),
            policies=[
                inline["policy"] for inline in resource["inputs"].get("inlinePolicies") or []
            ],
        )
    for resource in by_type.get("aws:iam/rolePolicy:RolePolicy", []):
        _role(roles, resource["inputs"]["role"]).policies.append(resource["inputs"]["policy"])
    for resource in by_type.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", []):
        policy_arn = resource["inputs"]["policyArn"]
        _role(roles, resource["inputs"]["role"]).policies.append(_managed(policy_arn, managed))
    return list(roles.values())


def _planned_secrets(
    plan: Mapping[str, Any], by_type: Mapping[str, list[dict]]
) -> list[PlannedSecret]:
    resource_policies = {
        resource["inputs"]["secretArn"]: resource["inputs"]["policy"]
        for resource in by_type.get("aws:secretsmanager/secretPolicy:SecretPolicy", [])
    }
    catalog_names = {arn: name for name, arn in plan["outputs"].get("secretArns", {}).items()}
    return [
        PlannedSecret(
            name=catalog_names[resource["outputs"]["arn"]],
            arn=resource["outputs"]["arn"],
            tags=dict(resource["inputs"].get("tags") or {}),
            resource_policy=resource_policies.get(resource["outputs"]["arn"]),
            kms_key_id=resource["inputs"].get("kmsKeyId"),
        )
        for resource in by_type.get("aws:secretsmanager/secret:Secret", [])
        if resource["outputs"]["arn"] in catalog_names
    ]


def _role(roles: Mapping[str, PlannedRole], reference: str) -> PlannedRole:
    """A RolePolicy names its role by name (the role's id) or ARN."""
    name = reference.rsplit("/", 1)[-1]
    if name not in roles:
        raise AccessReportError(f"a policy is attached to role {reference!r}, which the plan lacks")
    return roles[name]


def _managed(policy_arn: str, managed: Mapping[str, str]) -> str:
    if policy_arn in managed:
        return managed[policy_arn]
    _, _, aws_name = policy_arn.partition(":iam::aws:policy/")
    if aws_name in AWS_MANAGED_POLICIES:
        return json.dumps(AWS_MANAGED_POLICIES[aws_name])
    raise AccessReportError(
        f"cannot evaluate managed policy {policy_arn!r}: its document is unknown"
    )


def _boundary(role: PlannedRole, managed: Mapping[str, str]) -> str | None:
    if role.boundary_arn is None:
        return None
    return _managed(role.boundary_arn, managed)


def _role_context(plan: Mapping[str, Any], role: PlannedRole) -> Context:
    context: dict[str, Any] = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": plan["account"],
    }
    for key, value in role.tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    return normalize_context(context)


def _secret_context(secret: PlannedSecret) -> Context:
    """Its keys never collide with the role's (other prefixes), so the two merge in any order."""
    context: dict[str, Any] = {"secretsmanager:SecretId": secret.arn}
    for key, value in secret.tags.items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"secretsmanager:ResourceTag/{key}"] = value
    return normalize_context(context)


SHORT_ACTIONS = {
    "secretsmanager:GetSecretValue": "G",
    "secretsmanager:DescribeSecret": "D",
    "secretsmanager:PutSecretValue": "P",
    "secretsmanager:UpdateSecretVersionStage": "S",
}
"""Letters for the table's cells; any other action shows as `+`."""


def render_matrix(report: list[dict[str, Any]]) -> list[str]:
    """Secrets down, roles across; each cell lists what the role may do to the secret."""
    if not report:
        return ["No role may act on any secret."]
    roles = sorted({entry["role"] for entry in report})
    secrets = sorted({entry["secret"] for entry in report})
    cells = {(entry["secret"], entry["role"]): _cell(entry["actions"]) for entry in report}
    headers = [f"R{index + 1}" for index in range(len(roles))]
    width = max(len("SECRET"), *(len(secret) for secret in secrets))
    column = max(3, *(len(cell) for cell in cells.values()), *(len(header) for header in headers))
    lines = [
        f"{'SECRET'.ljust(width)}  " + " ".join(header.ljust(column) for header in headers).rstrip()
    ]
    for secret in secrets:
        row = [cells.get((secret, role), "-").ljust(column) for role in roles]
        lines.append(f"{secret.ljust(width)}  {' '.join(row)}".rstrip())
    lines.append("")
    lines += [f"  {header} = {role}" for header, role in zip(headers, roles, strict=True)]
    lines += [
        "  G GetSecretValue, D DescribeSecret, P PutSecretValue, S UpdateSecretVersionStage,",
        "  + any other action (the JSON plan's `access` lists every one)",
    ]
    return lines


def _cell(actions: list[str]) -> str:
    letters = sorted({SHORT_ACTIONS.get(action, "+") for action in actions})
    return "".join(letters)
