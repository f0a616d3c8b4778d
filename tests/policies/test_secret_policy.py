"""secret-policy-not-public: the stack's and a shared secret's policies pass; wildcards do not."""

from __future__ import annotations

import json

import pytest

from design.arns import Account
from design.iam import secret_resource_policy
from design.sharing import shared_secret_resource_policy
from policies import Resource, evaluate
from policies.model import Opaque
from policies.secret_policy import SECRET_POLICY, secret_policy_not_public

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
READER = "arn:aws:iam::444455556666:role/billing-reader"


def policy_resource(policy: object) -> Resource:
    text = policy if isinstance(policy, str | Opaque) else json.dumps(policy)
    return Resource(type=SECRET_POLICY, urn="urn:x::policy", name="policy", props={"policy": text})


@pytest.mark.parametrize(
    "policy",
    [
        secret_resource_policy(ACCOUNT),
        shared_secret_resource_policy(ACCOUNT, [READER]),
        shared_secret_resource_policy(ACCOUNT, ["arn:aws:iam::777788889999:root"]),
    ],
)
def test_accepts_the_stacks_and_a_shared_policy(policy):
    assert secret_policy_not_public(policy_resource(policy)) == []


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": [READER, "arn:aws:iam::444455556666:role/*"]}]
)
def test_rejects_a_wildcard_principal_even_beside_the_deny(principal):
    policy = shared_secret_resource_policy(ACCOUNT, [READER])
    policy["Statement"][1]["Principal"] = principal

    [violation] = evaluate([policy_resource(policy)])

    assert violation.rule == "secret-policy-not-public" and violation.mandatory
    assert "wildcard principal" in violation.message


def test_rejects_not_principal():
    policy = secret_resource_policy(ACCOUNT)
    policy["Statement"].append(
        {"Effect": "Allow", "NotPrincipal": {"AWS": READER}, "Action": "*", "Resource": "*"}
    )

    [violation] = secret_policy_not_public(policy_resource(policy))

    assert "NotPrincipal" in violation.message


def test_rejects_a_policy_without_the_deny_outside_the_account():
    policy = shared_secret_resource_policy(ACCOUNT, [READER])
    policy["Statement"] = policy["Statement"][1:]

    [violation] = secret_policy_not_public(policy_resource(policy))

    assert "aws:PrincipalAccount" in violation.message


def test_skips_an_unknown_policy():
    assert secret_policy_not_public(policy_resource(Opaque.UNKNOWN)) == []
