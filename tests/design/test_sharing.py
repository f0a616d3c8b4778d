"""A shared secret's resource policy and the key's grant, as documents and as evaluated requests."""

from __future__ import annotations

import json

import pytest

from aws_model.iam_cross_account import evaluate_cross_account
from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.exceptions import SharingError
from design.iam import secret_resource_policy
from design.key_policy import key_policy
from design.sharing import (
    shared_key_policy,
    shared_secret_arn_pattern,
    shared_secret_resource_policy,
)

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
READER = "arn:aws:iam::444455556666:role/billing-reader"
NEIGHBOUR = "arn:aws:iam::444455556666:role/anyone-else"
SHARED = "acme/prod/billing-api-key"
SHARED_ARN = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{SHARED}-AbC123"
OTHER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/other-XyZ789"
LONGER_ARN = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{SHARED}-extra-XyZ789"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0000-1111"
VIA = "secretsmanager.eu-west-1.amazonaws.com"
GRANTS_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
"""The consumer account's side, at its widest: the stack's policies alone must limit it."""

RESOURCE_POLICY = shared_secret_resource_policy(ACCOUNT, [READER])
KEY_POLICY = shared_key_policy(ACCOUNT, {SHARED: (READER,)})


def secret_request(principal: str, action: str, secret_arn: str = SHARED_ARN) -> Decision:
    context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": principal.split(":")[4]}
    return evaluate_cross_account(
        Request(principal_arn=principal, action=action, resource_arn=secret_arn, context=context),
        identity_policies=[GRANTS_ALL],
        resource_policy=RESOURCE_POLICY,
    )


def decrypt_request(principal: str, **context: str) -> Decision:
    context = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": principal.split(":")[4],
        **context,
    }
    return evaluate_cross_account(
        Request(
            principal_arn=principal, action="kms:Decrypt", resource_arn=KEY_ARN, context=context
        ),
        identity_policies=[GRANTS_ALL],
        resource_policy=KEY_POLICY,
    )


def via_secrets_manager(secret_arn: str) -> dict[str, str]:
    return {"kms:ViaService": VIA, "kms:EncryptionContext:SecretARN": secret_arn}


# --- documents ------------------------------------------------------------------------------


def test_the_resource_policy_allows_exactly_the_principals_to_read():
    deny, allow = RESOURCE_POLICY["Statement"]

    assert allow == {
        "Sid": "SharedRead",
        "Effect": "Allow",
        "Principal": {"AWS": [READER]},
        "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Resource": "*",
    }
    assert deny["Condition"] == {
        "StringNotEquals": {"aws:PrincipalAccount": "123456789012", "aws:PrincipalArn": [READER]}
    }


def test_an_account_root_is_exempted_by_its_account():
    root = "arn:aws:iam::777788889999:root"

    deny, _ = shared_secret_resource_policy(ACCOUNT, [root])["Statement"]

    assert deny["Condition"] == {
        "StringNotEquals": {"aws:PrincipalAccount": ["123456789012", "777788889999"]}
    }


def test_without_principals_the_policy_is_the_stacks():
    assert shared_secret_resource_policy(ACCOUNT, []) == secret_resource_policy(ACCOUNT)
    assert shared_key_policy(ACCOUNT, {}) == key_policy(ACCOUNT)


def test_the_key_grant_names_one_secret_through_secrets_manager():
    grant = KEY_POLICY["Statement"][-1]

    assert KEY_POLICY["Statement"][:-1] == key_policy(ACCOUNT)["Statement"]
    assert grant["Principal"] == {"AWS": [READER]}
    assert grant["Action"] == "kms:Decrypt"
    assert grant["Condition"] == {
        "StringEquals": {"kms:ViaService": VIA},
        "StringLike": {
            "kms:EncryptionContext:SecretARN": shared_secret_arn_pattern(ACCOUNT, SHARED)
        },
    }
    assert shared_secret_arn_pattern(ACCOUNT, SHARED).endswith(f"secret:{SHARED}-??????")


def test_fails_on_a_principal_of_the_stacks_own_account():
    own = "arn:aws:iam::123456789012:role/own"

    with pytest.raises(SharingError, match=r"share_with: .*own account 123456789012"):
        shared_secret_resource_policy(ACCOUNT, [own])
    with pytest.raises(SharingError, match="own account"):
        shared_key_policy(ACCOUNT, {SHARED: (own,)})


