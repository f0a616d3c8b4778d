"""The AWS account, region and partition the stack deploys into, asked of the provider once."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsAccount:
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]


def current_account() -> AwsAccount:
    return AwsAccount(
        account_id=aws.get_caller_identity_output().account_id,
        region=aws.get_region_output().region,
        partition=aws.get_partition_output().partition,
    )
