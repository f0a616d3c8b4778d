"""Tests for aws_model.iam_policy: parsing documents, NotAction and NotResource, parliament's view."""

from __future__ import annotations

import json
import re
from typing import Any

import parliament
import pytest

from aws_model.exceptions import PolicyError
from aws_model.iam_eval import Decision
from aws_model.iam_policy import (
    literal_resource_matches,
    parse_document,
    parse_policy,
    resource_matches,
)
from tests.aws_model.iam_requests import (
    ALL_BUT_WRITES,
    ALLOW,
    DAYS,
    DENY_OUTSIDE_DEV,
    DESCRIBE,
    DEV_SECRETS,
    EXPLICIT_DENY,
    GET,
    IMPLICIT_DENY,
    PROD_SECRET,
    PUT,
    READ_ALL_SECRETS,
    READ_DEV,
    REALISTIC_IDENTITY_POLICIES,
    TEAM,
    allow,
    case,
    decide,
    policy,
)

# Parliament finding types that mean a policy names something AWS does not have.
LINT_BLOCKERS = {
    "MALFORMED",
    "UNKNOWN_ACTION",
    "UNKNOWN_PREFIX",
    "UNKNOWN_OPERATOR",
    "RESOURCE_MISMATCH",
    "UNKNOWN_CONDITION_FOR_ACTION",
}


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


LITERAL_ARNS = sorted(
    f"arn:aws:secretsmanager:{region}:111122223333:secret:acme/{name}"
    for region in ("us-east-1", "eu-west-1")
    for name in ("dev/db-AbCdEf", "dev/db-AbCdEfG", "dev/api-XyZ123", "prod/db-GhIjKl", "d*v/x-1")
)


@pytest.mark.parametrize(
    "statement",
    [
        {"Resource": "*"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/dev/db-AbCdEf"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/dev/db-??????"},
        {"Resource": ["arn:aws:secretsmanager:*:111122223333:secret:acme/dev/*", "nothing"]},
        {"Resource": "arn:aws:secretsmanager:*:*:secret:acme/*/db-*"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/d*v/x-?"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/d\\*v/x-1"},
        {"Resource": "arn:aws:*"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:*"},
        {"Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/D*"},
        {"NotResource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:acme/dev/*"},
        {"NotResource": ["*"]},
    ],
)
def test_literal_resource_matches_equals_matching_each_arn(statement: dict[str, Any]) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "*", **statement},
    }
    (parsed,) = parse_document(document, "policy")

    expected = {arn for arn in LITERAL_ARNS if resource_matches(parsed, arn, context={})}
    assert literal_resource_matches(parsed, LITERAL_ARNS) == expected


def test_literal_resource_matches_rejects_policy_variables() -> None:
    document = policy(allow(GET, "arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/env}/*"))
    (parsed,) = parse_document(document, "policy")

    with pytest.raises(ValueError, match="depends on the request context"):
        literal_resource_matches(parsed, LITERAL_ARNS)
