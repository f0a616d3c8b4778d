"""Tests for policies.policy_documents: parsing IAM documents and what statements grant."""

from __future__ import annotations

import json

import pytest

from policies.exceptions import PolicyDocumentError
from policies.model import Opaque
from policies.policy_documents import applies_to_every, granted, matches, parse

PROBES = ("arn:aws:kms:us-east-1:111:key/a", "arn:aws:kms:eu-west-1:222:key/b")


def _one(statement: dict[str, object]) -> object:
    statements = parse(json.dumps({"Version": "2012-10-17", "Statement": statement}))
    assert statements is not None
    return statements[0]


def test_parse_accepts_a_single_statement_object_and_string_elements() -> None:
    statement = _one({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})

    assert statement.label == "statement 1 (sid Read)"
    assert (statement.actions, statement.resources) == (("s3:GetObject",), ("*",))
    assert statement.not_actions is None and statement.allows


def test_parse_accepts_a_parsed_mapping() -> None:
    statements = parse({"Statement": [{"Effect": "Deny", "Action": ["a:b"], "Resource": ["x"]}]})

    assert statements is not None and not statements[0].allows


def test_parse_returns_none_for_opaque_or_missing_documents() -> None:
    assert parse(Opaque.UNKNOWN) is None
    assert parse(Opaque.SECRET) is None
    assert parse(None) is None


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"Statement": 3}', '"Statement" must be an object or a list'),
        ('{"Statement": ["x"]}', "statement 1 must be an object"),
        ('{"Statement": [{"Effect": "Allow", "Action": 5}]}', "a string or a list"),
    ],
)
def test_rejects_malformed_documents(document: str, expected: str) -> None:
    with pytest.raises(PolicyDocumentError, match=expected):
        parse(document)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "anything:at-all", True),
        ("secretsmanager:Get*", "secretsmanager:GetSecretValue", True),
        ("SecretsManager:getsecretvalue", "secretsmanager:GetSecretValue", True),
        ("kms:Decrypt?", "kms:Decrypt", False),
        ("kms:ReEncrypt*", "kms:ReEncryptFrom", True),
        ("arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:111:key/a", True),
        ("s3:[ab]", "s3:a", False),
    ],
)
def test_matches_uses_iam_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert matches(pattern, value) is expected


def test_granted_expands_action_wildcards() -> None:
    statement = _one({"Effect": "Allow", "Action": ["kms:*"], "Resource": "*"})

    assert granted(statement, ["kms:Decrypt", "s3:GetObject"]) == ["kms:Decrypt"]


def test_granted_treats_not_action_as_everything_else() -> None:
    statement = _one({"Effect": "Allow", "NotAction": "kms:Decrypt", "Resource": "*"})

    assert granted(statement, ["kms:Decrypt", "kms:ReEncryptFrom"]) == ["kms:ReEncryptFrom"]


def test_granted_is_empty_for_deny() -> None:
    statement = _one({"Effect": "Deny", "Action": "*", "Resource": "*"})

    assert granted(statement, ["kms:Decrypt"]) == []


def test_applies_to_every_finds_star_and_any_account_patterns() -> None:
    star = _one({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": ["arn:x", "*"]})
    any_account = _one(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:key/*"}
    )

    assert applies_to_every(star, PROBES) == "*"
    assert applies_to_every(any_account, PROBES) == "arn:aws:kms:*:*:key/*"


def test_applies_to_every_counts_not_resource_as_everything() -> None:
    statement = _one({"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "arn:x"})

    assert applies_to_every(statement, PROBES) == "NotResource ['arn:x']"


def test_applies_to_every_is_none_for_one_account() -> None:
    statement = _one(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:111:key/*"}
    )

    assert applies_to_every(statement, PROBES) is None
