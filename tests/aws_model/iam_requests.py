"""Principals, secrets and policies the IAM model's tests share, and `decide` for one request."""

from __future__ import annotations

from typing import Any

import pytest

from aws_model.iam_actions import STAR_RESOURCE_ACTIONS
from aws_model.iam_eval import Decision, Request, evaluate

ACCOUNT = "111122223333"
ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/acme-dev-api"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/acme-dev-worker"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEV_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/dev/db-AbCdEf"
PROD_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/prod/db-GhIjKl"
DEV_SECRETS = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/dev/*"
GET = "secretsmanager:GetSecretValue"
DESCRIBE = "secretsmanager:DescribeSecret"
PUT = "secretsmanager:PutSecretValue"
TAG = "secretsmanager:TagResource"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# Realistic identity policies: each also goes through parliament (test_iam_policy).
READ_DEV = policy(allow([GET, DESCRIBE], DEV_SECRETS))
READ_ALL_SECRETS = policy(allow("secretsmanager:Get*", "*"))
DENY_WRITES = policy(deny([PUT, "secretsmanager:Delete*"], "*"))
ALL_BUT_WRITES = policy(
    {"Effect": "Allow", "NotAction": [PUT, "secretsmanager:Delete*"], "Resource": DEV_SECRETS}
)
DENY_OUTSIDE_DEV = policy(
    allow(GET, "*"), {"Effect": "Deny", "Action": GET, "NotResource": DEV_SECRETS}
)
READ_OWN_ENV = policy(
    allow(
        GET, f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/${{aws:PrincipalTag/env}}/*"
    )
)
READ_TEAM_SECRETS = policy(
    allow(
        GET,
        "*",
        Condition={"StringEquals": {"secretsmanager:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    )
)
TAG_WITH_ALLOWED_KEYS = policy(
    allow(TAG, DEV_SECRETS, Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})
)
LIST_SECRETS = policy(allow(list(STAR_RESOURCE_ACTIONS), "*"))
BOUNDARY_DESCRIBE_ONLY = policy(allow(DESCRIBE, "*"))
BOUNDARY_SECRETS = policy(allow("secretsmanager:*", "*"))
REALISTIC_IDENTITY_POLICIES = {
    "READ_DEV": READ_DEV,
    "READ_ALL_SECRETS": READ_ALL_SECRETS,
    "DENY_WRITES": DENY_WRITES,
    "ALL_BUT_WRITES": ALL_BUT_WRITES,
    "DENY_OUTSIDE_DEV": DENY_OUTSIDE_DEV,
    "READ_OWN_ENV": READ_OWN_ENV,
    "READ_TEAM_SECRETS": READ_TEAM_SECRETS,
    "TAG_WITH_ALLOWED_KEYS": TAG_WITH_ALLOWED_KEYS,
    "LIST_SECRETS": LIST_SECRETS,
    "BOUNDARY_DESCRIBE_ONLY": BOUNDARY_DESCRIBE_ONLY,
    "BOUNDARY_SECRETS": BOUNDARY_SECRETS,
}


def grant_to(principal: Any, action: str = GET, **extra: Any) -> dict[str, Any]:
    return allow(action, "*", Principal=principal, **extra)


def decide(
    *,
    principal: str = ROLE,
    action: str = GET,
    resource: str = DEV_SECRET,
    context: dict[str, Any] | None = None,
    identity: tuple[dict[str, Any], ...] = (),
    resource_policy: dict[str, Any] | None = None,
    boundary: dict[str, Any] | None = None,
) -> Decision:
    base_context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": ACCOUNT}
    request = Request(
        principal_arn=principal,
        action=action,
        resource_arn=resource,
        context={**base_context, **(context or {})},
    )
    return evaluate(
        request,
        identity_policies=identity,
        resource_policy=resource_policy,
        permissions_boundary=boundary,
    )


ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = Decision


def case(case_id: str, expected: Decision, **kwargs: Any) -> Any:
    return pytest.param(kwargs, expected, id=case_id)


# Condition keys the tests use.
TEAM = "aws:PrincipalTag/team"
TAGS = "aws:TagKeys"
DAYS = "secretsmanager:RecoveryWindowInDays"
