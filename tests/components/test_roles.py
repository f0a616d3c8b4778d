"""WorkloadRole: hundreds of exact grants spread over inline and managed policies within limits."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.roles import WorkloadRole, WorkloadRoleArgs
from design.grant_layout import role_layout
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, kms_via_secrets_manager
from tests.conftest import records_of

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{}-AbCdEf"
BOUNDARY = "arn:aws:iam::123456789012:policy/b"


def grants(count: int) -> dict[str, str]:
    return {
        f"acme/prod/svc-secret-{index:04d}": ARN.format(f"acme/prod/svc-secret-{index:04d}")
        for index in range(count)
    }


def fixed(account, key_arn):
    return [kms_via_secrets_manager(key_arn, account.region)]


def account() -> AwsAccount:
    return AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input("eu-west-1"),
        partition=pulumi.Output.from_input("aws"),
    )


@pulumi.runtime.test
def test_three_hundred_secrets_each_granted_once_within_limits(monitor):
    role = WorkloadRole(
        "wide",
        WorkloadRoleArgs(
            role_name="acme-prod-wide-exec",
            path="/app-secrets/acme-prod/",
            trust_policy="{}",
            boundary_arn=BOUNDARY,
            account=account(),
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


@pulumi.runtime.test
def test_the_role_carries_its_name_path_trust_boundary_and_tags(monitor):
    role = WorkloadRole(
        "api-task",
        WorkloadRoleArgs(
            role_name="acme-dev-api-task",
            path="/app-secrets/acme-dev/",
            trust_policy='{"Version":"2012-10-17","Statement":[]}',
            boundary_arn=BOUNDARY,
            account=account(),
            key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            description="Task role of api",
            tags={"Project": "acme"},
        ),
    )

    def check(arn):
        record = records_of(monitor, "aws:iam/role:Role")["api-task-role"]
        assert arn == "arn:aws:iam::123456789012:role/app-secrets/acme-dev/acme-dev-api-task"
        assert record.inputs == {
            "name": "acme-dev-api-task",
            "path": "/app-secrets/acme-dev/",
            "description": "Task role of api",
            "assumeRolePolicy": '{"Version":"2012-10-17","Statement":[]}',
            "permissionsBoundary": BOUNDARY,
            "tags": {"Project": "acme"},
        }
        # No grant and no fixed statement: no policy at all, not an empty one.
        assert role.inline_policy is None and role.managed_policies == []
        assert records_of(monitor, "aws:iam/rolePolicy:RolePolicy") == {}

    return role.arn.apply(check)


@pulumi.runtime.test
def test_a_grant_names_its_sid_actions_and_the_fixed_statements_follow(monitor):
    role = WorkloadRole(
        "reader",
        WorkloadRoleArgs(
            role_name="acme-dev-reader",
            path="/app-secrets/acme-dev/",
            trust_policy="{}",
            boundary_arn=BOUNDARY,
            account=account(),
            key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            secret_sid="ReadAtRuntime",
            secret_actions=("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"),
            secret_arns=grants(2),
            fixed_statements=fixed,
        ),
    )

    def check(_):
        policy = records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["reader-grants"]
        assert policy.inputs["name"] == "grants"
        assert json.loads(policy.inputs["policy"])["Statement"] == [
            {
                "Sid": "ReadAtRuntime",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": sorted(grants(2).values()),
            },
            kms_via_secrets_manager("arn:aws:kms:eu-west-1:123456789012:key/1111", "eu-west-1"),
        ]

    return role.inline_policy.id.apply(check)
