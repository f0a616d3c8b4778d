"""Rotation: the identity and log group of the rotation Lambda."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.grants import ROTATION_ACTIONS, compact, lambda_trust, rotation_statements
from components.roles import WorkloadRole, WorkloadRoleArgs


@dataclass(frozen=True)
class RotationAccessArgs:
    role_name: str
    role_path: str
    log_group: str
    """`/aws/lambda/{function}`, where Lambda writes; created here to set its retention."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Full name -> ARN of exactly the secrets with a rotation block."""
    account: AwsAccount
    key_arn: pulumi.Input[str]
    boundary_arn: pulumi.Input[str]
    log_retention_days: int = 30
    tags: Mapping[str, str] = field(default_factory=dict)


class RotationAccess(pulumi.ComponentResource):
    """The rotation Lambda's role: the four rotation actions on the rotated secrets only.

    `GetRandomPassword` is its only action on `*` (AWS allows no narrower resource for it).
    """

    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: RotationAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:rotation:RotationAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group,
            retention_in_days=args.log_retention_days,
            tags=dict(args.tags),
            opts=child,
        )
        self.role = WorkloadRole(
            f"{name}-lambda",
            WorkloadRoleArgs(
                role_name=args.role_name,
                path=args.role_path,
                description="Rotation Lambda: rotates the secrets with a rotation block",
                trust_policy=compact(lambda_trust()),
                boundary_arn=args.boundary_arn,
                account=args.account,
                key_arn=args.key_arn,
                secret_sid="RotateCatalogSecrets",
                secret_actions=ROTATION_ACTIONS,
                secret_arns=args.secret_arns,
                fixed_statements=partial(rotation_statements, log_group=args.log_group),
                tags=args.tags,
            ),
            opts=child,
        )
        self.role_arn = self.role.arn
        self.register_outputs({"roleArn": self.role_arn, "logGroup": self.log_group.name})
