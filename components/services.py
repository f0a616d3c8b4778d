"""A service's identities: ECS execution and task roles, and its task definition's secrets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.catalog import ServiceSpec, TaskSpec, split_reference
from components.grants import (
    ECS_EXECUTION_MANAGED_POLICY,
    EXECUTION_READ,
    RUNTIME_READ,
    Account,
    compact,
    ecs_tasks_trust,
    kms_via_secrets_manager,
)
from components.roles import WorkloadRole, WorkloadRoleArgs


def value_from(secret_arn: str, json_key: str | None) -> str:
    """ECS's reference: the ARN, or `ARN:json-key::` (version stage and id left to AWSCURRENT)."""
    return f"{secret_arn}:{json_key}::" if json_key else secret_arn


def container_secrets(
    env: Mapping[str, str], secret_arns: Mapping[str, str]
) -> list[dict[str, str]]:
    """The `secrets` list of a container definition, sorted by variable name."""
    entries = []
    for variable, reference in sorted(env.items()):
        secret_name, json_key = split_reference(reference)
        entries.append(
            {"name": variable, "valueFrom": value_from(secret_arns[secret_name], json_key)}
        )
    return entries


def container_definitions(
    *, service: str, task: TaskSpec, secrets: list[dict[str, str]], log_group: str, region: str
) -> list[dict]:
    """One essential container; secrets only in `secrets`, never in `environment`."""
    return [
        {
            "name": service,
            "image": task.image,
            "essential": True,
            "secrets": secrets,
            "environment": [
                {"name": name, "value": value} for name, value in sorted(task.environment.items())
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": service,
                },
            },
        }
    ]


def _kms_statements(account: Account, key_arn: str) -> list[dict]:
    return [kms_via_secrets_manager(key_arn, account.region)]


@dataclass(frozen=True)
class ServiceAccessArgs:
    service: str
    spec: ServiceSpec
    execution_role_name: str
    task_role_name: str
    role_path: str
    family: str
    """Task definition family, `{prefix}-{env}-{service}`."""
    log_group: str
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Catalog name -> ARN for every secret of the stack; the service is granted its own only."""
    secret_full_names: Mapping[str, str]
    account: AwsAccount
    key_arn: pulumi.Input[str]
    boundary_arn: pulumi.Input[str]
    log_retention_days: int = 30
    """Retention of the task's log group. Default: 30 days."""
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceAccess(pulumi.ComponentResource):
    """Exactly what one service may read, and (with `task`) its Fargate task definition.

    The execution role reads the `env` secrets, because ECS resolves them before the container
    starts; the task role reads the `runtime_read` secrets and has no secret permission when
    there are none.
    """

    execution_role_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    container_secrets: pulumi.Output[list[dict[str, str]]]
    task_definition_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: ServiceAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:services:ServiceAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        env_secrets = sorted(
            {split_reference(reference)[0] for reference in args.spec.env.values()}
        )
        trust = args.account.account_id.apply(
            lambda account_id: compact(ecs_tasks_trust(account_id))
        )
        self.execution_role = self._role(
            f"{name}-execution",
            args,
            trust=trust,
            role_name=args.execution_role_name,
            description=f"ECS execution role of {args.service}: image pull, container secrets",
            secret_sid="ResolveContainerSecrets",
            secret_actions=EXECUTION_READ,
            secret_names=env_secrets,
            aws_managed_policies=(ECS_EXECUTION_MANAGED_POLICY,),
        )
        self.task_role = self._role(
            f"{name}-task",
            args,
            trust=trust,
            role_name=args.task_role_name,
            description=f"Task role of {args.service}: the application's own identity",
            secret_sid="ReadAtRuntime",
            secret_actions=RUNTIME_READ,
            secret_names=sorted(set(args.spec.runtime_read)),
        )
        used = {name: args.secret_arns[name] for name in env_secrets}
        self.container_secrets = pulumi.Output.all(**used).apply(
            lambda arns: container_secrets(args.spec.env, arns)
        )
        self.execution_role_arn = self.execution_role.arn
        self.task_role_arn = self.task_role.arn
        self.task_definition_arn = None
        if args.spec.task is not None:
            self.task_definition_arn = self._task_definition(name, args, args.spec.task, child)
        self.register_outputs(
            {
                "executionRoleArn": self.execution_role_arn,
                "taskRoleArn": self.task_role_arn,
                "containerSecrets": self.container_secrets,
                "taskDefinitionArn": self.task_definition_arn,
            }
        )

    def _role(
        self,
        name: str,
        args: ServiceAccessArgs,
        *,
        trust: pulumi.Output[str],
        role_name: str,
        description: str,
        secret_sid: str,
        secret_actions: tuple[str, ...],
        secret_names: list[str],
        aws_managed_policies: tuple[str, ...] = (),
    ) -> WorkloadRole:
        """A role of the service, granted `secret_actions` on exactly `secret_names`.

        KMS use comes with the grant only: a role that reads no secret gets no key either.
        """
        return WorkloadRole(
            name,
            WorkloadRoleArgs(
                role_name=role_name,
                path=args.role_path,
                description=description,
                trust_policy=trust,
                boundary_arn=args.boundary_arn,
                account=args.account,
                key_arn=args.key_arn,
                secret_sid=secret_sid,
                secret_actions=secret_actions,
                secret_arns={
                    args.secret_full_names[secret]: args.secret_arns[secret]
                    for secret in secret_names
                },
                fixed_statements=_kms_statements if secret_names else None,
                aws_managed_policies=aws_managed_policies,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _task_definition(
        self, name: str, args: ServiceAccessArgs, task: TaskSpec, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group,
            retention_in_days=args.log_retention_days,
            tags=dict(args.tags),
            opts=child,
        )
        definitions = pulumi.Output.all(
            self.container_secrets, args.account.region, log_group.name
        ).apply(
            lambda values: json.dumps(
                container_definitions(
                    service=args.service,
                    task=task,
                    secrets=values[0],
                    log_group=values[2],
                    region=values[1],
                )
            )
        )
        definition = aws.ecs.TaskDefinition(
            f"{name}-task-definition",
            family=args.family,
            cpu=str(task.cpu),
            memory=str(task.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            execution_role_arn=self.execution_role_arn,
            task_role_arn=self.task_role_arn,
            container_definitions=definitions,
            tags=dict(args.tags),
            opts=child,
        )
        return definition.arn
