"""Break-glass decisions: who may assume the emergency role, what it may do, how its use is seen."""

from __future__ import annotations

from collections.abc import Sequence

from design.alerts import API_CALL
from design.arns import Account
from design.iam import document, kms_via_secrets_manager
from design.naming import StackNames

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


def break_glass_trust(principals: Sequence[str], *, mfa_max_age_seconds: int, region: str) -> dict:
    """Only the named users and roles, signed in with MFA no longer than the limit ago, and only
    through the STS endpoint of the stack's region.

    `aws:MultiFactorAuthAge` is absent without MFA, and a numeric test of an absent key is
    false, so the age condition alone would already refuse callers without MFA; the Bool
    test says it plainly. CloudTrail records AssumeRole in the region of the STS endpoint
    called (the global endpoint's in us-east-1), and the `break-glass-used` rule sees only the
    stack's region: `aws:RequestedRegion` keeps every use where that rule sees it.
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
                    "StringEquals": {"aws:RequestedRegion": region},
                },
            }
        ]
    )


def break_glass_policy(account: Account, *, names: StackNames, key_arn: str) -> dict:
    """Read and restore the secrets under the stack's path, and decrypt them via Secrets Manager."""
    return document(
        [
            {
                "Sid": "ReadAndRestoreStackSecrets",
                "Effect": "Allow",
                "Action": list(BREAK_GLASS_SECRET_ACTIONS),
                "Resource": account.arn("secretsmanager", f"secret:{names.secret_path}*"),
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
