"""The stack key's policy: the account administers it and uses it through Secrets Manager only."""

from __future__ import annotations

from design.arns import Account, secrets_manager_service
from design.iam import document, service_allow
from design.naming import StackNames

KEY_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
"""Everything but cryptography: the account manages the key, it cannot decrypt with it directly."""

KEY_USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def account_administers_key(account: Account) -> dict:
    """Everything but cryptography, for the account root (which delegates to IAM)."""
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": account.root},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def key_policy(account: Account) -> dict:
    """The account administers the key; its principals may use it only via Secrets Manager.

    Both statements name the account root, which delegates to IAM: a principal still needs an
    IAM policy that grants the action on this key.
    """
    return document(
        [
            account_administers_key(account),
            {
                "Sid": "UseOnlyThroughSecretsManager",
                "Effect": "Allow",
                "Principal": {"AWS": account.root},
                "Action": list(KEY_USE_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": secrets_manager_service(account.region),
                        "kms:CallerAccount": account.account_id,
                    }
                },
            },
        ]
    )


LOGS_KEY_USE = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
"""What CloudWatch Logs needs of a key that encrypts log groups (its documented key policy)."""


def logs_key_policy(account: Account, *, names: StackNames) -> dict:
    """The account administers the key; CloudWatch Logs may use it for the stack's groups only.

    Logs encrypts each group's data under the context `aws:logs:arn` (the group's ARN), so the
    condition keeps the key from serving any other group. Readers of a group need no KMS
    permission: CloudWatch Logs decrypts for them.
    """
    groups = [
        account.arn("logs", f"log-group:{pattern}")
        for pattern in (names.service_log_group_pattern, names.rotation_log_group_pattern)
    ]
    return document(
        [
            account_administers_key(account),
            service_allow(
                "CloudWatchLogsEncryptsTheStacksGroups",
                f"logs.{account.region}.amazonaws.com",
                actions=list(LOGS_KEY_USE),
                resource="*",
                condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}},
            ),
        ]
    )
