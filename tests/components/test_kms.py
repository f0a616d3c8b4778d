"""The stack key: rotation, alias, protect, and a policy that allows use only via Secrets Manager."""

from __future__ import annotations

import json

import pulumi

from components.kms import KEY_ADMIN_ACTIONS, SecretsKey, SecretsKeyArgs, key_policy
from tests.conftest import records_of


def test_key_policy_lets_the_account_administer_but_use_only_through_secrets_manager():
    policy = key_policy(partition="aws", account_id="123456789012", region="eu-west-1")

    admin, use = policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert "kms:Decrypt" not in admin["Action"]
    assert not any(action.endswith("*") for action in admin["Action"])
    assert "kms:PutKeyPolicy" in admin["Action"]
    assert "kms:Decrypt" in use["Action"]
    assert use["Condition"] == {
        "StringEquals": {
            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
            "kms:CallerAccount": "123456789012",
        }
    }


def test_admin_actions_hold_no_cryptographic_operation():
    crypto = {
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:CreateGrant",
    }

    assert crypto.isdisjoint(KEY_ADMIN_ACTIONS)


@pulumi.runtime.test
def test_key_rotates_has_its_alias_and_the_planned_policy(monitor):
    key = SecretsKey(
        "secrets",
        SecretsKeyArgs(
            alias="alias/acme-dev-secrets",
            account_id="123456789012",
            region="eu-west-1",
            partition="aws",
            deletion_window_days=7,
            protect=True,
            tags={"Project": "acme"},
        ),
    )

    def check(values):
        arn, alias_name = values
        record = records_of(monitor, "aws:kms/key:Key")["secrets-key"]
        assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
        assert alias_name == "alias/acme-dev-secrets"
        assert record.inputs["enableKeyRotation"] is True
        assert record.inputs["deletionWindowInDays"] == 7
        assert record.protect is True
        assert json.loads(record.inputs["policy"]) == key_policy(
            partition="aws", account_id="123456789012", region="eu-west-1"
        )
        alias = records_of(monitor, "aws:kms/alias:Alias")["secrets-alias"]
        assert alias.inputs["targetKeyId"] == arn.rsplit("/", 1)[1]

    return pulumi.Output.all(key.arn, key.alias_name).apply(check)
