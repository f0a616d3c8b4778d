"""Rotation: the rotation Lambda functions, their identity and log groups, and each schedule."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from functools import partial

import pulumi
import pulumi_aws as aws

from components import naming
from components.account import AwsAccount
from components.catalog import GenerateSpec, RotationSpec, SecretSpec
from components.grants import (
    ROTATION_ACTIONS,
    RUNTIME_READ,
    compact,
    document,
    lambda_trust,
    rotation_statements,
    secret_statement,
)
from components.lambda_package import LambdaPackage
from components.roles import WorkloadRole, WorkloadRoleArgs, role_layout
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT

TYPE = "app-secrets:rotation:Rotation"
RUNTIME = "python3.11"
HANDLER = "handler.lambda_handler"
"""The package is flat: `rotation/handler.py` sits at the zip's root."""
TIMEOUT_SECONDS = 30
SECRETS_MANAGER_PRINCIPAL = "secretsmanager.amazonaws.com"
GET_RANDOM_PASSWORD_PUNCTUATION = string.punctuation
"""The characters GetRandomPassword counts as punctuation (all printable ASCII ones)."""
STRATEGY_SLUGS = {
    "token": "token",
    "postgres-single-user": "pg-single",
    "postgres-alternating-users": "pg-alt",
}


@dataclass(frozen=True)
class RotationProfile:
    """How one rotation function draws new values; secrets with equal profiles share it."""

    strategy: str
    password_length: int
    exclude_characters: str
    """Every punctuation character a new value must not contain."""
    exclude_punctuation: bool

    @property
    def slug(self) -> str:
        """`{strategy}-{6 hex}`: stable for the same profile, so the function keeps its name."""
        digest = hashlib.sha256(json.dumps(astuple(self)).encode()).hexdigest()[:6]
        return f"{STRATEGY_SLUGS[self.strategy]}-{digest}"

    def environment(self) -> dict[str, str]:
        """The function's variables, in the contract of `rotation/settings.py`."""
        return {
            "STRATEGY": self.strategy,
            "PASSWORD_LENGTH": str(self.password_length),
            "EXCLUDE_CHARACTERS": self.exclude_characters,
            "EXCLUDE_PUNCTUATION": "true" if self.exclude_punctuation else "false",
        }


def password_settings(spec: SecretSpec) -> GenerateSpec:
    """The generate settings a rotated value follows.

    The secret's own `generate`, else its `password` field's; an external secret has none in
    the catalog and gets the defaults, minus what the handler keeps out of PostgreSQL passwords.
    """
    if spec.generate is not None:
        return spec.generate
    password = (spec.fields or {}).get("password")
    if password is not None and password.generate is not None:
        return password.generate
    if spec.rotation is not None and spec.rotation.strategy != "token":
        return GenerateSpec(exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT)
    return GenerateSpec()


def rotation_profile(spec: SecretSpec) -> RotationProfile:
    """The profile of a rotated secret, so GetRandomPassword draws what RandomPassword drew.

    pulumi_random draws punctuation from `GenerateSpec.specials` only; GetRandomPassword from
    all ASCII punctuation. So every other punctuation character is excluded, and with no
    specials at all, punctuation is turned off.
    """
    if spec.rotation is None:
        raise ValueError("rotation_profile: the secret has no rotation block")
    generate = password_settings(spec)
    specials = generate.specials
    excluded = "".join(char for char in GET_RANDOM_PASSWORD_PUNCTUATION if char not in specials)
    return RotationProfile(
        strategy=spec.rotation.strategy,
        password_length=generate.length,
        exclude_characters=excluded if specials else "",
        exclude_punctuation=not specials,
    )


def rotation_rules(rotation: RotationSpec) -> dict[str, int | str]:
    """SecretRotation's `rotation_rules`: every N days or the catalog's schedule expression."""
    if rotation.every_days is not None:
        return {"automatically_after_days": rotation.every_days}
    if rotation.schedule is None:
        raise ValueError("rotation_rules: the rotation block has neither every_days nor schedule")
    return {"schedule_expression": rotation.schedule}


def master_secrets(rotated: Mapping[str, SecretSpec]) -> list[str]:
    """The catalog names of the master secrets the alternating-users rotations log in with."""
    return sorted({spec.rotation.master for spec in rotated.values() if spec.rotation.master})


@dataclass(frozen=True)
class RotationArgs:
    role_name: str
    role_path: str
    function_name: Callable[[str], str]
    """Profile slug -> Lambda function name (`naming.rotation_function_name`)."""
    log_group_pattern: str
    """Matches the log group of every rotation function of the stack, and nothing else; one
    pattern keeps the role's log statement the same size however many functions there are."""
    rotated: Mapping[str, SecretSpec]
    """Catalog name -> spec of exactly the secrets with a rotation block."""
    secret_arns: Mapping[str, pulumi.Input[str]]
    """Catalog name -> ARN of every secret of the stack (the rotated ones and their masters)."""
    secret_full_names: Mapping[str, str]
    package: LambdaPackage
    account: AwsAccount
    key_arn: pulumi.Input[str]
    boundary_arn: pulumi.Input[str]
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
    tags: Mapping[str, str] = field(default_factory=dict)


