"""Break-glass decisions: MFA-only trust, read-and-restore on the stack path, the use pattern."""

from __future__ import annotations

import pytest

from aws_model.event_patterns import matches, validate_pattern
from aws_model.iam_eval import Decision
from design.arns import Account
from design.break_glass import break_glass_policy, break_glass_trust, break_glass_use_pattern
from design.naming import StackNames
from tests.design.service_requests import assume

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="prod")
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
ROLE_ARN = "arn:aws:iam::123456789012:role/app-secrets-break-glass/acme-prod-break-glass"
PRINCIPALS = ["arn:aws:iam::123456789012:user/oncall-b", "arn:aws:iam::123456789012:user/oncall-a"]


def assume_role(role_arn: str, **detail) -> dict:
    """AssumeRole as CloudTrail hands it to EventBridge."""
    return {
        "version": "0",
        "id": "0d3c1e7a-0000-4e4e-9a51-2f4f8a9b0c11",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.sts",
        "account": "123456789012",
        "time": "2025-01-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "arn": "arn:aws:iam::123456789012:user/oncall-a",
                "sessionContext": {"attributes": {"mfaAuthenticated": "true"}},
            },
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "awsRegion": "eu-west-1",
            "requestParameters": {"roleArn": role_arn, "roleSessionName": "incident-42"},
            "responseElements": {"assumedRoleUser": {"arn": f"{role_arn}/incident-42"}},
            "readOnly": True,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "eventCategory": "Management",
            **detail,
        },
    }


PATTERN = break_glass_use_pattern(ROLE_ARN)


def test_use_pattern_is_one_eventbridge_accepts():
    validate_pattern(PATTERN)


def test_use_pattern_matches_every_assume_role_of_the_role():
    assert matches(PATTERN, assume_role(ROLE_ARN))
    refused = assume_role(ROLE_ARN, errorCode="AccessDenied", responseElements=None)
    assert matches(PATTERN, refused)


@pytest.mark.parametrize(
    "event",
    [
        assume_role(ROLE_ARN.replace("acme-prod", "acme-dev")),
        assume_role("arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-deploy"),
        assume_role(ROLE_ARN, eventName="GetCallerIdentity"),
    ],
)
def test_use_pattern_ignores_other_roles_and_calls(event):
    assert not matches(PATTERN, event)


def test_trust_requires_mfa_no_older_than_the_limit_in_the_stack_region():
    (statement,) = break_glass_trust(PRINCIPALS, mfa_max_age_seconds=900, region="eu-west-1")[
        "Statement"
    ]

    assert statement["Principal"] == {"AWS": sorted(PRINCIPALS)}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "900"},
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
    }


TRUST = break_glass_trust(PRINCIPALS, mfa_max_age_seconds=3600, region="eu-west-1")
WITH_MFA = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}


@pytest.mark.parametrize(
    ("principal", "context", "decision"),
    [
        (PRINCIPALS[0], {**WITH_MFA, "aws:RequestedRegion": "eu-west-1"}, Decision.ALLOW),
        # the global endpoint (sts.amazonaws.com) is us-east-1: CloudTrail logs it there
        (PRINCIPALS[0], {**WITH_MFA, "aws:RequestedRegion": "us-east-1"}, Decision.IMPLICIT_DENY),
        (PRINCIPALS[1], {**WITH_MFA, "aws:RequestedRegion": "ap-south-1"}, Decision.IMPLICIT_DENY),
        (PRINCIPALS[0], {**WITH_MFA, "aws:RequestedRegion": None}, Decision.IMPLICIT_DENY),
        (
            PRINCIPALS[0],
            {"aws:MultiFactorAuthPresent": "false", "aws:RequestedRegion": "eu-west-1"},
            Decision.IMPLICIT_DENY,
        ),
        (
            PRINCIPALS[0],
            {**WITH_MFA, "aws:MultiFactorAuthAge": "3601", "aws:RequestedRegion": "eu-west-1"},
            Decision.IMPLICIT_DENY,
        ),
        (
            "arn:aws:iam::123456789012:user/someone-else",
            {**WITH_MFA, "aws:RequestedRegion": "eu-west-1"},
            Decision.IMPLICIT_DENY,
        ),
    ],
    ids=[
        "stack-region",
        "global-endpoint",
        "other-region",
        "no-region",
        "no-mfa",
        "stale-mfa",
        "not-listed",
    ],
)
def test_assume_role_is_allowed_only_with_mfa_in_the_stack_region(principal, context, decision):
    assert assume(TRUST, principal, role_arn=ROLE_ARN, **context) is decision


def test_policy_reads_and_restores_only_the_stack_path():
    secrets, listing, kms = break_glass_policy(ACCOUNT, names=NAMES, key_arn=KEY_ARN)["Statement"]

    assert secrets["Resource"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/*"
    assert "secretsmanager:RestoreSecret" in secrets["Action"]
    assert "secretsmanager:GetSecretValue" in secrets["Action"]
    assert not {"secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"} & set(
        secrets["Action"]
    )
    assert listing == {
        "Sid": "FindSecretsPendingDeletion",
        "Effect": "Allow",
        "Action": "secretsmanager:ListSecrets",
        "Resource": "*",
    }
    assert kms["Resource"] == KEY_ARN
    assert kms["Action"] == ["kms:Decrypt"]
    assert kms["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
