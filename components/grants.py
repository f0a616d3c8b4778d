"""IAM documents as pure functions: grants, trust policies, boundaries and IAM's size limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from components.kms import secrets_manager_service

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
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
ECS_EXECUTION_MANAGED_POLICY = "service-role/AmazonECSTaskExecutionRolePolicy"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"

_LONGEST_ARN_HEAD = "arn:aws-us-gov:secretsmanager:xx-xxxxxxxxx-99:000000000000:secret:"
"""The longest partition and region AWS has: size estimates never fall short of the real ARN."""


def document(statements: Sequence[dict]) -> dict:
    return {"Version": VERSION, "Statement": list(statements)}


def compact(policy: dict) -> str:
    """The JSON IAM stores and measures: no white space."""
    return json.dumps(policy, separators=(",", ":"))


@dataclass(frozen=True)
class Account:
    """Where the stack deploys; every ARN below is built from it."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str) -> str:
        """An ARN of this account; IAM's are global, so they carry no region."""
        region = "" if service == "iam" else self.region
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def aws_managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    @property
    def root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"


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


def secret_statement(sid: str, actions: Sequence[str], secret_arns: Sequence[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": sorted(secret_arns)}


def estimated_arn_length(full_name: str) -> int:
    """Characters a secret's ARN takes in a policy: quotes, comma and the 6-character suffix."""
    return len(_LONGEST_ARN_HEAD) + len(full_name) + len("-XXXXXX") + 3


@dataclass(frozen=True)
class GrantLayout:
    """Which secrets go in the role's inline policy and which in each managed policy."""

    inline: tuple[str, ...]
    managed: tuple[tuple[str, ...], ...]


class PolicyTooLargeError(ValueError):
    """The secrets granted to one role do not fit IAM's limits."""


def layout_grants(
    full_names: Sequence[str],
    *,
    fixed_inline_size: int,
    statement_overhead: int = 200,
    managed_slots: int = MANAGED_PER_ROLE,
) -> GrantLayout:
    """Packs a role's secret ARNs: the inline policy first, then managed policies.

    Every secret stays listed by its exact ARN, so nothing beyond the set is granted. Sizes are
    estimated from the longest possible ARN, so the real documents are never larger.
    """
    inline: list[str] = []
    managed: list[list[str]] = []
    inline_room = INLINE_LIMIT - fixed_inline_size - statement_overhead
    managed_room = 0
    for name in sorted(full_names):
        size = estimated_arn_length(name)
        if size <= inline_room and not managed:
            inline.append(name)
            inline_room -= size
            continue
        if size > managed_room:
            managed.append([])
            managed_room = MANAGED_LIMIT - statement_overhead
        managed[-1].append(name)
        managed_room -= size
    if len(managed) > managed_slots:
        raise PolicyTooLargeError(
            f"{len(full_names)} secrets need {len(managed)} managed policies; "
            f"IAM allows {managed_slots} more on this role"
        )
    return GrantLayout(inline=tuple(inline), managed=tuple(tuple(chunk) for chunk in managed))


def ecs_tasks_trust(account_id: str) -> dict:
    """ECS tasks of this account only (`aws:SourceAccount` stops the confused deputy)."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def lambda_trust() -> dict:
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
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
    return document(
        [
            {
                "Sid": "DenyOutsideAccount",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalAccount": account.account_id}},
            }
        ]
    )


def log_group_arn(account: Account, log_group: str) -> str:
    return account.arn("logs", f"log-group:{log_group}:*")


def rotation_in_vpc() -> dict:
    """What Lambda needs to attach a function to a VPC; EC2 allows no narrower resource."""
    return {
        "Sid": "RotationInVpc",
        "Effect": "Allow",
        "Action": [
            "ec2:AssignPrivateIpAddresses",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:UnassignPrivateIpAddresses",
        ],
        "Resource": "*",
    }


def rotation_statements(
    account: Account, key_arn: str, *, log_group: str, in_vpc: bool = False
) -> list[dict]:
    """The rotation Lambda's statements besides its secret grant (see ROTATION_ACTIONS).

    `log_group` may be a pattern covering every rotation function's group; `in_vpc` adds the
    network interface actions a function in a VPC needs.
    """
    return [
        {
            "Sid": "GeneratePasswords",
            "Effect": "Allow",
            "Action": "secretsmanager:GetRandomPassword",
            "Resource": "*",
        },
        kms_via_secrets_manager(
            key_arn, account.region, actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
        ),
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": log_group_arn(account, log_group),
        },
        *([rotation_in_vpc()] if in_vpc else []),
    ]


def workload_boundary(account: Account, *, secret_path: str, key_arn: str, name_stem: str) -> dict:
    """The most any role the stack creates may ever do, whatever its own policies say.

    ci-deploy may only create roles that carry this boundary, so it cannot mint a role more
    powerful than the workloads need.
    """
    return document(
        [
            {
                "Sid": "StackSecrets",
                "Effect": "Allow",
                "Action": list(ROTATION_ACTIONS),
                "Resource": account.arn("secretsmanager", f"secret:{secret_path}*"),
            },
            {
                "Sid": "GeneratePasswords",
                "Effect": "Allow",
                "Action": "secretsmanager:GetRandomPassword",
                "Resource": "*",
            },
            kms_via_secrets_manager(
                key_arn,
                account.region,
                actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
            ),
            {
                "Sid": "PullImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetAuthorizationToken",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": "*",
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    log_group_arn(account, f"/app-secrets/{name_stem}/*"),
                    log_group_arn(account, f"/aws/lambda/{name_stem}-*"),
                ],
            },
            rotation_in_vpc(),
        ]
    )
