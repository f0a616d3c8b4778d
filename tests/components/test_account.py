"""AwsAccount: the provider's answers, resolved into the plain Account the design layer takes."""

from __future__ import annotations

import pulumi

from components.account import AwsAccount, current_account
from design.arns import Account
from tests.conftest import ACCOUNT_ID, REGION


@pulumi.runtime.test
def test_current_account_resolves_to_the_providers_partition_region_and_account(monitor):
    def check(account):
        assert account == Account(partition="aws", region=REGION, account_id=ACCOUNT_ID)

    return current_account().resolved().apply(check)


@pulumi.runtime.test
def test_current_account_asks_the_provider_in_another_partition(monitor):
    # GIVEN a provider in GovCloud
    monitor.mocks.partition, monitor.mocks.region = "aws-us-gov", "us-gov-west-1"

    def check(account):
        assert account == Account(
            partition="aws-us-gov", region="us-gov-west-1", account_id=ACCOUNT_ID
        )
        assert account.root == f"arn:aws-us-gov:iam::{ACCOUNT_ID}:root"

    return current_account().resolved().apply(check)


@pulumi.runtime.test
def test_resolved_keeps_each_output_in_its_place(monitor):
    account = AwsAccount(
        account_id=pulumi.Output.from_input("210987654321"),
        region=pulumi.Output.from_input("ap-southeast-2"),
        partition=pulumi.Output.from_input("aws-cn"),
    )

    def check(resolved):
        assert (resolved.partition, resolved.region, resolved.account_id) == (
            "aws-cn",
            "ap-southeast-2",
            "210987654321",
        )

    return account.resolved().apply(check)
