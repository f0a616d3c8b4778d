"""Cross-account evaluation: both accounts must allow, an explicit Deny anywhere wins."""

from __future__ import annotations

import pytest

from aws_model.iam_cross_account import cross_account_allowed_actions, evaluate_cross_account
from aws_model.iam_eval import Decision, Request

CALLER = "arn:aws:iam::444455556666:role/reader"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/x-AbC123"
GET = "secretsmanager:GetSecretValue"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


IDENTITY = policy({"Effect": "Allow", "Action": GET, "Resource": SECRET})


def resource(principal: object, effect: str = "Allow") -> dict:
    return policy({"Effect": effect, "Principal": principal, "Action": GET, "Resource": "*"})


def decide(identity: list, resource_policy: dict | None, boundary: dict | None = None) -> Decision:
    return evaluate_cross_account(
        Request(principal_arn=CALLER, action=GET, resource_arn=SECRET, context={}),
        identity_policies=identity,
        resource_policy=resource_policy,
        permissions_boundary=boundary,
    )


@pytest.mark.parametrize(
    "principal", [{"AWS": CALLER}, {"AWS": "arn:aws:iam::444455556666:root"}, {"AWS": "*"}]
)
def test_allows_when_both_sides_allow(principal):
    assert decide([IDENTITY], resource(principal)) is Decision.ALLOW


def test_the_resource_policy_alone_is_not_enough():
    assert decide([], resource({"AWS": CALLER})) is Decision.IMPLICIT_DENY


def test_the_identity_policy_alone_is_not_enough():
    assert decide([IDENTITY], None) is Decision.IMPLICIT_DENY
    assert decide([IDENTITY], resource({"AWS": "arn:aws:iam::444455556666:role/other"})) is (
        Decision.IMPLICIT_DENY
    )


def test_an_explicit_deny_wins_and_a_boundary_limits():
    both = policy(
        {"Effect": "Allow", "Principal": {"AWS": CALLER}, "Action": GET, "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": "*"},
    )
    assert decide([IDENTITY], both) is Decision.EXPLICIT_DENY
    nothing = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert decide([IDENTITY], resource({"AWS": CALLER}), nothing) is Decision.IMPLICIT_DENY


def test_rejects_a_same_account_request():
    with pytest.raises(ValueError, match="not a cross-account request"):
        evaluate_cross_account(
            Request(
                principal_arn="arn:aws:iam::123456789012:role/r",
                action=GET,
                resource_arn=SECRET,
                context={},
            ),
            identity_policies=[IDENTITY],
            resource_policy=None,
        )


def test_allowed_actions_lists_only_what_both_allow():
    actions = cross_account_allowed_actions(
        [GET, "secretsmanager:PutSecretValue"],
        principal_arn=CALLER,
        resource_arn=SECRET,
        context={},
        identity_policies=[policy({"Effect": "Allow", "Action": "*", "Resource": "*"})],
        resource_policy=resource({"AWS": CALLER}),
    )

    assert actions == [GET]
