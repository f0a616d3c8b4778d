"""A service's identities: ECS execution and task roles, and its task definition's secrets."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.log_groups import stack_log_group
from components.roles import WorkloadRole, WorkloadRoleArgs
from design.arns import Account
from design.containers import container_definitions, container_secrets
from design.iam import (
    ECS_EXECUTION_MANAGED_POLICY,
    EXECUTION_READ,
    RUNTIME_READ,
    compact,
    ecs_tasks_trust,
    kms_via_secrets_manager,
)
from design.naming import StackNames
from inputs.catalog import split_reference


def _kms_statements(account: Account, key_arn: str) -> list[dict]:
    return [kms_via_secrets_manager(key_arn, account.region)]


@dataclass(frozen=True)
class ServiceAccessArgs:
    service: str
    """The catalog's service name (1-32 of a-z0-9-). Required."""
    names: StackNames
    """The stack's names: roles `{prefix}-{env}-{service}-exec`/`-task` under the workload path,
    family `{prefix}-{env}-{service}`, log group `/app-secrets/{prefix}-{env}/{service}`.
    Required."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Catalog name -> ARN for every secret of the stack; the service is granted its own only.
    Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key, decrypted through Secrets Manager by a role that reads a secret. Required."""
    boundary_arn: pulumi.Input[str]
    """The workload boundary both roles carry. Required."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Container variable -> `secret` or `secret:json-key`, resolved by ECS at task start
    through the execution role. Default: none, and the execution role reads no secret."""
    runtime_read: Sequence[str] = ()
    """Secrets the running application reads itself through the task role. Default: none, and
    the task role has no secret permission."""
    task_image: str | None = None
    """The container image of a Fargate task definition. Default: none, no task definition
    (another stack uses the `containerSecrets` output)."""
    task_cpu: int = 256
    """Fargate CPU units (256-16384, in Fargate's pairs with memory). Default: 256."""
    task_memory: int = 512
    """Fargate memory in MiB, valid for `task_cpu`. Default: 512."""
    task_environment: Mapping[str, str] = field(default_factory=dict)
    """Plain, non-secret container variables. Default: none."""
    task_read_only_root: bool = True
    """The container's root filesystem is read-only (ECS.5). Default: true."""
    log_retention_days: int = 30
    """Retention of the task's log group, in days (a CloudWatch retention value). Default: 30."""
    log_key_arn: pulumi.Input[str] | None = None
    """The customer-managed key the log groups are encrypted with. Default: none, CloudWatch's
    own key (the stack always passes its logs key)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every resource that takes them. Default: none."""
    replicated: frozenset[str] = frozenset()
    """Catalog names of the secrets with replicas: a role granted one may read its replicas and
    decrypt there through Secrets Manager. Default: none."""
    replica_regions: Sequence[str] = ()
    """The regions the replicated secrets replicate to. Default: none."""
    replica_key_arn: pulumi.Input[str] | None = None
    """The multi-region key the replicas are encrypted with. Default: none."""


class ServiceAccess(pulumi.ComponentResource):
    """Exactly what one service may read, and (with `task_image`) its Fargate task definition.

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
        env_secrets = sorted({split_reference(reference)[0] for reference in args.env.values()})
        trust = args.account.resolved().apply(lambda account: compact(ecs_tasks_trust(account)))
        self.execution_role = self._role(
            f"{name}-execution",
            args,
            trust=trust,
            kind="exec",
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
            kind="task",
            description=f"Task role of {args.service}: the application's own identity",
            secret_sid="ReadAtRuntime",
            secret_actions=RUNTIME_READ,
            secret_names=sorted(set(args.runtime_read)),
        )
        used = {secret: args.secret_arns[secret] for secret in env_secrets}
        self.container_secrets = pulumi.Output.all(**used).apply(
            lambda arns: container_secrets(args.env, arns)
        )
        self.execution_role_arn = self.execution_role.arn
        self.task_role_arn = self.task_role.arn
        self.task_definition_arn = (
            self._task_definition(name, args) if args.task_image is not None else None
        )
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
        kind: str,
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
                role_name=args.names.service_role_name(args.service, kind),
                path=args.names.workload_path,
                description=description,
                trust_policy=trust,
                boundary_arn=args.boundary_arn,
                account=args.account,
                key_arn=args.key_arn,
                secret_sid=secret_sid,
                secret_actions=secret_actions,
                secret_arns={
                    args.names.secret_full_name(secret): args.secret_arns[secret]
                    for secret in secret_names
                },
                fixed_statements=_kms_statements if secret_names else None,
                replicated=frozenset(
                    args.names.secret_full_name(secret)
                    for secret in secret_names
                    if secret in args.replicated
                ),
                replica_regions=args.replica_regions,
                replica_key_arn=args.replica_key_arn,
                aws_managed_policies=aws_managed_policies,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _task_definition(self, name: str, args: ServiceAccessArgs) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        log_group = stack_log_group(
            f"{name}-logs",
            name=args.names.service_log_group(args.service),
            retention_days=args.log_retention_days,
            kms_key_arn=args.log_key_arn,
            tags=args.tags,
            parent=self,
        )
        definitions = pulumi.Output.all(
            self.container_secrets, args.account.region, log_group.name
        ).apply(
            lambda values: json.dumps(
                container_definitions(
                    service=args.service,
                    image=args.task_image,
                    environment=args.task_environment,
                    read_only_root=args.task_read_only_root,
                    secrets=values[0],
                    log_group=values[2],
                    region=values[1],
                )
            )
        )
        definition = aws.ecs.TaskDefinition(
            f"{name}-task-definition",
            family=args.names.task_family(args.service),
            cpu=str(args.task_cpu),
            memory=str(args.task_memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            execution_role_arn=self.execution_role_arn,
            task_role_arn=self.task_role_arn,
            container_definitions=definitions,
            tags=dict(args.tags),
            opts=child,
        )
        return definition.arn
