"""The AWS account, region and partition the stack deploys into, asked of the provider once."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from design.arns import Account


@dataclass(frozen=True)
class AwsAccount:
    """The provider's answers as Outputs; `resolved()` gives the plain Account design/ takes."""

    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]

    def resolved(self) -> pulumi.Output[Account]:
        """The account as plain strings, for the pure policy builders."""
        return pulumi.Output.all(self.partition, self.region, self.account_id).apply(
            lambda values: Account(partition=values[0], region=values[1], account_id=values[2])
        )


def current_account() -> AwsAccount:
    return AwsAccount(
        account_id=aws.get_caller_identity_output().account_id,
        region=aws.get_region_output().region,
        partition=aws.get_partition_output().partition,
    )