class Rotation(pulumi.ComponentResource):
    """The rotation of every secret with a rotation block.

    One Lambda function per rotation profile (strategy, password length, excluded characters),
    each with its own log group and an invoke permission for Secrets Manager limited to this
    account; one SecretRotation per rotated secret; and the role the functions share: the four
    rotation actions on the rotated secrets, and read only on the master secrets.
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
        profiles = {secret: rotation_profile(spec) for secret, spec in args.rotated.items()}
        grants = {args.secret_full_names[secret]: args.secret_arns[secret] for secret in profiles}
        fixed = partial(
            rotation_statements,
            log_group=args.log_group_pattern,
            in_vpc=any(_in_vpc(args, profile) for profile in profiles.values()),
        )
        if masters:
            # The masters' policy takes one of the role's managed-policy slots: fail now, with
            # IAM's reason, rather than at the eleventh attachment.
            role_layout(list(grants), fixed=fixed, aws_managed=1)
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
                secret_arns=grants,
                fixed_statements=fixed,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.masters_attachment = self._master_read(name, args, masters) if masters else None
        ready = [self.role, *([self.masters_attachment] if self.masters_attachment else [])]
        self.functions, self.permissions = {}, {}
        for profile in sorted(set(profiles.values()), key=lambda profile: profile.slug):
            self._function(name, args, profile, ready=ready)
        self.rotations = {
            secret: self._rotation(
                f"{name}-{secret}",
                secret_arn=args.secret_arns[secret],
                rotation=spec.rotation,
                slug=profiles[secret].slug,
                ready=[*ready, *filter(None, [args.first_values.get(secret)])],
            )
            for secret, spec in args.rotated.items()
        }
        self.role_arn = self.role.arn
        self.function_arns = {
            args.function_name(slug): function.arn for slug, function in self.functions.items()
        }
        self.register_outputs({"roleArn": self.role_arn, "functionArns": self.function_arns})

    def _rotation(
        self,
        resource_name: str,
        *,
        secret_arn: pulumi.Input[str],
        rotation: RotationSpec,
        slug: str,
        ready: Sequence[pulumi.Resource],
    ) -> aws.secretsmanager.SecretRotation:
        return aws.secretsmanager.SecretRotation(
            resource_name,
            secret_id=secret_arn,
            rotation_lambda_arn=self.functions[slug].arn,
            rotation_rules=rotation_rules(rotation),
            # Never at deploy time: a first value is already in place, and an external secret
            # has none yet for createSecret to start from. Configuring the rotation still has
            # AWS test the function (testSecret), so the function's permissions come first.
            rotate_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permissions[slug], *ready]),
        )

    def _master_read(
        self, name: str, args: RotationArgs, masters: list[str]
    ) -> aws.iam.RolePolicyAttachment:
        """GetSecretValue and DescribeSecret on each master secret, by its exact ARN.

        A managed policy of its own, so the rotated secrets' grants keep IAM's packing.
        """
        child = pulumi.ResourceOptions(parent=self)
        policy = aws.iam.Policy(
            f"{name}-masters",
            name=f"{args.role_name}-masters",
            path=args.role_path,
            description=f"Read-only access of {args.role_name} to the master secrets",
            policy=pulumi.Output.all(*(args.secret_arns[master] for master in masters)).apply(
                lambda arns: compact(
                    document([secret_statement("ReadMasterSecrets", RUNTIME_READ, arns)])
                )
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
        profile: RotationProfile,
        *,
        ready: Sequence[pulumi.Resource],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        function_name = args.function_name(profile.slug)
        # Created by the stack, not by Lambda on first write, so that it has a retention.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-{profile.slug}-logs",
            name=naming.rotation_log_group(function_name),
            retention_in_days=args.log_retention_days,
            tags=dict(args.tags),
            opts=child,
        )
        vpc_config = (
            {
                "subnet_ids": list(args.subnet_ids),
                "security_group_ids": list(args.security_group_ids),
            }
            if _in_vpc(args, profile)
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
            # Only this account's secrets may invoke it: no confused deputy.
            source_account=args.account.account_id,
            opts=child,
        )
        self.functions[profile.slug] = function
        self.permissions[profile.slug] = permission


def _in_vpc(args: RotationArgs, profile: RotationProfile) -> bool:
    """Whether the profile's function runs in the stack's VPC: only to reach a database."""
    return bool(args.subnet_ids) and profile.strategy != "token"