# --- evaluation: what the shared principal may do ---------------------------------------------


@pytest.mark.parametrize(
    "action", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
)
def test_the_shared_principal_may_read(action):
    assert secret_request(READER, action) is Decision.ALLOW


def test_the_shared_principal_may_decrypt_that_secret_through_secrets_manager():
    assert decrypt_request(READER, **via_secrets_manager(SHARED_ARN)) is Decision.ALLOW


@pytest.mark.parametrize(
    "action",
    [
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:PutResourcePolicy",
    ],
)
def test_the_shared_principal_may_not_write_or_delete(action):
    assert secret_request(READER, action) is not Decision.ALLOW


def test_the_shared_principal_may_not_read_another_secret():
    # the other secret keeps the stack's policy
    context = {"aws:PrincipalArn": READER, "aws:PrincipalAccount": "444455556666"}
    decision = evaluate_cross_account(
        Request(
            principal_arn=READER,
            action="secretsmanager:GetSecretValue",
            resource_arn=OTHER_ARN,
            context=context,
        ),
        identity_policies=[GRANTS_ALL],
        resource_policy=secret_resource_policy(ACCOUNT),
    )

    assert decision is Decision.EXPLICIT_DENY


def test_the_shared_principal_may_not_decrypt_directly():
    assert (
        decrypt_request(READER, **{"kms:EncryptionContext:SecretARN": SHARED_ARN})
        is not Decision.ALLOW
    )
    assert decrypt_request(READER) is not Decision.ALLOW


@pytest.mark.parametrize("secret_arn", [OTHER_ARN, LONGER_ARN])
def test_the_shared_principal_may_not_decrypt_another_secrets_value(secret_arn):
    assert decrypt_request(READER, **via_secrets_manager(secret_arn)) is not Decision.ALLOW


def test_another_role_of_that_account_gets_nothing():
    for action in ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"):
        assert secret_request(NEIGHBOUR, action) is Decision.EXPLICIT_DENY
    assert decrypt_request(NEIGHBOUR, **via_secrets_manager(SHARED_ARN)) is not Decision.ALLOW


def test_a_consumer_without_its_own_grant_gets_nothing():
    context = {"aws:PrincipalArn": READER, "aws:PrincipalAccount": "444455556666"}
    decision = evaluate_cross_account(
        Request(
            principal_arn=READER,
            action="secretsmanager:GetSecretValue",
            resource_arn=SHARED_ARN,
            context=context,
        ),
        identity_policies=[],
        resource_policy=RESOURCE_POLICY,
    )

    assert decision is Decision.IMPLICIT_DENY


# --- evaluation: the stack's own roles keep exactly their access --------------------------------


def own_request(identity: list[dict]) -> Decision:
    role = "arn:aws:iam::123456789012:role/acme-prod-web-task"
    context = {"aws:PrincipalArn": role, "aws:PrincipalAccount": "123456789012"}
    return evaluate(
        Request(
            principal_arn=role,
            action="secretsmanager:GetSecretValue",
            resource_arn=SHARED_ARN,
            context=context,
        ),
        identity_policies=identity,
        resource_policy=json.dumps(RESOURCE_POLICY),
    )


def test_the_stacks_roles_read_by_their_grant_only():
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SHARED_ARN}
        ],
    }

    assert own_request([grant]) is Decision.ALLOW
    assert own_request([]) is Decision.IMPLICIT_DENY


def test_an_account_root_share_lets_that_accounts_roles_read_through_their_own_grant():
    # GIVEN a secret shared with a whole account
    root = "arn:aws:iam::777788889999:root"
    role = "arn:aws:iam::777788889999:role/any-reader"
    context = {"aws:PrincipalArn": role, "aws:PrincipalAccount": "777788889999"}

    # WHEN a role of that account, granted by its own account, reads it
    decision = evaluate_cross_account(
        Request(
            principal_arn=role,
            action="secretsmanager:GetSecretValue",
            resource_arn=SHARED_ARN,
            context=context,
        ),
        identity_policies=[GRANTS_ALL],
        resource_policy=shared_secret_resource_policy(ACCOUNT, [root]),
    )

    # THEN the stack's side allows it
    assert decision is Decision.ALLOW
