"""Tests for aws_model.iam_index: every answer equals iam_eval's, request by request."""

from __future__ import annotations

from typing import Any

import pytest

from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS
from aws_model.iam_eval import allowed_actions
from aws_model.iam_index import RequestIndex
from aws_model.iam_patterns import normalize_context
from tests.aws_model.iam_requests import (
    ACCOUNT,
    ACCOUNT_ROOT,
    DESCRIBE,
    GET,
    PUT,
    ROLE,
    TAG,
    USER,
    allow,
    deny,
    grant_to,
    policy,
)

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/"
DEV_DB = f"{SECRET}dev/db-AbCdEf"
DEV_API = f"{SECRET}dev/api-XyZ123"
PROD_DB = f"{SECRET}prod/db-GhIjKl"
TEAM_A = f"{SECRET}team-a/key-Qw12Er"
ODD = f"{SECRET}dev/a*b?c\\d-Zz9Yy8"
"""A name with the characters IAM treats as wildcards, and a backslash."""
ARNS = (DEV_DB, DEV_API, PROD_DB, TEAM_A, ODD)
ALL_SECRETS = f"{SECRET}*"
RESOURCE_TAGS = {
    DEV_DB: {"team": "a", "env": "dev"},
    DEV_API: {"team": "b", "env": "dev"},
    PROD_DB: {"team": "a", "env": "prod"},
    TEAM_A: {"team": "a"},
    ODD: {},
}
READ = sorted([GET, DESCRIBE])
ONLY_THIS_ACCOUNT = deny(
    "secretsmanager:*",
    "*",
    Principal="*",
    Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
)


def context_of(principal: str, principal_tags: dict[str, str], resource_arn: str) -> dict:
    context: dict[str, Any] = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": ACCOUNT,
        "secretsmanager:SecretId": resource_arn,
    }
    context |= {f"aws:PrincipalTag/{key}": value for key, value in principal_tags.items()}
    for key, value in RESOURCE_TAGS[resource_arn].items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"secretsmanager:ResourceTag/{key}"] = value
    return context


