"""A service's roles and task definition: exact grants, secrets by reference, never in environment."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from inputs.catalog import ServiceSpec, TaskSpec
from components.services import (
    ServiceAccess,
    ServiceAccessArgs,
    container_definitions,
    container_secrets,
    value_from,
)
from tests.conftest import records_of

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/{}-AbCdEf"
ARNS = {
    name: ARN.format(name) for name in ("admin-token", "app-config", "openai-api-key", "unused")
}
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-dev-workload-boundary"


def test_value_from_uses_the_json_key_form():
    assert (
        value_from(ARNS["app-config"], "REDIS_PASSWORD") == ARNS["app-config"] + ":REDIS_PASSWORD::"
    )
    assert value_from(ARNS["admin-token"], None) == ARNS["admin-token"]


def test_container_secrets_are_sorted_and_resolved():
    env = {"REDIS_PASSWORD": "app-config:REDIS_PASSWORD", "ADMIN_TOKEN": "admin-token"}

    assert container_secrets(env, ARNS) == [
        {"name": "ADMIN_TOKEN", "valueFrom": ARNS["admin-token"]},
        {"name": "REDIS_PASSWORD", "valueFrom": ARNS["app-config"] + ":REDIS_PASSWORD::"},
    ]


def test_container_definition_keeps_secrets_out_of_environment():
    task = TaskSpec(image="nginx", environment={"LOG_LEVEL": "info"})
    secrets = [{"name": "ADMIN_TOKEN", "valueFrom": ARNS["admin-token"]}]

    [container] = container_definitions(
        service="api", task=task, secrets=secrets, log_group="/g", region="eu-west-1"
    )

    assert container["secrets"] == secrets
    assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/g"


def declare(spec: dict) -> ServiceAccess:
    account = AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input("eu-west-1"),
        partition=pulumi.Output.from_input("aws"),
    )
    return ServiceAccess(
        "api",
        ServiceAccessArgs(
            service="api",
            spec=ServiceSpec.model_validate(spec),
            execution_role_name="acme-dev-api-exec",
            task_role_name="acme-dev-api-task",
            role_path="/app-secrets/acme-dev/",
            family="acme-dev-api",
            log_group="/app-secrets/acme-dev/api",
            secret_arns=ARNS,
            secret_full_names={name: f"acme/dev/{name}" for name in ARNS},
            account=account,
            key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            boundary_arn=BOUNDARY,
        ),
    )


@pulumi.runtime.test
def test_execution_role_reads_exactly_the_env_secrets(monitor):
    access = declare(
        {
            "env": {"ADMIN_TOKEN": "admin-token", "REDIS": "app-config:REDIS_PASSWORD"},
            "task": {"image": "nginx"},
        }
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
            "StringEquals": {"aws:SourceAccount": "123456789012"}
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
    access = declare({"runtime_read": ["openai-api-key"]})

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
        {
            "env": {"REDIS": "app-config:REDIS_PASSWORD"},
            "task": {
                "image": "nginx:1.27",
                "cpu": 512,
                "memory": 1024,
                "environment": {"LOG_LEVEL": "info"},
            },
        }
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
