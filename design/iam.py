"""IAM documents as pure functions: statements, grants, trust and resource policies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from design.arns import Account, secrets_manager_service

VERSION = "2012-10-17"
INLINE_LIMIT = 10_240
"""IAM: a role's inline policies together, in characters without white space."""
MANAGED_LIMIT = 6_144
"""IAM: one customer managed policy, in characters without white space."""
MANAGED_PER_ROLE = 10
"""IAM's default quota of managed policies attached to one role."""

EXECUTION_READ = ("secretsmanager:GetSecretValue",)
"""What ECS needs to resolve a task definition's `secrets`."""
RUNTIME_READ = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
ROTATION_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
"""What a rotation function does to the secrets it rotates. ListSecretVersionIds finds the newest
unlabelled versions, where a single-user rotation looks for a password that lost its label
mid-rotation (see rotation/postgres_single_user.py)."""
KMS_ENCRYPT_DECRYPT = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
"""What a role that writes secrets needs of the stack key, through Secrets Manager."""
ECS_EXECUTION_MANAGED_POLICY = "service-role/AmazonECSTaskExecutionRolePolicy"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"


def document(statements: Sequence[dict]) -> dict:
    return {"Version": VERSION, "Statement": list(statements)}


def compact(policy: dict) -> str:
    """The JSON IAM stores and measures: no white space."""
    return json.dumps(policy, separators=(",", ":"))


def service_allow(
    sid: str, service: str, *, actions: str | list[str], resource: str, condition: dict
) -> dict:
    """An Allow for an AWS service principal (`events.amazonaws.com`, ...), always conditioned:
    a service acts for every account, so a statement without a condition is a confused deputy.
    """
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": actions,
        "Resource": resource,
        "Condition": condition,
    }


def kms_via_secrets_manager(
    key_arn: str, region: str, *, actions: Sequence[str] = ("kms:Decrypt",)
) -> dict:
    """KMS use on the stack key, only when Secrets Manager makes the call."""
    return {
        "Sid": "StackKeyViaSecretsManager",
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": secrets_manager_service(region)}},
    }


def secret_statement(sid: str, actions: Sequence[str], *, secret_arns: Sequence[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": sorted(secret_arns)}


def ecs_tasks_trust(account: Account) -> dict:
    """ECS tasks of this account and region only.

    ECS passes `aws:SourceAccount` and, as `aws:SourceArn`, the ARN of the ECS resource it acts
    for: both must be this stack's, or another account's task could be handed the role (the
    confused deputy).
    """
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                    "ArnLike": {"aws:SourceArn": account.arn("ecs", "*")},
                },
            }
        ]
    )


def lambda_trust(account_id: str) -> dict:
    """Lambda, acting for a function of this account only (`aws:SourceAccount`)."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def github_trust(provider_arn: str, subject: str) -> dict:
    """GitHub Actions OIDC for exactly one repository and one ref, environment or event."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": subject,
                    }
                },
            }
        ]
    )


def secret_resource_policy(account: Account) -> dict:
    """Attached to every secret: nobody outside the account can do anything with it."""
    return document([deny_outside_account({"aws:PrincipalAccount": account.account_id})])


def deny_outside_account(inside: Mapping[str, str | list[str]]) -> dict:
    """A secret's Deny of every action to whoever matches none of `inside` (StringNotEquals on
    each key: a caller is exempt only if it matches one value of every key given)."""
    return {
        "Sid": "DenyOutsideAccount",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": dict(inside)},
    }
