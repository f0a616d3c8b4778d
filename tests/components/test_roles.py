"""WorkloadRole: hundreds of exact grants spread over inline and managed policies within limits."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.account import AwsAccount
from components.grants import (
    INLINE_LIMIT,
    MANAGED_LIMIT,
    PolicyTooLargeError,
    kms_via_secrets_manager,
)
from components.roles import WorkloadRole, WorkloadRoleArgs, role_layout
from tests.conftest import records_of

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{}-AbCdEf"


def grants(count: int) -> dict[str, str]:
    return {
        f"acme/prod/svc-secret-{index:04d}": ARN.format(f"acme/prod/svc-secret-{index:04d}")
        for index in range(count)
    }


def fixed(account, key_arn):
    return [kms_via_secrets_manager(key_arn, account.region)]


@pulumi.runtime.test
def test_three_hundred_secrets_each_granted_once_within_limits(monitor):
    account = AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input("eu-west-1"),
        partition=pulumi.Output.from_input("aws"),
    )
    role = WorkloadRole(
        "wide",
        WorkloadRoleArgs(
            role_name="acme-prod-wide-exec",
            path="/app-secrets/acme-prod/",
            trust_policy="{}",
            boundary_arn="arn:aws:iam::123456789012:policy/b",
            account=account,
            key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            secret_actions=("secretsmanager:GetSecretValue",),
            secret_arns=grants(300),
            fixed_statements=fixed,
            aws_managed_policies=("service-role/AmazonECSTaskExecutionRolePolicy",),
        ),
    )
    layout = role_layout(list(grants(300)), fixed=fixed, aws_managed=1)

    def check(_):
        inline = records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["wide-grants"].inputs[
            "policy"
        ]
        managed = [
            record.inputs["policy"]
            for name, record in records_of(monitor, "aws:iam/policy:Policy").items()
            if name.startswith("wide-grants-")
        ]
        attachments = records_of(monitor, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        assert len(managed) == len(layout.managed) >= 1
        assert len(attachments) == len(managed) + 1 <= 10
        assert len(inline) <= INLINE_LIMIT
        assert all(len(document) <= MANAGED_LIMIT for document in managed)
        granted = [
            arn
            for document in [inline, *managed]
            for statement in json.loads(document)["Statement"]
            if statement["Action"] == ["secretsmanager:GetSecretValue"]
            for arn in statement["Resource"]
        ]
        assert sorted(granted) == sorted(grants(300).values())

    waits = [role.inline_policy.id, *[policy.id for policy in role.managed_policies]]
    waits += [attachment.id for attachment in role.attachments]
    return pulumi.Output.all(*waits).apply(check)


def test_rejects_more_secrets_than_a_role_can_hold():
    with pytest.raises(PolicyTooLargeError):
        role_layout(list(grants(1500)), fixed=fixed, aws_managed=1)
