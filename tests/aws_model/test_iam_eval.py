"""Tests for aws_model.iam_eval: identity, resource and boundary policies, and explicit deny."""

from __future__ import annotations

from typing import Any

import pytest

from aws_model.exceptions import PolicyError
from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS, STAR_RESOURCE_ACTIONS
from aws_model.iam_eval import Decision, allowed_actions
from tests.aws_model.iam_requests import (
    ACCOUNT,
    ACCOUNT_ROOT,
    ALL_BUT_WRITES,
    ALLOW,
    BOUNDARY_DESCRIBE_ONLY,
    BOUNDARY_SECRETS,
    DEV_SECRET,
    EXPLICIT_DENY,
    GET,
    IMPLICIT_DENY,
    LIST_SECRETS,
    OTHER_ROLE,
    PROD_SECRET,
    PUT,
    READ_ALL_SECRETS,
    READ_DEV,
    ROLE,
    TAG,
    USER,
    allow,
    case,
    decide,
    deny,
    grant_to,
    policy,
)

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
