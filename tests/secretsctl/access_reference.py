"""The access report decided request by request by iam_eval: the reference the report must equal."""

from __future__ import annotations

from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS
from aws_model.iam_eval import Decision, Request, allowed_actions, evaluate
from secretsctl import access
from secretsctl.access_external import external_access


def evaluated_request_by_request(plan: dict, *, each_action: bool) -> list[dict]:
    """The report as iam_eval decides each request on its own: every planned role, every
    catalog secret, every action; no index and no choice of candidates. `each_action`: one
    `evaluate` per action, else one `allowed_actions` per role and secret."""
    roles, secrets, managed = access._collect(plan)
    report = []
    for role in roles:
        boundary = access._boundary(role, managed)
        for secret in secrets:
            policies = {
                "identity_policies": role.policies,
                "resource_policy": secret.resource_policy,
                "permissions_boundary": boundary,
            }
            context = request_context(plan, role, secret)
            if each_action:
                actions = [
                    action
                    for action in SECRET_RESOURCE_ACTIONS
                    if evaluate(
                        Request(
                            principal_arn=role.arn,
                            action=action,
                            resource_arn=secret.arn,
                            context=context,
                        ),
                        **policies,
                    )
                    is Decision.ALLOW
                ]
            else:
                actions = allowed_actions(
                    SECRET_RESOURCE_ACTIONS,
                    principal_arn=role.arn,
                    resource_arn=secret.arn,
                    context=context,
                    **policies,
                )
            if actions:
                report.append({"role": role.arn, "secret": secret.name, "actions": sorted(actions)})
    report += external_access(plan, secrets)
    return sorted(report, key=lambda entry: (entry["role"], entry["secret"]))


def request_context(plan: dict, role, secret) -> dict:
    context = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": plan["account"],
        "secretsmanager:SecretId": secret.arn,
    }
    context |= {f"aws:PrincipalTag/{key}": value for key, value in role.tags.items()}
    for key, value in secret.tags.items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"secretsmanager:ResourceTag/{key}"] = value
    return context
