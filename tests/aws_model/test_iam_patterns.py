"""Tests for aws_model.iam_patterns: IAM wildcards, ARN segments and policy variables."""

from __future__ import annotations

from typing import Any

import pytest

from aws_model.iam_eval import Decision
from aws_model.iam_patterns import _segment_matches, glob
from tests.aws_model.iam_requests import (
    ALLOW,
    DESCRIBE,
    DEV_SECRET,
    DEV_SECRETS,
    GET,
    IMPLICIT_DENY,
    LIST_SECRETS,
    READ_ALL_SECRETS,
    READ_DEV,
    READ_OWN_ENV,
    READ_TEAM_SECRETS,
    allow,
    case,
    decide,
    deny,
    policy,
)


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


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("secret:acme/dev/db-??????", "secret:acme/dev/db-AbCdEf"),
        ("secret:acme/dev/db-??????", "secret:acme/dev/db-AbCdE"),
        ("secret:acme/dev/db-??????", "secret:acme/dev/db-AbCdEfG"),
        ("secret:acme/dev/db-??????", "secret:acme/prod/db-AbCd"),
        ("secretsmanager", "secretsmanager"),
        ("secretsmanager", "SecretsManager"),
        ("", ""),
        ("?", ""),
        ("?", "\n"),
        ("a.b", "axb"),
        ("a?b", "a?b"),
        ("a\\?", "a?"),
        ("a\\?", "ab"),
        ("a*", "abc"),
        ("[ab]", "a"),
        ("[ab]", "[ab]"),
    ],
)
def test_segment_matching_without_a_regex_equals_the_glob(part: str, value: str) -> None:
    assert _segment_matches(part, value) == (glob(part).fullmatch(value) is not None)
