"""SecretsKey under the mock engine: rotation, alias, protect and the planned key policy."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.kms import SecretsKey, SecretsKeyArgs
from design.arns import Account
from design.key_policy import key_policy
from tests.conftest import records_of

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")


def account() -> AwsAccount:
    return AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT.account_id),
        region=pulumi.Output.from_input(ACCOUNT.region),
        partition=pulumi.Output.from_input(ACCOUNT.partition),
    )


@pulumi.runtime.test
def test_key_rotates_has_its_alias_and_the_planned_policy(monitor):
    key = SecretsKey(
        "secrets",
        SecretsKeyArgs(
            alias="alias/acme-dev-secrets",
            account=account(),
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
        assert json.loads(record.inputs["policy"]) == key_policy(ACCOUNT)
        alias = records_of(monitor, "aws:kms/alias:Alias")["secrets-alias"]
        assert alias.inputs["targetKeyId"] == arn.rsplit("/", 1)[1]

    return pulumi.Output.all(key.arn, key.alias_name).apply(check)
