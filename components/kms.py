"""The stack's customer-managed KMS key, usable only through Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

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


def secrets_manager_service(region: str) -> str:
    return f"secretsmanager.{region}.amazonaws.com"


def key_policy(*, partition: str, account_id: str, region: str) -> dict:
    """The account administers the key; its principals may use it only via Secrets Manager.

    Both statements name the account root, which delegates to IAM: a principal still needs an
    IAM policy that grants the action on this key.
    """
    account_root = f"arn:{partition}:iam::{account_id}:root"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": list(KEY_ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "UseOnlyThroughSecretsManager",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": list(KEY_USE_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": secrets_manager_service(region),
                        "kms:CallerAccount": account_id,
                    }
                },
            },
        ],
    }


@dataclass(frozen=True)
class SecretsKeyArgs:
    alias: str
    """`alias/{prefix}-{env}-secrets`."""
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str]
    deletion_window_days: int = 30
    """Days between scheduling deletion and the key being gone (AWS allows 7-30). Default: 30."""
    protect: bool = False
    """Pulumi `protect` on the key. Default: off (the stack config turns it on in prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class SecretsKey(pulumi.ComponentResource):
    """A rotating customer-managed key and its alias; every secret of the stack uses it."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecretsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:kms:SecretsKey", name, None, opts)
        policy = pulumi.Output.all(args.partition, args.account_id, args.region).apply(
            lambda values: json.dumps(
                key_policy(partition=values[0], account_id=values[1], region=values[2])
            )
        )
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the secrets under {args.alias.removeprefix('alias/')}",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=policy,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.key_id = self.key.key_id
        self.alias_name = self.alias.name
        self.register_outputs({"arn": self.arn, "keyId": self.key_id, "aliasName": self.alias_name})
