"""A service's roles and task definition: exact grants, secrets by reference, not in environment."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.services import ServiceAccess, ServiceAccessArgs
from design.naming import StackNames
from tests.conftest import records_of

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/{}-AbCdEf"
ARNS = {
    name: ARN.format(name) for name in ("admin-token", "app-config", "openai-api-key", "unused")
}
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-dev-workload-boundary"


def declare(*, names: StackNames | None = None, **fields) -> ServiceAccess:
    account = AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input("eu-west-1"),
        partition=pulumi.Output.from_input("aws"),
    )
    return ServiceAccess(
        "api",
        ServiceAccessArgs(
            service="api",
            names=names or StackNames(prefix="acme", environment="dev"),
            secret_arns=ARNS,
            account=account,
            key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            boundary_arn=BOUNDARY,
            **fields,
        ),
    )


@pulumi.runtime.test
def test_execution_role_reads_exactly_the_env_secrets(monitor):
    access = declare(
        env={"ADMIN_TOKEN": "admin-token", "REDIS": "app-config:REDIS_PASSWORD"},
        task_image="nginx",
    )

    def check(values):
        execution_arn = values[0]
        roles = records_of(monitor, "aws:iam/role:Role")
        execution = roles["api-execution-role"]
        assert (
            execution_arn == "arn:aws:iam::123456789012:role/app-secrets/acme-dev/acme-dev-api-exec"
        )
        assert execution.inputs["permissionsBoundary"] == BOUNDARY
        trust = json.loads(execution.inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Condition"] == {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"},
        }
        grants = json.loads(
            records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["api-execution-grants"].inputs[
                "policy"
            ]
        )
        secrets, kms = grants["Statement"]
        assert secrets["Action"] == ["secretsmanager:GetSecretValue"]
        assert secrets["Resource"] == [ARNS["admin-token"], ARNS["app-config"]]
        assert kms["Condition"] == {
            "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
        }
        attachment = records_of(monitor, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")[
            "api-execution-aws-managed-1"
        ]
        assert (
            attachment.inputs["policyArn"]
            == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        )
        assert "api-task-grants" not in records_of(monitor, "aws:iam/rolePolicy:RolePolicy")

    return pulumi.Output.all(
        access.execution_role_arn,
        access.execution_role.inline_policy.id,
        access.execution_role.attachments[0].id,
        access.task_definition_arn,
    ).apply(check)


@pulumi.runtime.test
def test_task_role_reads_runtime_secrets_with_describe(monitor):
    access = declare(runtime_read=["openai-api-key"])

    def check(_):
        grants = json.loads(
            records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["api-task-grants"].inputs["policy"]
        )
        assert grants["Statement"][0]["Action"] == [
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
        ]
        assert grants["Statement"][0]["Resource"] == [ARNS["openai-api-key"]]
        assert "api-execution-grants" not in records_of(monitor, "aws:iam/rolePolicy:RolePolicy")
        assert access.task_definition_arn is None

    return access.task_role.inline_policy.id.apply(check)


@pulumi.runtime.test
def test_task_definition_references_secrets_and_both_roles(monitor):
    access = declare(
        env={"REDIS": "app-config:REDIS_PASSWORD"},
        task_image="nginx:1.27",
        task_cpu=512,
        task_memory=1024,
        task_environment={"LOG_LEVEL": "info"},
    )

    def check(values):
        execution_arn, task_arn, _ = values
        definition = records_of(monitor, "aws:ecs/taskDefinition:TaskDefinition")[
            "api-task-definition"
        ]
        assert definition.inputs["family"] == "acme-dev-api"
        assert (definition.inputs["cpu"], definition.inputs["memory"]) == ("512", "1024")
        assert definition.inputs["networkMode"] == "awsvpc"
        assert definition.inputs["requiresCompatibilities"] == ["FARGATE"]
        assert (definition.inputs["executionRoleArn"], definition.inputs["taskRoleArn"]) == (
            execution_arn,
            task_arn,
        )
        [container] = json.loads(definition.inputs["containerDefinitions"])
        assert container["secrets"] == [
            {"name": "REDIS", "valueFrom": ARNS["app-config"] + ":REDIS_PASSWORD::"}
        ]
        assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
        log_group = records_of(monitor, "aws:cloudwatch/logGroup:LogGroup")["api-logs"]
        assert log_group.inputs["name"] == "/app-secrets/acme-dev/api"

    return pulumi.Output.all(
        access.execution_role_arn, access.task_role_arn, access.task_definition_arn
    ).apply(check)


@pulumi.runtime.test
def test_container_secrets_output_names_only_the_env_secrets(monitor):
    access = declare(env={"ADMIN_TOKEN": "admin-token"}, runtime_read=["openai-api-key"])

    def check(secrets):
        assert secrets == [{"name": "ADMIN_TOKEN", "valueFrom": ARNS["admin-token"]}]
        assert access.task_definition_arn is None
        assert records_of(monitor, "aws:ecs/taskDefinition:TaskDefinition") == {}
        assert records_of(monitor, "aws:cloudwatch/logGroup:LogGroup") == {}

    return access.container_secrets.apply(check)


@pulumi.runtime.test
def test_a_service_without_secrets_gets_roles_without_any_grant(monitor):
    access = declare()

    def check(_):
        # Not even the KMS statement: a role that reads no secret gets no key either.
        assert access.execution_role.inline_policy is None
        assert access.task_role.inline_policy is None
        assert records_of(monitor, "aws:iam/rolePolicy:RolePolicy") == {}
        assert set(records_of(monitor, "aws:iam/role:Role")) == {
            "api-execution-role",
            "api-task-role",
        }

    return pulumi.Output.all(access.execution_role_arn, access.task_role_arn).apply(check)


@pulumi.runtime.test
def test_names_and_retention_follow_a_hyphenated_prefix_and_environment(monitor):
    access = declare(
        names=StackNames(prefix="acme-web", environment="pre-prod"),
        env={"ADMIN_TOKEN": "admin-token"},
        task_image="nginx",
        log_retention_days=90,
        tags={"Project": "acme-web"},
    )

    def check(values):
        execution_arn, task_arn, _ = values
        definition = records_of(monitor, "aws:ecs/taskDefinition:TaskDefinition")[
            "api-task-definition"
        ]
        log_group = records_of(monitor, "aws:cloudwatch/logGroup:LogGroup")["api-logs"]
        role_arn = (
            "arn:aws:iam::123456789012:role/app-secrets/acme-web-pre-prod/acme-web-pre-prod-api"
        )
        assert (execution_arn, task_arn) == (f"{role_arn}-exec", f"{role_arn}-task")
        assert definition.inputs["family"] == "acme-web-pre-prod-api"
        assert definition.inputs["tags"] == {"Project": "acme-web"}
        assert (log_group.inputs["name"], log_group.inputs["retentionInDays"]) == (
            "/app-secrets/acme-web-pre-prod/api",
            90,
        )
        [container] = json.loads(definition.inputs["containerDefinitions"])
        assert container["logConfiguration"]["options"]["awslogs-group"] == (
            "/app-secrets/acme-web-pre-prod/api"
        )
        assert container["logConfiguration"]["options"]["awslogs-region"] == "eu-west-1"

    return pulumi.Output.all(
        access.execution_role_arn, access.task_role_arn, access.task_definition_arn
    ).apply(check)
