"""Tests for policies.iam: wildcard actions, secrets scoped to ARNs, KMS decrypt on all keys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.iam import (
    POLICY,
    ROLE,
    ROLE_POLICY,
    iam_no_kms_decrypt_on_all_keys,
    iam_no_wildcard_actions,
    iam_secrets_scoped_to_arns,
    identity_documents,
)
from policies.model import Opaque, Resource

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/dev/admin-token-AbCdEf"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any, resource: Any = SECRET_ARN, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _role_policy(*statements: dict[str, Any], type_token: str = ROLE_POLICY) -> Resource:
    return Resource(
        type=type_token,
        urn=f"urn:pulumi:dev::app-secrets::{type_token}::reader",
        name="reader",
        props={"policy": _document(*statements)},
    )


def _role(*statements: dict[str, Any]) -> Resource:
    return Resource(
        type=ROLE,
        urn=f"urn:pulumi:dev::app-secrets::{ROLE}::task",
        name="task",
        props={
            "assumeRolePolicy": "{}",
            "inlinePolicies": [{"name": "read-secrets", "policy": _document(*statements)}],
        },
    )


GRANT_READ = _allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"])
GRANT_DECRYPT = _allow("kms:Decrypt", KEY_ARN)


def test_identity_documents_of_role_inline_policies_and_managed_policy() -> None:
    role_documents = identity_documents(_role(GRANT_READ))
    managed = identity_documents(_role_policy(GRANT_READ, type_token=POLICY))

    assert [(d.where, d.managed) for d in role_documents] == [
        ("inlinePolicies[0] (read-secrets)", False)
    ]
    assert [(d.where, d.managed) for d in managed] == [("policy", True)]


# --- iam-no-wildcard-actions ----------------------------------------------------------------


def test_exact_actions_pass() -> None:
    resource = _role(GRANT_READ, _allow("secretsmanager:Get*"))

    assert iam_no_wildcard_actions(resource) == []


def test_wildcards_in_deny_statements_pass() -> None:
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}

    assert iam_no_wildcard_actions(_role_policy(GRANT_READ, deny)) == []


def test_opaque_documents_are_not_reported() -> None:
    resource = Resource(type=ROLE_POLICY, urn="u", name="n", props={"policy": Opaque.UNKNOWN})

    assert iam_no_wildcard_actions(resource) == []


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("*", "every action of every service"),
        ("*:*", "every action of every service"),
        ("secretsmanager:*", "every action of secretsmanager"),
        (["kms:Decrypt", "iam:*"], "every action of iam"),
        ("*:GetSecretValue", "every service"),
    ],
)
def test_fails_allow_with_service_wildcard(action: Any, expected: str) -> None:
    [violation] = iam_no_wildcard_actions(_role(_allow(action)))

    assert expected in violation.message
    assert violation.message.startswith("inlinePolicies[0] (read-secrets) statement 1")
    assert violation.rule == "iam-no-wildcard-actions" and violation.mandatory


def test_fails_allow_with_not_action() -> None:
    statement = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}

    [violation] = iam_no_wildcard_actions(_role_policy(statement))

    assert "NotAction ['iam:*']" in violation.message


def test_fails_unreadable_policy_document() -> None:
    resource = Resource(type=POLICY, urn="u", name="n", props={"policy": "{oops"})

    [violation] = iam_no_wildcard_actions(resource)

    assert "cannot be checked" in violation.message and "not valid JSON" in violation.message


# --- iam-secrets-scoped-to-arns -------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        GRANT_READ,
        _allow(
            "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:123456789012:secret:acme/*"
        ),
        _allow(["secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets"], "*"),
        _allow("secretsmanager:BatchGetSecretValue", "*"),
        _allow("kms:Decrypt", "*"),  # reported by the KMS rule, not this one
        {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
    ],
)
def test_secret_actions_scoped_to_arns_pass(statement: dict[str, Any]) -> None:
    assert iam_secrets_scoped_to_arns(_role(statement)) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (_allow("secretsmanager:GetSecretValue", "*"), "read the value of any secret"),
        (_allow("secretsmanager:DescribeSecret", ["*"]), "secretsmanager:DescribeSecret"),
        (_allow("secretsmanager:Get*", "*"), "secretsmanager:GetResourcePolicy"),
        (_allow("secretsmanager:PutSecretValue", "*"), "secretsmanager:PutSecretValue"),
        (
            _allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:*"),
            "arn:aws:secretsmanager:*:*:secret:*",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "NotResource": SECRET_ARN,
            },
            "NotResource",
        ),
        (
            {"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"},
            "secretsmanager:GetSecretValue",
        ),
        (_allow("*", "*"), "read the value of any secret"),
    ],
)
def test_rejects_secret_actions_on_every_secret(statement: dict[str, Any], expected: str) -> None:
    [violation] = iam_secrets_scoped_to_arns(_role_policy(statement))

    assert expected in violation.message
    assert violation.rule == "iam-secrets-scoped-to-arns" and violation.mandatory
    assert "GetRandomPassword" in violation.fix


# --- iam-no-kms-decrypt-on-all-keys ---------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        GRANT_DECRYPT,
        _allow(["kms:Decrypt", "kms:ReEncryptFrom"], "arn:aws:kms:us-east-1:123456789012:key/*"),
        _allow(["kms:Encrypt", "kms:GenerateDataKey"], "*"),
        _allow("kms:CreateKey", "*"),
    ],
)
def test_kms_decrypt_scoped_to_keys_passes(statement: dict[str, Any]) -> None:
    assert iam_no_kms_decrypt_on_all_keys(_role(statement)) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (_allow("kms:Decrypt", "*"), "allows kms:Decrypt on every KMS key via Resource '*'"),
        (_allow("kms:*", "*"), "kms:Decrypt, kms:ReEncryptFrom"),
        (_allow("kms:ReEncrypt*", "arn:aws:kms:*:*:key/*"), "kms:ReEncryptFrom"),
        (
            _allow(
                "kms:Decrypt",
                "*",
                Condition={
                    "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
                },
            ),
            "conditions such as kms:ViaService do not narrow the keys",
        ),
    ],
)
def test_fails_kms_decrypt_on_all_keys_inline(statement: dict[str, Any], expected: str) -> None:
    [violation] = iam_no_kms_decrypt_on_all_keys(_role(statement))

    assert expected in violation.message
    assert violation.message.endswith("[KMS.2].")
    assert violation.rule == "iam-no-kms-decrypt-on-all-keys" and violation.mandatory


def test_fails_kms_decrypt_on_all_keys_in_managed_policy_as_kms_1() -> None:
    [violation] = iam_no_kms_decrypt_on_all_keys(
        _role_policy(_allow("kms:Decrypt", "*"), type_token=POLICY)
    )

    assert violation.message.endswith("[KMS.1].")
