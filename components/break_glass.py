"""Break-glass: a role named people assume with MFA to read or restore the stack's secrets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.alerting import API_CALL, WITH_READ_ONLY_EVENTS, AlertRule
from components.grants import Account, compact, document, kms_via_secrets_manager

MFA_MAX_AGE_SECONDS = 3600
"""The MFA sign-in the caller used may be at most this old when assuming the role."""
SESSION_SECONDS = 3600
"""IAM's shortest maximum session: an emergency session ends within the hour."""
BREAK_GLASS_SECRET_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:RestoreSecret",
)
"""Read every secret of the stack and cancel a scheduled deletion; nothing that changes a value."""
ALERT_KIND = "break-glass-used"


def break_glass_trust(principals: Sequence[str], *, mfa_max_age_seconds: int) -> dict:
    """Only the named users and roles, signed in with MFA no longer than the limit ago.

    `aws:MultiFactorAuthAge` is absent without MFA, and a numeric test of an absent key is
    false, so the age condition alone would already refuse callers without MFA; the Bool
    test says it plainly.
    """
    return document(
        [
            {
                "Sid": "NamedPrincipalsWithRecentMfa",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(principals)},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "Bool": {"aws:MultiFactorAuthPresent": "true"},
                    "NumericLessThanEquals": {"aws:MultiFactorAuthAge": str(mfa_max_age_seconds)},
                },
            }
        ]
    )


def break_glass_policy(account: Account, *, secret_path: str, key_arn: str) -> dict:
    """Read and restore the secrets under the stack's path, and decrypt them via Secrets Manager."""
    return document(
        [
            {
                "Sid": "ReadAndRestoreStackSecrets",
                "Effect": "Allow",
                "Action": list(BREAK_GLASS_SECRET_ACTIONS),
                "Resource": account.arn("secretsmanager", f"secret:{secret_path}*"),
            },
            {
                "Sid": "FindSecretsPendingDeletion",
                "Effect": "Allow",
                "Action": "secretsmanager:ListSecrets",
                "Resource": "*",
            },
            kms_via_secrets_manager(key_arn, account.region),
        ]
    )


def break_glass_use_pattern(role_arn: str) -> dict:
    """Every AssumeRole of the role, refused or not: each one should be explained."""
    return {
        "source": ["aws.sts"],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": ["sts.amazonaws.com"],
            "eventName": ["AssumeRole"],
            "requestParameters": {"roleArn": [role_arn]},
        },
    }


@dataclass(frozen=True)
class BreakGlassRoleArgs:
    role_name: str
    """`{prefix}-{env}-break-glass`."""
    path: str
    """An IAM path outside the one ci-deploy manages, so CI can neither change nor assume it."""
    principals: Sequence[str]
    """IAM user and role ARNs that may assume the role (with MFA)."""
    secret_path: str
    """`{prefix}/{env}/`: the role reads and restores only the secrets under it."""
    account: AwsAccount
    key_arn: pulumi.Input[str]
    mfa_max_age_seconds: int = MFA_MAX_AGE_SECONDS
    """The oldest MFA sign-in accepted, in seconds. Default: 3600."""
    max_session_seconds: int = SESSION_SECONDS
    """How long a session lasts at most (IAM allows 3600-43200). Default: 3600."""
    tags: Mapping[str, str] = field(default_factory=dict)


class BreakGlassRole(pulumi.ComponentResource):
    """The emergency role: MFA-only trust, read and restore on the stack's secrets.

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
            name=args.role_name,
            path=args.path,
            description=f"Break-glass access to {args.secret_path}* (MFA required; alerts on use)",
            assume_role_policy=compact(
                break_glass_trust(args.principals, mfa_max_age_seconds=args.mfa_max_age_seconds)
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
                    break_glass_policy(values[0], secret_path=args.secret_path, key_arn=values[1])
                )
            ),
            opts=child,
        )
        self.arn = self.role.arn
        self.alert_rule = AlertRule(
            description=f"The break-glass role {args.role_name} was assumed (or tried to be)",
            pattern=self.arn.apply(lambda role_arn: compact(break_glass_use_pattern(role_arn))),
            # AssumeRole is a read-only management event.
            state=WITH_READ_ONLY_EVENTS,
        )
        self.register_outputs({"arn": self.arn, "name": self.role.name})
