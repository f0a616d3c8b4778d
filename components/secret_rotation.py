"""Rotation: the rotation Lambda functions, their identity and log groups, and each schedule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.lambda_package import LambdaPackage
from components.log_groups import stack_log_group
from components.roles import WorkloadRole, WorkloadRoleArgs
from design.grant_layout import role_layout
from design.iam import ROTATION_ACTIONS, compact, lambda_trust
from design.naming import StackNames
from design.rotation import (
    HANDLER,
    RESERVED_CONCURRENCY,
    RUNTIME,
    SECRETS_MANAGER_PRINCIPAL,
    TIMEOUT_SECONDS,
    RotatedSecret,
    RotationNetwork,
    RotationProfile,
    in_vpc,
    master_secrets,
    rotation_invoke_source_arn,
    rotation_statements,
)
from design.rotation_rds import (
    external_master_arns,
    external_statements,
    master_read_policy,
    rds_arns,
)

TYPE = "app-secrets:rotation:Rotation"


@dataclass(frozen=True)
class RotationArgs:
    names: StackNames
    """The stack's names: role `{prefix}-{env}-rotation` under the workload path, functions
    `{prefix}-{env}-rot-{profile}` and their log groups. One log-group pattern covers every
    function, so the role's log statement stays the same size however many there are. Required."""
    rotated: Mapping[str, RotatedSecret]
    """Catalog name -> how it rotates, for exactly the secrets with a rotation block. Required."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Catalog name -> ARN of every secret of the stack (the rotated ones and their masters).
    Required."""
    package: LambdaPackage
    """The function code (`rotation/` and pg8000, zipped reproducibly). Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key, which the functions use through Secrets Manager. Required."""
    boundary_arn: pulumi.Input[str]
    """The workload boundary the role carries. Required."""
    first_values: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Catalog name -> the SecretVersion of the first value; rotation is declared after it.
    Default: none (external secrets)."""
    subnet_ids: Sequence[str] = ()
    """Subnets the database rotation functions run in, to reach the database. Token functions
    talk to Secrets Manager only and stay outside. Default: none, all outside any VPC."""
    security_group_ids: Sequence[str] = ()
    """Security groups of the functions in the VPC; set with `subnet_ids`. Default: none."""
    timeout_seconds: int = TIMEOUT_SECONDS
    """Per invocation (one rotation step). Default: 30; Lambda allows up to 900."""
    log_retention_days: int = 30
    """Retention of the functions' log groups, in days. Default: 30."""
    log_key_arn: pulumi.Input[str] | None = None
    """The customer-managed key the log groups are encrypted with. Default: none, CloudWatch's
    own key (the stack always passes its logs key)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every resource that takes them. Default: none."""


