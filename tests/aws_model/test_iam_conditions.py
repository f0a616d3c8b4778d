"""Tests for aws_model.iam_conditions: every supported operator, and the ones it rejects."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aws_model.exceptions import UnsupportedConditionOperatorError
from aws_model.iam_eval import Request, evaluate
from tests.aws_model.iam_requests import (
    ALLOW,
    DAYS,
    DEV_SECRET,
    GET,
    OTHER_ROLE,
    ROLE,
    TAGS,
    TEAM,
    USER,
    allow,
    policy,
)


def condition_holds(condition: dict[str, Any], context: dict[str, Any]) -> bool:
    statement = allow(GET, "*", Condition=condition)
    request = Request(principal_arn=ROLE, action=GET, resource_arn=DEV_SECRET, context=context)
    return evaluate(request, identity_policies=[policy(statement)]) is ALLOW


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
