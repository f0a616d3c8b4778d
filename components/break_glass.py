"""Break-glass: a role named people assume with MFA to read or restore the stack's secrets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.alerting import AlertRule
from design.alerts import WITH_READ_ONLY_EVENTS
from design.break_glass import (
    MFA_MAX_AGE_SECONDS,
    SESSION_SECONDS,
    break_glass_policy,
    break_glass_trust,
    break_glass_use_pattern,
)
from design.iam import compact
from design.naming import BREAK_GLASS_PATH, StackNames


@dataclass(frozen=True)
class BreakGlassRoleArgs:
    names: StackNames
    """The stack's names: the role is `{prefix}-{env}-break-glass` and reads and restores only
    the secrets under `{prefix}/{env}/`. Required."""
    principals: Sequence[str]
    """IAM user and role ARNs that may assume the role (with MFA). Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key, which the role uses through Secrets Manager to decrypt. Required."""
    path: str = BREAK_GLASS_PATH
    """An IAM path outside the one ci-deploy manages, so CI can neither change nor assume it.
    Default: `/app-secrets-break-glass/`."""
    mfa_max_age_seconds: int = MFA_MAX_AGE_SECONDS
    """The oldest MFA sign-in accepted, in seconds. Default: 3600."""
    max_session_seconds: int = SESSION_SECONDS
    """How long a session lasts at most (IAM allows 3600-43200). Default: 3600."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the role. Default: none."""


class BreakGlassRole(pulumi.ComponentResource):
    """The emergency role: MFA-only trust in the stack's region, read and restore on its secrets.

    `alert_rule` is the EventBridge rule that reports every AssumeRole of it; hand it to the
    Alerting component, whose topic policy must name every rule that publishes.
    """

    arn: pulumi.Output[str]
    alert_rule: AlertRule
    role: aws.iam.Role
    grants: aws.iam.RolePolicy

    def __init__(
        self, name: str, args: BreakGlassRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:break_glass:BreakGlassRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.names.break_glass_role_name,
            path=args.path,
            description=(
                f"Break-glass access to {args.names.secret_path}* (MFA required; alerts on use)"
            ),
            assume_role_policy=args.account.region.apply(
                lambda region: compact(
                    break_glass_trust(
                        args.principals, mfa_max_age_seconds=args.mfa_max_age_seconds, region=region
                    )
                )
            ),
            max_session_duration=args.max_session_seconds,
            tags=dict(args.tags),
            opts=child,
        )
        self.grants = aws.iam.RolePolicy(
            f"{name}-grants",
            name="grants",
            role=self.role.id,
            policy=pulumi.Output.all(args.account.resolved(), args.key_arn).apply(
                lambda values: compact(
                    break_glass_policy(values[0], names=args.names, key_arn=values[1])
                )
            ),
            opts=child,
        )
        self.arn = self.role.arn
        self.alert_rule = AlertRule(
            description=(
                f"The break-glass role {args.names.break_glass_role_name} was assumed "
                "(or tried to be)"
            ),
            pattern=self.arn.apply(lambda role_arn: compact(break_glass_use_pattern(role_arn))),
            # AssumeRole is a read-only management event.
            state=WITH_READ_ONLY_EVENTS,
        )
        self.register_outputs({"arn": self.arn, "name": self.role.name})
