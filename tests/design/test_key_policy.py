"""The stack key's policy: the account administers the key and uses it only via Secrets Manager."""

from __future__ import annotations

from design.arns import Account
from design.key_policy import KEY_ADMIN_ACTIONS, key_policy

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")


def test_key_policy_lets_the_account_administer_but_use_only_through_secrets_manager():
    policy = key_policy(ACCOUNT)

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