def both_answers(
    *,
    identity: tuple[dict, ...] = (),
    boundary: dict | None = None,
    resource_policies: dict[str, dict] | None = None,
    principal: str = ROLE,
    principal_tags: dict[str, str] | None = None,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What the index answers and what iam_eval answers, request by request, for every ARN;
    the index's answer for an ARN it finds unreachable is []."""
    resource_policies = resource_policies or {}
    index = RequestIndex(SECRET_RESOURCE_ACTIONS, {arn: resource_policies.get(arn) for arn in ARNS})
    principal_policies = index.principal(
        principal, identity_policies=identity, permissions_boundary=boundary
    )
    reachable = index.reachable(principal_policies)
    indexed, plain = {}, {}
    for arn in ARNS:
        context = context_of(principal, principal_tags or {}, arn)
        indexed[arn] = (
            index.allowed_actions(
                principal_policies, resource_arn=arn, context=normalize_context(context)
            )
            if arn in reachable
            else []
        )
        plain[arn] = allowed_actions(
            SECRET_RESOURCE_ACTIONS,
            principal_arn=principal,
            resource_arn=arn,
            context=context,
            identity_policies=identity,
            resource_policy=resource_policies.get(arn),
            permissions_boundary=boundary,
        )
    return indexed, plain


CASES = {
    "deny-wildcard-resource": {
        "identity": (policy(allow(READ, ALL_SECRETS), deny(GET, f"{SECRET}prod/*")),),
        "expected": {PROD_DB: [DESCRIBE]},
    },
    "deny-question-marks": {
        "identity": (policy(allow(GET, "*"), deny(GET, f"{SECRET}dev/db-??????")),),
        "expected": {DEV_DB: [], DEV_API: [GET]},
    },
    "deny-not-resource": {
        "identity": (
            policy(
                allow(GET, "*"),
                {"Effect": "Deny", "Action": "secretsmanager:*", "NotResource": f"{SECRET}dev/*"},
            ),
        ),
        "expected": {DEV_DB: [GET], PROD_DB: [], TEAM_A: []},
    },
    "allow-not-resource": {
        "identity": (policy({"Effect": "Allow", "Action": GET, "NotResource": DEV_DB}),),
        "expected": {DEV_DB: [], PROD_DB: [GET]},
    },
    "allow-not-action": {
        "identity": (
            policy(
                {
                    "Effect": "Allow",
                    "NotAction": [PUT, "secretsmanager:Delete*"],
                    "Resource": f"{SECRET}dev/*",
                }
            ),
        ),
        "expected": {PROD_DB: []},
    },
    "deny-not-action": {
        "identity": (
            policy(
                allow("secretsmanager:*", "*"),
                {"Effect": "Deny", "NotAction": DESCRIBE, "Resource": f"{SECRET}prod/*"},
            ),
        ),
        "expected": {PROD_DB: [DESCRIBE]},
    },
    "variable-in-allow-resource": {
        "identity": (policy(allow(GET, f"{SECRET}${{aws:PrincipalTag/env}}/*")),),
        "principal_tags": {"env": "dev"},
        "expected": {DEV_DB: [GET], DEV_API: [GET], PROD_DB: []},
    },
    "variable-without-a-value-never-applies": {
        "identity": (
            policy(allow(GET, "*"), deny(GET, f"{SECRET}${{aws:PrincipalTag/missing}}/*")),
        ),
        "expected": {DEV_DB: [GET], PROD_DB: [GET]},
    },
    "variable-in-deny-resource": {
        "identity": (policy(allow(GET, "*"), deny(GET, f"{SECRET}${{aws:PrincipalTag/env}}/*")),),
        "principal_tags": {"env": "prod"},
        "expected": {DEV_DB: [GET], PROD_DB: []},
    },
    "variable-in-version-2008-is-literal": {
        "identity": ({"Statement": [allow(GET, f"{SECRET}${{aws:PrincipalTag/env}}/*")]},),
        "principal_tags": {"env": "dev"},
        "expected": {DEV_DB: []},
    },
    "condition-on-resource-tag": {
        "identity": (
            policy(
                allow(
                    READ,
                    "*",
                    Condition={
                        "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                    },
                )
            ),
        ),
        "principal_tags": {"team": "a"},
        "expected": {DEV_DB: READ, TEAM_A: READ, DEV_API: [], ODD: []},
    },
    "deny-on-missing-tag": {
        "identity": (
            policy(
                allow(GET, "*"),
                deny(GET, "*", Condition={"Null": {"aws:ResourceTag/env": "true"}}),
            ),
        ),
        "expected": {DEV_DB: [GET], TEAM_A: [], ODD: []},
    },
    "boundary-omits-an-action": {
        "identity": (policy(allow([GET, PUT, DESCRIBE], ALL_SECRETS)),),
        "boundary": policy(allow([GET, DESCRIBE], ALL_SECRETS)),
        "expected": {DEV_DB: READ},
    },
    "boundary-deny": {
        "identity": (policy(allow(READ, ALL_SECRETS)),),
        "boundary": policy(allow("secretsmanager:*", "*"), deny(GET, f"{SECRET}prod/*")),
        "expected": {DEV_DB: READ, PROD_DB: [DESCRIBE]},
    },
    "resource-policy-grants-the-role": {
        "resource_policies": {DEV_DB: policy(grant_to({"AWS": ROLE}))},
        "expected": {DEV_DB: [GET], DEV_API: []},
    },
    "resource-grant-to-the-role-is-limited-by-the-boundary": {
        "resource_policies": {DEV_DB: policy(grant_to({"AWS": ROLE}, [GET, PUT]))},
        "boundary": policy(allow(PUT, "*")),
        "expected": {DEV_DB: [PUT]},
    },
    "resource-grant-to-everyone-ignores-the-boundary": {
        "resource_policies": {DEV_DB: policy(grant_to("*"))},
        "boundary": policy(allow(DESCRIBE, "*")),
        "expected": {DEV_DB: [GET]},
    },
    "resource-grant-to-the-account-needs-the-identity": {
        "resource_policies": {DEV_DB: policy(grant_to({"AWS": ACCOUNT_ROOT}))},
        "expected": {DEV_DB: []},
    },
    "resource-grant-to-a-user": {
        "resource_policies": {DEV_DB: policy(grant_to({"AWS": USER}))},
        "boundary": policy(allow(DESCRIBE, "*")),
        "principal": USER,
        "expected": {DEV_DB: [GET]},
    },
    "resource-not-principal-grant": {
        "resource_policies": {DEV_DB: policy(allow(GET, "*", NotPrincipal={"AWS": USER}))},
        "expected": {DEV_DB: [GET]},
    },
    "resource-deny-with-not-principal-and-a-boundary": {
        "identity": (policy(allow(READ, "*")),),
        "boundary": policy(allow(READ, "*")),
        "resource_policies": {
            DEV_DB: policy({**deny(GET, "*"), "NotPrincipal": {"AWS": [ROLE, ACCOUNT_ROOT]}})
        },
        "expected": {DEV_DB: [DESCRIBE], DEV_API: READ},
    },
    "resource-deny-for-another-account": {
        "identity": (policy(allow(READ, "*")),),
        "resource_policies": {arn: policy(ONLY_THIS_ACCOUNT) for arn in ARNS},
        "expected": {DEV_DB: READ},
    },
    "resource-deny-for-this-role": {
        "identity": (policy(allow(READ, "*")),),
        "resource_policies": {DEV_DB: policy(deny(GET, "*", Principal={"AWS": ROLE}))},
        "expected": {DEV_DB: [DESCRIBE], DEV_API: READ},
    },
    "action-case-does-not-matter": {
        "identity": (policy(allow("SecretsManager:getsecretVALUE", ALL_SECRETS)),),
        "expected": {DEV_DB: [GET]},
    },
    "resource-case-matters": {
        "identity": (policy(allow(GET, f"{SECRET}DEV/*")),),
        "expected": {DEV_DB: []},
    },
    "wildcard-characters-in-a-name": {
        "identity": (policy(allow(GET, ODD), allow(DESCRIBE, f"{SECRET}dev/a*")),),
        "expected": {ODD: READ, DEV_API: [DESCRIBE]},
    },
    "wildcards-across-segments": {
        "identity": (policy(allow(GET, f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:acme/*/db-*")),),
        "expected": {DEV_DB: [GET], PROD_DB: [GET], DEV_API: []},
    },
    "tag-keys-condition": {
        "identity": (
            policy(
                allow(TAG, "*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "team"}})
            ),
        ),
        "expected": {DEV_DB: [TAG]},
    },
}


@pytest.mark.parametrize("name", CASES)
def test_equals_the_request_by_request_evaluator(name: str) -> None:
    case = dict(CASES[name])
    expected = case.pop("expected")

    indexed, plain = both_answers(**case)

    assert indexed == plain
    assert {arn: indexed[arn] for arn in expected} == expected


def test_all_cases_together_equal_the_request_by_request_evaluator() -> None:
    # GIVEN every case's identity policies for one role, and their resource policies merged
    identity = tuple(policy for case in CASES.values() for policy in case.get("identity", ()))
    statements: dict[str, list] = {}
    for case in CASES.values():
        for arn, document in case.get("resource_policies", {}).items():
            statements.setdefault(arn, []).extend(document["Statement"])

    indexed, plain = both_answers(
        identity=identity,
        boundary=policy(allow("secretsmanager:*", "*"), deny(PUT, f"{SECRET}prod/*")),
        resource_policies={arn: policy(*found) for arn, found in statements.items()},
        principal_tags={"env": "dev", "team": "a"},
    )

    assert indexed == plain
    assert any(indexed.values())


def test_unreachable_resources_have_no_allow() -> None:
    index = RequestIndex(
        SECRET_RESOURCE_ACTIONS,
        {arn: policy(grant_to({"AWS": ROLE})) if arn == TEAM_A else None for arn in ARNS},
    )
    reading_dev = index.principal(ROLE, identity_policies=[policy(allow(GET, f"{SECRET}dev/*"))])
    by_variable = index.principal(
        ROLE, identity_policies=[policy(allow(GET, f"{SECRET}${{aws:PrincipalTag/env}}/*"))]
    )

    assert index.reachable(reading_dev) == {DEV_DB, DEV_API, ODD, TEAM_A}
    assert index.reachable(by_variable) == set(ARNS)


def test_rejects_a_cross_account_request_like_the_evaluator() -> None:
    other = "arn:aws:secretsmanager:us-east-1:444455556666:secret:acme/dev/db-AbCdEf"
    index = RequestIndex(SECRET_RESOURCE_ACTIONS, {other: None})
    principal = index.principal(ROLE, identity_policies=[policy(allow(GET, "*"))])

    with pytest.raises(ValueError, match="cross-account requests are not supported"):
        index.allowed_actions(principal, resource_arn=other, context={})


def test_rejects_a_star_resource_action_on_a_secret_like_the_evaluator() -> None:
    index = RequestIndex(["secretsmanager:ListSecrets"], {DEV_DB: None})
    principal = index.principal(ROLE, identity_policies=[policy(allow("secretsmanager:*", "*"))])

    with pytest.raises(ValueError, match="has no resource-level permissions"):
        index.allowed_actions(principal, resource_arn=DEV_DB, context={})


def test_rejects_a_resource_it_does_not_index() -> None:
    index = RequestIndex(SECRET_RESOURCE_ACTIONS, {DEV_DB: None})
    principal = index.principal(ROLE, identity_policies=[policy(allow(GET, "*"))])

    with pytest.raises(ValueError, match="not one of the index's resources"):
        index.allowed_actions(principal, resource_arn=PROD_DB, context={})