class Rotation(pulumi.ComponentResource):
    """The rotation of every secret with a rotation block.

    One Lambda function per rotation profile (strategy, password length, excluded characters),
    each with its own log group and an invoke permission for Secrets Manager limited to this
    account's secrets under the stack's path; one SecretRotation per rotated secret; and the
    role the functions share: the four rotation actions on the rotated secrets, and read only on
    the master secrets (and RDS's two Describe calls on the databases the catalog lists).
    """

    role_arn: pulumi.Output[str]
    function_arns: dict[str, pulumi.Output[str]]
    """Function name -> ARN."""
    functions: dict[str, aws.lambda_.Function]
    """Profile slug -> function."""
    permissions: dict[str, aws.lambda_.Permission]
    """Profile slug -> Secrets Manager's permission to invoke the function."""
    rotations: dict[str, aws.secretsmanager.SecretRotation]
    """Catalog name -> the secret's rotation."""
    masters_attachment: aws.iam.RolePolicyAttachment | None

    def __init__(
        self, name: str, args: RotationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        masters = master_secrets(args.rotated)
        missing = [master for master in masters if master not in args.secret_arns]
        if missing:  # checked before anything is declared
            raise ValueError(
                f"master secret(s) {', '.join(missing)} are not declared in this stack; "
                "a master must exist wherever the secrets it rotates do"
            )
        super().__init__(TYPE, name, None, opts)
        profiles = {secret: rotated.profile for secret, rotated in args.rotated.items()}
        grants = {
            args.names.secret_full_name(secret): args.secret_arns[secret] for secret in profiles
        }
        fixed = partial(
            rotation_statements,
            log_group=args.names.rotation_log_group_pattern,
            network=(
                RotationNetwork(
                    subnet_ids=tuple(args.subnet_ids),
                    security_group_ids=tuple(args.security_group_ids),
                )
                if any(in_vpc(profile, args.subnet_ids) for profile in profiles.values())
                else None
            ),
        )
        external = external_statements(external_master_arns(args.rotated), rds_arns(args.rotated))
        if masters or external:
            # The masters' policy takes one of the role's managed-policy slots: fail now, with
            # IAM's reason, rather than at the eleventh attachment.
            role_layout(list(grants), fixed=fixed, aws_managed=1)
        self.role = WorkloadRole(
            f"{name}-lambda",
            WorkloadRoleArgs(
                role_name=args.names.rotation_role_name,
                path=args.names.workload_path,
                description="Rotation Lambda: rotates the secrets with a rotation block",
                trust_policy=args.account.account_id.apply(
                    lambda account_id: compact(lambda_trust(account_id))
                ),
                boundary_arn=args.boundary_arn,
                account=args.account,
                key_arn=args.key_arn,
                secret_sid="RotateCatalogSecrets",
                secret_actions=ROTATION_ACTIONS,
                secret_arns=grants,
                fixed_statements=fixed,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.masters_attachment = (
            self._master_read(name, args, masters=masters, external=external)
            if masters or external
            else None
        )
        ready = [self.role, *([self.masters_attachment] if self.masters_attachment else [])]
        self.functions, self.permissions = {}, {}
        for profile in sorted(set(profiles.values()), key=lambda profile: profile.slug):
            self._function(name, args, profile=profile, ready=ready)
        self.rotations = {
            secret: self._rotation(
                f"{name}-{secret}",
                secret_arn=args.secret_arns[secret],
                rules=rotated.rules,
                slug=rotated.profile.slug,
                rotate_immediately=rotated.rotate_immediately,
                ready=[*ready, *filter(None, [args.first_values.get(secret)])],
            )
            for secret, rotated in args.rotated.items()
        }
        self.role_arn = self.role.arn
        self.function_arns = {
            args.names.rotation_function_name(slug): function.arn
            for slug, function in self.functions.items()
        }
        self.register_outputs({"roleArn": self.role_arn, "functionArns": self.function_arns})

    def _rotation(
        self,
        resource_name: str,
        *,
        secret_arn: pulumi.Input[str],
        rules: Mapping[str, int | str],
        slug: str,
        rotate_immediately: bool,
        ready: Sequence[pulumi.Resource],
    ) -> aws.secretsmanager.SecretRotation:
        return aws.secretsmanager.SecretRotation(
            resource_name,
            secret_id=secret_arn,
            rotation_lambda_arn=self.functions[slug].arn,
            rotation_rules=dict(rules),
            # At deploy time only for a secret whose first value the function makes (a generated
            # token): any other has its first value in place already, or none yet for
            # createSecret to start from (external). Configuring the rotation without it still
            # has AWS test the function (testSecret). Either way the function's permissions
            # come first.
            rotate_immediately=rotate_immediately,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permissions[slug], *ready]),
        )

    def _master_read(
        self, name: str, args: RotationArgs, *, masters: list[str], external: list[dict]
    ) -> aws.iam.RolePolicyAttachment:
        """GetSecretValue and DescribeSecret on each master secret, by its exact ARN.

        A managed policy of its own, so the rotated secrets' grants keep IAM's packing. It also
        holds the `external` statements (`design.rotation_rds`): the master secrets the stack
        does not manage, and the RDS databases the function may describe, by exact ARN.
        """
        child = pulumi.ResourceOptions(parent=self)
        policy = aws.iam.Policy(
            f"{name}-masters",
            name=f"{args.names.rotation_role_name}-masters",
            path=args.names.workload_path,
            description=(
                f"Read-only access of {args.names.rotation_role_name} to the master secrets"
            ),
            policy=pulumi.Output.all(*(args.secret_arns[master] for master in masters)).apply(
                lambda arns: compact(master_read_policy(arns, external=external))
            ),
            tags=dict(args.tags),
            opts=child,
        )
        return aws.iam.RolePolicyAttachment(
            f"{name}-masters", role=self.role.role.name, policy_arn=policy.arn, opts=child
        )

    def _function(
        self,
        name: str,
        args: RotationArgs,
        *,
        profile: RotationProfile,
        ready: Sequence[pulumi.Resource],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        function_name = args.names.rotation_function_name(profile.slug)
        log_group = stack_log_group(
            f"{name}-{profile.slug}-logs",
            name=args.names.rotation_log_group(profile.slug),
            retention_days=args.log_retention_days,
            kms_key_arn=args.log_key_arn,
            tags=args.tags,
            parent=self,
        )
        vpc_config = (
            {
                "subnet_ids": list(args.subnet_ids),
                "security_group_ids": list(args.security_group_ids),
            }
            if in_vpc(profile, args.subnet_ids)
            else None
        )
        function = aws.lambda_.Function(
            f"{name}-{profile.slug}",
            name=function_name,
            description=(
                f"app-secrets rotation: {profile.strategy}, {profile.password_length} characters"
            ),
            role=self.role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=pulumi.FileArchive(str(args.package.path)),
            source_code_hash=args.package.code_sha256,
            timeout=args.timeout_seconds,
            reserved_concurrent_executions=RESERVED_CONCURRENCY,
            environment={"variables": profile.environment()},
            vpc_config=vpc_config,
            logging_config={"log_format": "Text", "log_group": log_group.name},
            tags=dict(args.tags),
            # Lambda checks the VPC permissions when it creates the function.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, *ready]),
        )
        permission = aws.lambda_.Permission(
            f"{name}-{profile.slug}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal=SECRETS_MANAGER_PRINCIPAL,
            # Only this stack's secrets, in this account, may invoke it: no confused deputy.
            source_account=args.account.account_id,
            source_arn=args.account.resolved().apply(
                lambda account: rotation_invoke_source_arn(account, args.names.secret_path)
            ),
            opts=child,
        )
        self.functions[profile.slug] = function
        self.permissions[profile.slug] = permission
