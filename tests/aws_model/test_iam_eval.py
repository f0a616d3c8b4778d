"""Tests for aws_model.iam_eval: the policy evaluator behind the access report."""

from __future__ import annotations

import json
import re
from typing import Any

import parliament
import pytest

from aws_model.iam_eval import (
    SECRET_RESOURCE_ACTIONS,
    SECRETSMANAGER_ACTIONS,
    STAR_RESOURCE_ACTIONS,
    Decision,
    PolicyError,
    Request,
    UnsupportedConditionOperatorError,
    allowed_actions,
    evaluate,
    parse_policy,
)

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

# Parliament finding types that mean a policy names something AWS does not have.
LINT_BLOCKERS = {
    "MALFORMED",
    "UNKNOWN_ACTION",
    "UNKNOWN_PREFIX",
    "UNKNOWN_OPERATOR",
    "RESOURCE_MISMATCH",
    "UNKNOWN_CONDITION_FOR_ACTION",
}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# Realistic identity policies: each also goes through parliament below.
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


ONLY_APP_ROLES = deny(
    "secretsmanager:*",
    "*",
    Principal="*",
    Condition={"StringNotEquals": {"aws:PrincipalArn": [ROLE, USER]}},
)
ONLY_THIS_ACCOUNT = deny(
    "secretsmanager:*",
    "*",
    Principal="*",
    Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
)


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


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case("identity-allow", ALLOW, identity=(READ_DEV,)),
        case("no-policies", IMPLICIT_DENY),
        case("other-secret", IMPLICIT_DENY, identity=(READ_DEV,), resource=PROD_SECRET),
        case("other-action", IMPLICIT_DENY, identity=(READ_DEV,), action=PUT),
        case(
            "statement-as-dict",
            ALLOW,
            identity=({"Version": "2012-10-17", "Statement": allow(GET, "*")},),
        ),
    ],
)
def test_identity_policies(kwargs: dict[str, Any], expected: Decision) -> None:
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case(
            "identity-deny-beats-allow",
            EXPLICIT_DENY,
            identity=(READ_ALL_SECRETS, policy(deny(GET, DEV_SECRET))),
        ),
        case(
            "resource-deny-not-for-listed-role",
            ALLOW,
            identity=(READ_DEV,),
            resource_policy=policy(ONLY_APP_ROLES),
        ),
        case(
            "resource-deny-beats-identity-allow",
            EXPLICIT_DENY,
            principal=OTHER_ROLE,
            identity=(READ_DEV,),
            resource_policy=policy(ONLY_APP_ROLES),
        ),
        case(
            "account-guard-same-account",
            ALLOW,
            identity=(READ_DEV,),
            resource_policy=policy(ONLY_THIS_ACCOUNT),
        ),
        case(
            "account-guard-key-missing-denies",
            EXPLICIT_DENY,
            identity=(READ_DEV,),
            resource_policy=policy(ONLY_THIS_ACCOUNT),
            context={"aws:PrincipalAccount": None},
        ),
        case(
            "resource-deny-and-allow",
            ALLOW,
            identity=(READ_DEV,),
            resource_policy=policy(grant_to("*"), ONLY_APP_ROLES),
        ),
    ],
)
def test_explicit_deny_wins(kwargs: dict[str, Any], expected: Decision) -> None:
    """Explicit deny wins, wherever it is."""
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case("resource-names-role", ALLOW, resource_policy=policy(grant_to({"AWS": ROLE}))),
        case(
            "resource-names-role-in-list",
            ALLOW,
            resource_policy=policy(grant_to({"AWS": [OTHER_ROLE, ROLE]})),
        ),
        case(
            "resource-names-other-role",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"AWS": OTHER_ROLE})),
        ),
        case(
            "resource-names-account-root",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"AWS": ACCOUNT_ROOT})),
        ),
        case(
            "resource-names-account-id",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"AWS": ACCOUNT})),
        ),
        case(
            "account-root-delegates-to-identity",
            ALLOW,
            identity=(READ_DEV,),
            resource_policy=policy(grant_to({"AWS": ACCOUNT_ROOT})),
        ),
        case(
            "resource-names-service",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"Service": "lambda.amazonaws.com"})),
        ),
        case(
            "resource-grant-other-action",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"AWS": ROLE}, action=PUT)),
        ),
        case(
            "resource-deny-to-account-covers-role",
            EXPLICIT_DENY,
            resource_policy=policy(deny(GET, "*", Principal={"AWS": ACCOUNT_ROOT})),
            identity=(READ_DEV,),
        ),
    ],
)
def test_resource_policy_grants(kwargs: dict[str, Any], expected: Decision) -> None:
    """Only a resource policy that names the principal (or "*") grants by itself."""
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case(
            "boundary-limits-identity",
            IMPLICIT_DENY,
            identity=(READ_DEV,),
            boundary=BOUNDARY_DESCRIBE_ONLY,
        ),
        case("boundary-allows", ALLOW, identity=(READ_DEV,), boundary=BOUNDARY_SECRETS),
        case(
            "boundary-deny",
            EXPLICIT_DENY,
            identity=(READ_DEV,),
            boundary=policy(allow("*", "*"), deny(GET, "*")),
        ),
        case("boundary-grants-nothing", IMPLICIT_DENY, boundary=BOUNDARY_SECRETS),
        case(
            "boundary-limits-grant-to-role-arn",
            IMPLICIT_DENY,
            resource_policy=policy(grant_to({"AWS": ROLE})),
            boundary=BOUNDARY_DESCRIBE_ONLY,
        ),
        case(
            "grant-to-role-arn-within-boundary",
            ALLOW,
            resource_policy=policy(grant_to({"AWS": ROLE})),
            boundary=BOUNDARY_SECRETS,
        ),
        case(
            "boundary-does-not-limit-grant-to-user",
            ALLOW,
            principal=USER,
            resource_policy=policy(grant_to({"AWS": USER})),
            boundary=BOUNDARY_DESCRIBE_ONLY,
        ),
        case(
            "boundary-does-not-limit-wildcard-grant",
            ALLOW,
            resource_policy=policy(
                grant_to("*", Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}})
            ),
            boundary=BOUNDARY_DESCRIBE_ONLY,
        ),
    ],
)
def test_permissions_boundary(kwargs: dict[str, Any], expected: Decision) -> None:
    """A boundary limits identity grants and grants to a role ARN, not others (AWS docs)."""
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case(
            "not-principal-excludes-role",
            ALLOW,
            identity=(READ_DEV,),
            resource_policy=policy(deny(GET, "*", NotPrincipal={"AWS": [ROLE, ACCOUNT_ROOT]})),
        ),
        case(
            "not-principal-denies-others",
            EXPLICIT_DENY,
            principal=OTHER_ROLE,
            identity=(READ_DEV,),
            resource_policy=policy(deny(GET, "*", NotPrincipal={"AWS": [ROLE, ACCOUNT_ROOT]})),
        ),
        case(
            "not-principal-without-account",
            EXPLICIT_DENY,
            identity=(READ_DEV,),
            resource_policy=policy(deny(GET, "*", NotPrincipal={"AWS": ROLE})),
        ),
        case(
            "not-principal-deny-hits-boundary-holders",
            EXPLICIT_DENY,
            identity=(READ_DEV,),
            boundary=BOUNDARY_SECRETS,
            resource_policy=policy(deny(GET, "*", NotPrincipal={"AWS": [ROLE, ACCOUNT_ROOT]})),
        ),
        case(
            "not-principal-allow",
            ALLOW,
            resource_policy=policy(allow(GET, "*", NotPrincipal={"AWS": OTHER_ROLE})),
        ),
    ],
)
def test_not_principal(kwargs: dict[str, Any], expected: Decision) -> None:
    """A Deny with NotPrincipal spares only a principal listed with its account."""
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case("not-action-allows-rest", ALLOW, identity=(ALL_BUT_WRITES,)),
        case(
            "not-action-excludes",
            IMPLICIT_DENY,
            identity=(ALL_BUT_WRITES,),
            action="secretsmanager:DeleteSecret",
        ),
        case(
            "deny-not-action",
            EXPLICIT_DENY,
            identity=(
                READ_ALL_SECRETS,
                policy({"Effect": "Deny", "NotAction": "secretsmanager:Get*", "Resource": "*"}),
            ),
            action=DESCRIBE,
        ),
        case("not-resource-spares-dev", ALLOW, identity=(DENY_OUTSIDE_DEV,)),
        case(
            "not-resource-denies-prod",
            EXPLICIT_DENY,
            identity=(DENY_OUTSIDE_DEV,),
            resource=PROD_SECRET,
        ),
    ],
)
def test_not_action_and_not_resource(kwargs: dict[str, Any], expected: Decision) -> None:
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case(
            "action-prefix-wildcard-no-match",
            IMPLICIT_DENY,
            identity=(READ_ALL_SECRETS,),
            action=DESCRIBE,
        ),
        case(
            "action-case-insensitive",
            ALLOW,
            identity=(READ_ALL_SECRETS,),
            action="SecretsManager:getSECRETvalue",
        ),
        case(
            "action-question-mark",
            ALLOW,
            identity=(policy(allow("secretsmanager:Get?ecretValue", "*")),),
        ),
        case(
            "question-mark-is-one-char",
            IMPLICIT_DENY,
            identity=(policy(allow("secretsmanager:Get?Value", "*")),),
        ),
        case("action-star", ALLOW, identity=(policy(allow("*", "*")),)),
        case(
            "resource-case-sensitive",
            IMPLICIT_DENY,
            identity=(policy(allow(GET, DEV_SECRETS.replace("acme", "ACME"))),),
        ),
        case(
            "resource-question-marks",
            ALLOW,
            identity=(policy(allow(GET, DEV_SECRET.replace("-AbCdEf", "-??????"))),),
        ),
        case(
            "resource-wildcard-stays-in-segment",
            IMPLICIT_DENY,
            identity=(policy(allow(GET, "arn:aws:secretsmanager:*:secret:acme/*")),),
        ),
        case(
            "star-only-action",
            ALLOW,
            identity=(LIST_SECRETS,),
            action="secretsmanager:ListSecrets",
            resource="*",
        ),
        case(
            "star-only-action-needs-star",
            IMPLICIT_DENY,
            identity=(READ_DEV,),
            action="secretsmanager:ListSecrets",
            resource="*",
        ),
    ],
)
def test_wildcards(kwargs: dict[str, Any], expected: Decision) -> None:
    """Action wildcards are case-insensitive; resource wildcards are case-sensitive."""
    assert decide(**kwargs) is expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        case(
            "variable-in-resource",
            ALLOW,
            identity=(READ_OWN_ENV,),
            context={"aws:PrincipalTag/env": "dev"},
        ),
        case(
            "variable-other-value",
            IMPLICIT_DENY,
            identity=(READ_OWN_ENV,),
            context={"aws:PrincipalTag/env": "prod"},
        ),
        case("variable-unresolved", IMPLICIT_DENY, identity=(READ_OWN_ENV,)),
        case(
            "variable-key-case-insensitive",
            ALLOW,
            identity=(READ_OWN_ENV,),
            context={"AWS:principaltag/ENV": "dev"},
        ),
        case(
            "variable-value-is-not-a-wildcard",
            IMPLICIT_DENY,
            identity=(READ_OWN_ENV,),
            context={"aws:PrincipalTag/env": "*"},
        ),
        case(
            "variables-literal-in-2008",
            IMPLICIT_DENY,
            identity=({**READ_OWN_ENV, "Version": "2008-10-17"},),
            context={"aws:PrincipalTag/env": "dev"},
        ),
        case(
            "variable-default",
            ALLOW,
            identity=(
                policy(allow(GET, DEV_SECRETS.replace("dev", "${aws:PrincipalTag/env, 'dev'}"))),
            ),
        ),
        case(
            "variable-literal-star",
            ALLOW,
            identity=(policy(allow(GET, DEV_SECRET.replace("db-", "db${*}"))),),
            resource=DEV_SECRET.replace("db-", "db*"),
        ),
        case(
            "variable-literal-star-is-literal",
            IMPLICIT_DENY,
            identity=(policy(allow(GET, DEV_SECRET.replace("db-", "db${*}"))),),
        ),
        case(
            "variable-in-condition",
            ALLOW,
            identity=(READ_TEAM_SECRETS,),
            context={
                "aws:PrincipalTag/team": "payments",
                "secretsmanager:ResourceTag/team": "payments",
            },
        ),
        case(
            "variable-in-condition-mismatch",
            IMPLICIT_DENY,
            identity=(READ_TEAM_SECRETS,),
            context={
                "aws:PrincipalTag/team": "payments",
                "secretsmanager:ResourceTag/team": "billing",
            },
        ),
        case(
            "unresolved-variable-disables-deny",
            ALLOW,
            identity=(
                READ_ALL_SECRETS,
                policy(
                    deny(
                        GET,
                        "*",
                        Condition={
                            "StringNotEquals": {
                                "secretsmanager:ResourceTag/team": "${aws:PrincipalTag/team}"
                            }
                        },
                    )
                ),
            ),
            context={"secretsmanager:ResourceTag/team": "billing"},
        ),
    ],
)
def test_policy_variables(kwargs: dict[str, Any], expected: Decision) -> None:
    assert decide(**kwargs) is expected


