"""The permissions boundary every role of the stack's workloads carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.grants import compact, workload_boundary


@dataclass(frozen=True)
class WorkloadBoundaryArgs:
    policy_name: str
    """`{prefix}-{env}-workload-boundary`."""
    path: str
    """An IAM path outside the one ci-deploy manages, so ci-deploy cannot widen it."""
    secret_path: str
    name_stem: str
    """`{prefix}-{env}`: the log groups the workloads may write to start with it."""
    account: AwsAccount
    key_arn: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class WorkloadBoundary(pulumi.ComponentResource):
    """A managed policy used only as a permissions boundary, never attached as a grant."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: WorkloadBoundaryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:boundary:WorkloadBoundary", name, None, opts)
        policy = pulumi.Output.all(args.account.resolved(), args.key_arn).apply(
            lambda values: compact(
                workload_boundary(
                    values[0],
                    secret_path=args.secret_path,
                    key_arn=values[1],
                    name_stem=args.name_stem,
                )
            )
        )
        self.policy = aws.iam.Policy(
            f"{name}-policy",
            name=args.policy_name,
            path=args.path,
            description="Permissions boundary of every role app-secrets creates for workloads",
            policy=policy,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.policy.arn
        self.register_outputs({"arn": self.arn})
