"""The permissions boundary every role of the stack's workloads carries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from design.boundary import workload_boundary
from design.iam import compact
from design.naming import BOUNDARY_PATH, StackNames
from design.restarts import ServiceRestart
from design.rotation import RotationNetwork


@dataclass(frozen=True)
class WorkloadBoundaryArgs:
    names: StackNames
    """The stack's names: the policy is `{prefix}-{env}-workload-boundary`, and it allows only
    the secrets under `{prefix}/{env}/` and the stack's own log groups. Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key: the boundary allows it through Secrets Manager only. Required."""
    ecr_repository_arns: Sequence[str] = ()
    """The private ECR repositories the services' images come from. Default: none (public
    images need no ECR permission)."""
    rotation_subnet_ids: Sequence[str] = ()
    """Subnets the rotation functions run in; with them, the boundary allows their network
    interfaces there. Default: none, and no EC2 permission at all."""
    rotation_security_group_ids: Sequence[str] = ()
    """The rotation functions' security groups, set with `rotation_subnet_ids`. Default: none."""
    rotation_external_master_arns: Sequence[str] = ()
    """Master secrets outside the stack's path that rotations read (RDS's own), by exact ARN.
    Default: none, and no secret outside the stack's path."""
    rotation_rds_arns: Sequence[str] = ()
    """RDS instances and clusters that rotations describe, by exact ARN. Default: none, and no
    RDS permission at all."""
    restart_cluster: str | None = None
    """The ECS cluster of the services restarted after rotations. Default: none, and no ECS or
    Step Functions permission at all."""
    restarts: Sequence[ServiceRestart] = ()
    """The ECS services restarted after rotations: UpdateService on exactly these (never with
    a task definition), and StartExecution on the stack's restart state machine. Default:
    none."""
    replica_regions: Sequence[str] = ()
    """Regions the secrets replicate to: read and decrypt there too. Default: none."""
    replica_key_arn: pulumi.Input[str] | None = None
    """The multi-region primary key whose replicas encrypt the replicas. Default: none."""
    path: str = BOUNDARY_PATH
    """IAM path, outside the one ci-deploy manages, so ci-deploy cannot widen it.
    Default: `/app-secrets-boundary/`."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the policy. Default: none."""


class WorkloadBoundary(pulumi.ComponentResource):
    """A managed policy used only as a permissions boundary, never attached as a grant."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: WorkloadBoundaryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:boundary:WorkloadBoundary", name, None, opts)
        policy = pulumi.Output.all(
            args.account.resolved(), args.key_arn, args.replica_key_arn
        ).apply(
            lambda values: compact(
                workload_boundary(
                    values[0],
                    names=args.names,
                    key_arn=values[1],
                    ecr_repository_arns=args.ecr_repository_arns,
                    network=RotationNetwork(
                        subnet_ids=tuple(args.rotation_subnet_ids),
                        security_group_ids=tuple(args.rotation_security_group_ids),
                    )
                    if args.rotation_subnet_ids
                    else None,
                    external_master_arns=args.rotation_external_master_arns,
                    rds_arns=args.rotation_rds_arns,
                    restart_cluster=args.restart_cluster,
                    restarts=args.restarts,
                    replica_regions=args.replica_regions,
                    replica_key_arn=values[2],
                )
            )
        )
        self.policy = aws.iam.Policy(
            f"{name}-policy",
            name=args.names.boundary_policy_name,
            path=args.path,
            description="Permissions boundary of every role app-secrets creates for workloads",
            policy=policy,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.policy.arn
        self.register_outputs({"arn": self.arn})