def condition_holds(condition: dict[str, Any], context: dict[str, Any]) -> bool:
    statement = allow(GET, "*", Condition=condition)
    request = Request(principal_arn=ROLE, action=GET, resource_arn=DEV_SECRET, context=context)
    return evaluate(request, identity_policies=[policy(statement)]) is ALLOW


TEAM = "aws:PrincipalTag/team"
TAGS = "aws:TagKeys"
DAYS = "secretsmanager:RecoveryWindowInDays"


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {TEAM: "payments"}}, {TEAM: "payments"}, True),
        ({"StringEquals": {TEAM: "payments"}}, {TEAM: "billing"}, False),
        ({"StringEquals": {TEAM: "payments"}}, {}, False),
        ({"StringEquals": {TEAM: "payments"}}, {TEAM: "Payments"}, False),
        (
            {"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "payments"}},
            {"aws:principaltag/Team": "payments"},
            True,
        ),
        ({"StringEquals": {TEAM: ["billing", "payments"]}}, {TEAM: "payments"}, True),
        ({"StringNotEquals": {TEAM: "payments"}}, {TEAM: "billing"}, True),
        ({"StringNotEquals": {TEAM: "payments"}}, {TEAM: "payments"}, False),
        ({"StringNotEquals": {TEAM: "payments"}}, {}, True),
        ({"StringNotEquals": {TEAM: ["billing", "payments"]}}, {TEAM: "payments"}, False),
        ({"StringEqualsIgnoreCase": {TEAM: "PAYMENTS"}}, {TEAM: "payments"}, True),
        ({"StringEqualsIgnoreCase": {TEAM: "PAYMENTS"}}, {}, False),
        ({"StringNotEqualsIgnoreCase": {TEAM: "PAYMENTS"}}, {TEAM: "payments"}, False),
        ({"StringNotEqualsIgnoreCase": {TEAM: "PAYMENTS"}}, {TEAM: "billing"}, True),
        ({"StringNotEqualsIgnoreCase": {TEAM: "PAYMENTS"}}, {}, True),
        ({"StringLike": {TEAM: "pay*"}}, {TEAM: "payments"}, True),
        ({"StringLike": {TEAM: "p?yments"}}, {TEAM: "payments"}, True),
        ({"StringLike": {TEAM: "PAY*"}}, {TEAM: "payments"}, False),
        ({"StringLike": {TEAM: "pay*"}}, {}, False),
        ({"StringNotLike": {TEAM: "pay*"}}, {TEAM: "billing"}, True),
        ({"StringNotLike": {TEAM: "pay*"}}, {TEAM: "payments"}, False),
        ({"StringNotLike": {TEAM: "pay*"}}, {}, True),
        ({"ArnEquals": {"aws:PrincipalArn": ROLE}}, {"aws:PrincipalArn": ROLE}, True),
        ({"ArnEquals": {"aws:PrincipalArn": ROLE}}, {"aws:PrincipalArn": OTHER_ROLE}, False),
        ({"ArnEquals": {"aws:PrincipalArn": ROLE}}, {}, False),
        (
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/acme-*"}},
            {"aws:PrincipalArn": ROLE},
            True,
        ),
        (
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/acme-*"}},
            {"aws:PrincipalArn": USER},
            False,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:secretsmanager:*:secret:acme/*"}},
            {"aws:SourceArn": DEV_SECRET},
            False,
        ),
        (
            {"StringLike": {"aws:SourceArn": "arn:aws:secretsmanager:*:secret:acme/*"}},
            {"aws:SourceArn": DEV_SECRET},
            True,
        ),
        ({"ArnNotEquals": {"aws:PrincipalArn": ROLE}}, {"aws:PrincipalArn": ROLE}, False),
        ({"ArnNotEquals": {"aws:PrincipalArn": ROLE}}, {}, True),
        (
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/acme-*"}},
            {"aws:PrincipalArn": USER},
            True,
        ),
        (
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/acme-*"}},
            {"aws:PrincipalArn": ROLE},
            False,
        ),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/acme-*"}}, {}, True),
        ({"Bool": {"aws:ViaAWSService": "true"}}, {"aws:ViaAWSService": True}, True),
        ({"Bool": {"aws:ViaAWSService": True}}, {"aws:ViaAWSService": "true"}, True),
        ({"Bool": {"aws:ViaAWSService": "true"}}, {"aws:ViaAWSService": False}, False),
        ({"Bool": {"aws:ViaAWSService": "false"}}, {}, False),
        ({"BoolIfExists": {"aws:ViaAWSService": "false"}}, {}, True),
        ({"BoolIfExists": {"aws:ViaAWSService": "false"}}, {"aws:ViaAWSService": True}, False),
        ({"Null": {TEAM: "true"}}, {}, True),
        ({"Null": {TEAM: "true"}}, {TEAM: "payments"}, False),
        ({"Null": {TEAM: "false"}}, {TEAM: "payments"}, True),
        ({"Null": {TEAM: "false"}}, {}, False),
        ({"Null": {TAGS: "true"}}, {TAGS: []}, True),
        ({"NumericEquals": {DAYS: "7"}}, {DAYS: 7}, True),
        ({"NumericEquals": {DAYS: 7}}, {DAYS: "30"}, False),
        ({"NumericNotEquals": {DAYS: 7}}, {DAYS: "30"}, True),
        ({"NumericLessThan": {DAYS: "7"}}, {DAYS: 6}, True),
        ({"NumericLessThan": {DAYS: "7"}}, {DAYS: 7}, False),
        ({"NumericLessThanEquals": {DAYS: "7"}}, {DAYS: 7}, True),
        ({"NumericLessThanEquals": {DAYS: "7"}}, {DAYS: 8}, False),
        ({"NumericGreaterThan": {DAYS: "7"}}, {DAYS: 8}, True),
        ({"NumericGreaterThan": {DAYS: "7"}}, {DAYS: 7}, False),
        ({"NumericGreaterThanEquals": {DAYS: "7"}}, {DAYS: 7}, True),
        ({"NumericGreaterThanEquals": {DAYS: "7"}}, {DAYS: 6}, False),
        ({"NumericGreaterThanEquals": {DAYS: "7"}}, {}, False),
        ({"NumericGreaterThanEquals": {DAYS: "7"}}, {DAYS: "seven"}, False),
        ({"NumericGreaterThanEqualsIfExists": {DAYS: "7"}}, {}, True),
        ({"StringEqualsIfExists": {TEAM: "payments"}}, {}, True),
        ({"StringEqualsIfExists": {TEAM: "payments"}}, {TEAM: "billing"}, False),
        ({"StringEqualsIfExists": {TEAM: "payments"}}, {TEAM: "payments"}, True),
        ({"StringNotLikeIfExists": {TEAM: "pay*"}}, {TEAM: "payments"}, False),
        ({"ForAnyValue:StringEquals": {TAGS: ["env"]}}, {TAGS: ["team", "env"]}, True),
        ({"ForAnyValue:StringEquals": {TAGS: ["owner"]}}, {TAGS: ["team", "env"]}, False),
        ({"ForAnyValue:StringEquals": {TAGS: ["env"]}}, {}, False),
        ({"ForAnyValue:StringEquals": {TAGS: ["env"]}}, {TAGS: []}, False),
        ({"ForAnyValue:StringNotEquals": {TAGS: ["env"]}}, {TAGS: ["env", "team"]}, True),
        ({"ForAnyValue:StringNotEquals": {TAGS: ["env"]}}, {}, False),
        ({"ForAnyValue:StringEqualsIfExists": {TAGS: ["env"]}}, {}, True),
        ({"ForAllValues:StringEquals": {TAGS: ["team", "env"]}}, {TAGS: ["env"]}, True),
        ({"ForAllValues:StringEquals": {TAGS: ["team", "env"]}}, {TAGS: ["env", "owner"]}, False),
        ({"ForAllValues:StringEquals": {TAGS: ["team", "env"]}}, {}, True),
        ({"ForAllValues:StringLike": {TAGS: ["acme:*"]}}, {TAGS: ["acme:team", "acme:env"]}, True),
        ({"ForAllValues:StringNotEquals": {TAGS: ["owner"]}}, {TAGS: ["team", "owner"]}, False),
        (
            {"ForAllValues:StringEqualsIgnoreCase": {TAGS: ["TEAM"]}},
            {"AWS:TAGKEYS": ["team"]},
            True,
        ),
        ({"StringEquals": {TAGS: "env"}}, {TAGS: ["team", "env"]}, True),  # no set operator
        ({"StringNotEquals": {TAGS: "env"}}, {TAGS: ["team", "env"]}, False),
        (
            {"StringEquals": {TEAM: "payments", "aws:PrincipalTag/env": "dev"}},
            {TEAM: "payments", "aws:PrincipalTag/env": "prod"},
            False,
        ),
        (
            {"StringEquals": {TEAM: "payments"}, "Bool": {"aws:ViaAWSService": "true"}},
            {TEAM: "payments"},
            False,
        ),
        (
            {"StringEquals": {TEAM: "payments"}, "Bool": {"aws:ViaAWSService": "true"}},
            {TEAM: "payments", "aws:ViaAWSService": True},
            True,
        ),
    ],
    ids=lambda value: json.dumps(value, sort_keys=True) if isinstance(value, dict) else None,
)
def test_condition_operator(
    condition: dict[str, Any], context: dict[str, Any], expected: bool
) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(
    "operator_name",
    [
        "DateLessThan",
        "IpAddress",
        "BinaryEquals",
        "StringEqual",
        "stringequals",
        "NullIfExists",
        "ForAnyValue:Null",
        "ForEachValue:StringEquals",
        "IfExists",
    ],
)
def test_rejects_unsupported_condition_operator(operator_name: str) -> None:
    expected = f"unsupported condition operator '{operator_name}'"
    with pytest.raises(UnsupportedConditionOperatorError, match=expected):
        condition_holds({operator_name: {TEAM: "true"}}, {})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"Version": "2012-10-17", "Statement": [', "policy: not valid JSON"),
        ("[]", "policy: must be a JSON object, got list"),
        ({"Version": "2012-10-17"}, "policy: missing Statement"),
        (
            {"Version": "2012-10-17", "Statement": []},
            "policy.Statement: must be an object or a non-empty list",
        ),
        (
            {"Version": "2020-01-01", "Statement": allow(GET, "*")},
            "policy.Version: must be one of 2012-10-17, 2008-10-17, got '2020-01-01'",
        ),
        ({"Statement": allow(GET, "*"), "Statements": []}, "policy: unknown element 'Statements'"),
        (
            policy({**allow(GET, "*"), "Effect": "allow"}),
            'policy.Statement[0].Effect: must be "Allow" or "Deny", got \'allow\'',
        ),
        (
            policy({"Effect": "Allow", "Resource": "*"}),
            "policy.Statement[0]: needs exactly one of Action or NotAction, got neither",
        ),
        (
            policy({**allow(GET, "*"), "NotAction": PUT}),
            "Statement[0]: needs exactly one of Action or NotAction, got Action and NotAction",
        ),
        (
            policy({"Effect": "Allow", "Action": GET}),
            "needs exactly one of Resource or NotResource, got neither",
        ),
        (
            policy(allow(GET, "*"), allow([], "*")),
            "Statement[1].Action: must be a string or a non-empty list of strings, got []",
        ),
        (
            policy(allow("GetSecretValue", "*")),
            "action must look like 'service:Action' or '*', got 'GetSecretValue'",
        ),
        (
            policy({**allow(GET, "*"), "Actions": GET}),
            "policy.Statement[0]: unknown element 'Actions'",
        ),
        (
            policy(allow(GET, "*", Condition=["StringEquals"])),
            "policy.Statement[0].Condition: must be an object of operators",
        ),
        (
            policy(allow(GET, "*", Condition={"StringEquals": TEAM})),
            "Condition.StringEquals: must be an object of condition keys",
        ),
        (
            policy(allow(GET, "*", Condition={"StringEquals": {TEAM: {"a": 1}}})),
            "must be a value or a non-empty list of values",
        ),
        (
            policy(allow(GET, "*", Condition={"NumericLessThan": {DAYS: "seven"}})),
            "NumericLessThan takes numbers, got 'seven'",
        ),
        (
            policy(allow(GET, "*", Condition={"Null": {TEAM: "yes"}})),
            'Null takes "true" or "false", got \'yes\'',
        ),
        (
            policy(allow(GET, "*", Principal={"CanonicalUser": "abc"})),
            "unsupported principal type 'CanonicalUser'",
        ),
        (
            policy(allow(GET, "*", Principal="*", NotPrincipal="*")),
            "at most one of Principal or NotPrincipal, got both",
        ),
    ],
)
def test_rejects_malformed_policy(document: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(document)


def test_parse_policy_accepts_json_string() -> None:
    assert parse_policy(json.dumps(READ_DEV)) == READ_DEV


def test_rejects_principal_in_identity_policy() -> None:
    with pytest.raises(PolicyError, match=r"identity_policies\[1\].Statement\[0\]: identity-based"):
        decide(identity=(READ_DEV, policy(grant_to("*"))))


def test_rejects_resource_policy_without_principal() -> None:
    with pytest.raises(PolicyError, match=r"resource_policy.Statement\[0\]: .* needs Principal"):
        decide(resource_policy=READ_DEV)


def test_rejects_cross_account_request() -> None:
    with pytest.raises(ValueError, match="cross-account requests are not supported"):
        decide(principal="arn:aws:iam::444455556666:role/intruder", identity=(READ_DEV,))


def test_allowed_actions_lists_every_allowed_action_sorted() -> None:
    actions = allowed_actions(
        reversed(SECRET_RESOURCE_ACTIONS),
        principal_arn=ROLE,
        resource_arn=DEV_SECRET,
        context={},
        identity_policies=[READ_DEV, ALL_BUT_WRITES],
        permissions_boundary=policy(allow("secretsmanager:*", "*"), deny(TAG, "*")),
    )
    writes = {PUT, TAG, "secretsmanager:DeleteSecret", "secretsmanager:DeleteResourcePolicy"}
    assert actions == sorted(set(SECRET_RESOURCE_ACTIONS) - writes)


@pytest.mark.parametrize("action", STAR_RESOURCE_ACTIONS)
def test_rejects_star_only_action_on_a_secret(action: str) -> None:
    with pytest.raises(ValueError, match=f"{action} has no resource-level permissions"):
        decide(action=action.upper(), identity=(LIST_SECRETS,))


def parliament_definition() -> dict[str, Any]:
    return next(s for s in parliament.iam_definition if s["prefix"] == "secretsmanager")


def test_secretsmanager_actions_match_parliament() -> None:
    privileges = parliament_definition()["privileges"]
    from_parliament = sorted(f"secretsmanager:{p['privilege']}" for p in privileges)
    assert tuple(from_parliament) == SECRETSMANAGER_ACTIONS


def test_secret_resource_actions_match_parliament() -> None:
    on_secret = {
        f"secretsmanager:{p['privilege']}"
        for p in parliament_definition()["privileges"]
        if any(r["resource_type"] == "Secret*" for r in p["resource_types"])
    }
    assert set(SECRET_RESOURCE_ACTIONS) == on_secret
    assert set(STAR_RESOURCE_ACTIONS) == set(SECRETSMANAGER_ACTIONS) - on_secret


def lint_findings(document: dict[str, Any]) -> set[str]:
    """How callers lint a planned policy: parliament's finding types (`Finding.issue`)."""
    return {
        finding.issue for finding in parliament.analyze_policy_string(json.dumps(document)).findings
    }


@pytest.mark.parametrize("name", sorted(REALISTIC_IDENTITY_POLICIES))
def test_realistic_identity_policy_passes_parliament(name: str) -> None:
    assert lint_findings(REALISTIC_IDENTITY_POLICIES[name]) & LINT_BLOCKERS == set()


@pytest.mark.parametrize(
    ("statement", "issue"),
    [
        (allow("secretsmanager:GetSecretValues", "*"), "UNKNOWN_ACTION"),
        (allow(GET, "arn:aws:s3:::acme-dev"), "RESOURCE_MISMATCH"),
        (
            allow(GET, DEV_SECRETS, Condition={"StringEquals": {"kms:ViaService": "x"}}),
            "UNKNOWN_CONDITION_FOR_ACTION",
        ),
    ],
)
def test_parliament_catches_policy_mistakes(statement: dict[str, Any], issue: str) -> None:
    assert issue in lint_findings(policy(statement))
