"""The log groups the stack creates: one declaration, so every group gets the same settings."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def stack_log_group(
    resource_name: str,
    *,
    name: str,
    retention_days: int,
    kms_key_arn: pulumi.Input[str] | None,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.LogGroup:
    """A log group created by the stack rather than on first write, so that it has a retention.

    `retention_days` is a CloudWatch retention value (the stack's `logRetentionDays`);
    `kms_key_arn` the customer-managed key it is encrypted with (the stack's logs key).
    """
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
