"""The stack's customer-managed KMS key, usable only through Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from design.arns import Account
from design.key_policy import key_policy, logs_key_policy
from design.naming import StackNames
from design.sharing import shared_key_policy


@dataclass(frozen=True)
class SecretsKeyArgs:
    alias: str
    """`alias/{prefix}-{env}-secrets` (KMS: at most 256 characters, `alias/` first). Required."""
    account: AwsAccount
    """Where the key lives; its policy names this account's root. Required."""
    deletion_window_days: int = 30
    """Days between scheduling deletion and the key being gone (AWS allows 7-30). Default: 30."""
    protect: bool = False
    """Pulumi `protect` on the key. Default: off (the stack config turns it on in prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the key (the alias takes none). Default: none."""
    shared_secrets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Full secret name -> the principals of other accounts it is shared with; each may decrypt
    that secret's values through Secrets Manager (design/sharing.py). Default: none."""


class SecretsKey(pulumi.ComponentResource):
    """A rotating customer-managed key and its alias; every secret of the stack uses it."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecretsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:kms:SecretsKey", name, None, opts)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the secrets under {args.alias.removeprefix('alias/')}",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=args.account.resolved().apply(
                lambda account: json.dumps(_secrets_key_policy(account, args.shared_secrets))
            ),
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


def _secrets_key_policy(account: Account, shared_secrets: Mapping[str, tuple[str, ...]]) -> dict:
    # Unshared stacks keep key_policy's document exactly: no change to their deployed key.
    return shared_key_policy(account, shared_secrets) if shared_secrets else key_policy(account)


@dataclass(frozen=True)
class LogsKeyArgs:
    names: StackNames
    """The stack's names: alias `alias/{prefix}-{env}-logs`; the key serves the log groups
    `/app-secrets/{prefix}-{env}/*` and `/aws/lambda/{prefix}-{env}-rot-*` only. Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    deletion_window_days: int = 30
    """Days between scheduling deletion and the key being gone (AWS allows 7-30). Default: 30."""
    protect: bool = False
    """Pulumi `protect` on the key. Default: off (the stack config turns it on in prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the key. Default: none."""


class LogsKey(pulumi.ComponentResource):
    """A rotating customer-managed key for the stack's CloudWatch log groups (CKV_AWS_158).

    A key of its own rather than the secrets key: the secrets key is usable only through
    Secrets Manager, and a logs statement there would widen it. It costs $1 a month.
    """

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: LogsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:kms:LogsKey", name, None, opts)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the log groups of {args.names.stem}",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=args.account.resolved().apply(
                lambda account: json.dumps(logs_key_policy(account, names=args.names))
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.names.logs_key_alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn, "aliasName": alias.name})
