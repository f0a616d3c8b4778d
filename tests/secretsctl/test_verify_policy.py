"""verify's reading of policies: which statements open a secret to anyone, which are equal."""

from __future__ import annotations

import json

import pytest

from secretsctl.verify_policy import (
    allowed_principals,
    canonical,
    expected_policy,
    grants_read,
    public_statements,
)

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/db-AbCdEf"


def allow(principal, **fields) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Resource": "*", **fields}


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::1:root", "*"]}])
def test_an_allow_for_any_principal_is_public(principal):
    statement = allow(principal, Action="secretsmanager:GetSecretValue")

    assert public_statements({"Statement": [statement]}, expected=None) == [statement]
    assert public_statements({"Statement": statement}, expected=None) == [statement]


@pytest.mark.parametrize(
    "statement",
    [
        allow({"AWS": "arn:aws:iam::123456789012:root"}, Action="secretsmanager:*"),
        allow({"Service": "*"}, Action="secretsmanager:*"),
        {**allow("*", Action="secretsmanager:*"), "Effect": "Deny"},
    ],
)
def test_a_named_principal_or_a_deny_is_not_public(statement):
    assert public_statements({"Statement": [statement]}, expected=None) == []


def test_the_stacks_deny_keeps_an_allow_all_inside_the_account():
    stack_policy = expected_policy(SECRET_ARN)
    document = {
        **stack_policy,
        "Statement": [*stack_policy["Statement"], allow("*", Action="secretsmanager:*")],
    }

    assert public_statements(document, expected=stack_policy) == []
    assert public_statements(document, expected=None) == [document["Statement"][-1]]


@pytest.mark.parametrize(
    ("action", "reads"),
    [
        ({"Action": "*"}, True),
        ({"Action": "secretsmanager:*"}, True),
        ({"Action": ["secretsmanager:Get*"]}, True),
        ({"Action": "SecretsManager:GetSecretValue"}, True),
        ({"Action": "secretsmanager:DescribeSecret"}, False),
        ({"NotAction": "secretsmanager:DeleteSecret"}, True),
        ({"NotAction": "secretsmanager:GetSecretValue"}, False),
    ],
)
def test_grants_read_follows_action_wildcards(action, reads):
    assert grants_read([allow("*", **action)]) is reads


def test_the_expected_policy_needs_a_secrets_manager_arn():
    assert expected_policy("not-an-arn") is None
    assert expected_policy(SECRET_ARN)["Statement"][0]["Sid"] == "DenyOutsideAccount"


# --- documents compared as IAM reads them ---------------------------------------------------

READ = {
    "Effect": "Allow",
    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/db-AbCdEf",
    "Condition": {"Bool": {"aws:SecureTransport": "true"}},
}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize(
    "same",
    [
        {"Version": "2012-10-17", "Statement": [TRUST, READ]},  # parsed, reordered
        policy({**READ, "Sid": "Read"}, TRUST),  # a Sid changes nothing
        policy(
            {**READ, "Action": list(reversed(READ["Action"])), "Resource": [READ["Resource"]]},
            {
                **TRUST,
                "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Action": "STS:AssumeRole",
            },
        ),
        policy(READ, TRUST).replace('"true"', "true"),  # a condition value as JSON true
    ],
)
def test_documents_that_grant_the_same_are_equal(same):
    assert canonical(same) == canonical(policy(READ, TRUST))


@pytest.mark.parametrize(
    "different",
    [
        policy(READ),
        policy({**READ, "Resource": "*"}, TRUST),
        policy(READ, {**TRUST, "Principal": {"AWS": "arn:aws:iam::999999999999:root"}}),
        policy(READ, {**TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}),
        json.dumps({"Version": "2008-10-17", "Statement": [READ, TRUST]}),
        "not json",
    ],
)
def test_documents_that_grant_otherwise_differ(different):
    assert canonical(different) != canonical(policy(READ, TRUST))


def test_allowed_principals_name_the_kind_and_skip_denies():
    deny = {**TRUST, "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}}
    trust = policy(TRUST, deny, {**TRUST, "Principal": "*"})

    assert allowed_principals(trust) == ["*", "Service:lambda.amazonaws.com"]
    assert allowed_principals("not json") == []
