"""The catalog: every secret and service of the application, once for all environments."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from inputs.validators import ECS_NAME, ECS_NAME_ALLOWED, between, matches, valid_tags

SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,256}$")
SECRET_NAME_ALLOWED = "1-256 letters, digits and /_+=.@-"
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
SERVICE_NAME_ALLOWED = "1-32 lowercase letters, digits and -, starting with a letter"
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
CONFIG_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
FIELD_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")

PASSWORD_LENGTH = (8, 4096)
ROTATION_DAYS = (1, 1000)
GENERATION = (1, 1_000_000)
DESCRIPTION_LENGTH = 2048
RANDOM_SPECIALS = "!@#$%&*()-_=+[]{}<>:?"
"""The punctuation pulumi_random draws from; `exclude_characters` can only remove from it."""
POSTGRES_FIELDS = ("engine", "host", "port", "username", "password", "dbname")
FARGATE_MEMORY: dict[int, tuple[int, ...] | range] = {
    256: (512, 1024, 2048),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
    8192: range(16384, 61441, 4096),
    16384: range(32768, 122881, 8192),
}
"""Fargate task CPU units -> the memory sizes (MiB) Fargate accepts with them."""


SecretName = Annotated[str, matches(SECRET_NAME, SECRET_NAME_ALLOWED)]
EnvironmentName = Annotated[
    str, matches(ENVIRONMENT_NAME, "lowercase letters, digits and -, starting with a letter")
]
ConfigKey = Annotated[
    str, matches(CONFIG_KEY, "a Pulumi config key: letters, digits and _, starting with a letter")
]
EnvVarName = Annotated[
    str, matches(ENV_VAR, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
]
Tags = Annotated[dict[str, str], valid_tags]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


MSG_NO_CHARACTER_CLASS = (
    "leaves no character class to draw from: upper, lower, numeric and special are all false; "
    "set at least one of them to true"
)
MSG_NO_SPECIAL_LEFT = (
    "leaves no character class to draw from: upper, lower and numeric are false and "
    f"exclude_characters removes every special character ({RANDOM_SPECIALS}); set one of "
    "upper, lower, numeric to true or exclude fewer"
)


class GenerateSpec(_Model):
    """A value drawn by pulumi_random.RandomPassword, stable until `generation` changes.

    At least one class of character must be left: pulumi_random refuses a value with none, and
    only at `pulumi up`; this is reported with the catalog path before anything is deployed.
    """

    length: Annotated[int, between(*PASSWORD_LENGTH)] = 32
    """Characters in the value, 8-4096 (4096 is also the most Secrets Manager's own
    GetRandomPassword draws). Default: 32."""
    special: bool = True
    """Whether the value may hold punctuation from `RANDOM_SPECIALS`. Default: true."""
    upper: bool = True
    """Whether the value may hold uppercase letters A-Z (pulumi_random's `upper`; a rotation
    function is told `EXCLUDE_UPPERCASE` when false). Default: true."""
    lower: bool = True
    """Whether the value may hold lowercase letters a-z (pulumi_random's `lower`; a rotation
    function is told `EXCLUDE_LOWERCASE` when false). Default: true."""
    numeric: bool = True
    """Whether the value may hold digits 0-9 (pulumi_random's `numeric`; a rotation function is
    told `EXCLUDE_NUMBERS` when false). Default: true."""
    exclude_characters: str = ""
    """Punctuation to leave out, e.g. characters a connection string cannot hold; letters and
    digits cannot be excluded. Default: none, every character of `RANDOM_SPECIALS` may appear."""
    generation: Annotated[int, between(*GENERATION)] = 1
    """Bump to draw a new value in every environment (it is the RandomPassword's keeper),
    1-1000000. Default: 1."""

    @property
    def specials(self) -> str:
        """The punctuation a generated value may contain."""
        if not self.special:
            return ""
        return "".join(char for char in RANDOM_SPECIALS if char not in self.exclude_characters)

    @model_validator(mode="after")
    def _leaves_a_character_class(self) -> GenerateSpec:
        if self.upper or self.lower or self.numeric or self.specials:
            return self
        raise ValueError(MSG_NO_SPECIAL_LEFT if self.special else MSG_NO_CHARACTER_CLASS)


class FieldSpec(_Model):
    """One key of a JSON secret: exactly one of generate, config or value."""

    generate: GenerateSpec | None = None
    """A generated value for this key. Default: none."""
    config: ConfigKey | None = None
    """The stack config key (1-64 letters, digits and _, starting with a letter) whose secret
    value this key takes, set with `pulumi config set --secret`. Default: none."""
    value: str | int | bool | None = None
    """A literal string, whole number or boolean, stored as it is: never a secret. Default: none."""


MSG_MASTER_SHAPE = (
    "must be a catalog secret name, or a mapping of environment -> catalog secret name or "
    "secret ARN"
)
MSG_MASTER_ARN_PER_ENVIRONMENT = (
    "a secret ARN names one account and region: give it per environment, as a mapping of "
    "environment -> ARN (e.g. {prod: arn:aws:secretsmanager:...})"
)


def is_arn(reference: str) -> bool:
    """Whether a master reference is an ARN; a catalog secret name never holds ':'."""
    return reference.startswith("arn:")


def _master_reference(value: object) -> str | dict[str, str] | None:
    # One validator for the two shapes, so that a wrong value gets one message instead of one
    # per member of a union; the ARNs themselves are checked with the environments
    # (inputs/rotation_checks.py).
    if value is None:
        return None
    if isinstance(value, str):
        if is_arn(value):
            raise ValueError(MSG_MASTER_ARN_PER_ENVIRONMENT)
        if not SECRET_NAME.fullmatch(value):
            raise ValueError(f"{MSG_MASTER_SHAPE}; a name is {SECRET_NAME_ALLOWED}, got {value!r}")
        return value
    if isinstance(value, dict) and all(
        isinstance(key, str) and isinstance(reference, str) for key, reference in value.items()
    ):
        return dict(value)
    kind = "a mapping with other than strings" if isinstance(value, dict) else type(value).__name__
    raise ValueError(f"{MSG_MASTER_SHAPE}, got {kind}")


class RotationSpec(_Model):
    """How and how often Secrets Manager rotates a secret with the stack's rotation function."""

    every_days: Annotated[int, between(*ROTATION_DAYS)] | None = None
    """Rotate every N days; AWS allows 1-1000 (`AutomaticallyAfterDays`). Exactly one of
    `every_days` and `schedule`. Default: none, `schedule` is used."""
    schedule: str | None = None
    """A Secrets Manager schedule expression, `rate(N hours|days)` or `cron(...)`; AWS rotates
    at most every four hours. Default: none, `every_days` is used."""
    strategy: Literal["token", "postgres-single-user", "postgres-alternating-users"]
    """What a rotation changes: `token` draws a new string value; the postgres strategies also
    change the database role's password. Required: there is no default."""
    master: Annotated[str | dict[str, str] | None, PlainValidator(_master_reference)] = None
    """The secret whose credentials may alter the database roles; required by, and only taken
    by, `postgres-alternating-users`: a catalog secret name, or a mapping of every environment
    the secret exists in to a catalog secret name or to the full ARN of a secret the stack does
    not manage (RDS's own `rds!db-...` or `rds!cluster-...`, whose ARN differs per account).
    Default: none."""
    accept_restart_gap: bool = False
    """`postgres-single-user` only: accept that the services receiving this secret through
    `env` fail to log in from each rotation's setSecret until their tasks are replaced
    (docs/consumers.md). Default: false, and that combination is a catalog problem."""
    rds: dict[EnvironmentName, list[str]] | None = None
    """Environment -> the ARNs of the RDS DB instances (`arn:aws:rds:REGION:ACCOUNT:db:NAME`)
    and clusters (`...:cluster:NAME`) the rotation may describe there: the one whose master
    secret RDS manages, and the read replicas the secret's host may be. Only for
    `postgres-alternating-users`; required for an environment whose master is RDS's secret.
    Default: none, no RDS call is allowed."""

    def master_in(self, environment: str) -> str | None:
        """The master in `environment`: a catalog secret name, a secret ARN, or None."""
        if isinstance(self.master, dict):
            return self.master.get(environment)
        return self.master

    def rds_arns_in(self, environment: str) -> tuple[str, ...]:
        """The RDS instance and cluster ARNs the rotation may describe in `environment`."""
        return tuple((self.rds or {}).get(environment, ()))


class SecretSpec(_Model):
    """One secret, deployed as `{prefix}/{env}/{name}`: exactly one value source of generate,
    config, external and fields.

    The catalog name is 1-256 of letters, digits and /_+=.@-, so the full name stays within the
    512 characters Secrets Manager allows.
    """

    description: Annotated[str, Field(min_length=1, max_length=DESCRIPTION_LENGTH)]
    """The secret's description in AWS, 1-2048 characters (AWS's limit). Required."""
    generate: GenerateSpec | None = None
    """The value is drawn by pulumi_random. Default: none."""
    config: ConfigKey | None = None
    """The value is this stack config key's (1-64 letters, digits and _, starting with a
    letter), set with `pulumi config set --secret`. Default: none."""
    external: bool = False
    """The stack creates the secret but never writes or reads its value; it is put out of band.
    Default: false."""
    fields: dict[str, FieldSpec] | None = None
    """The value is a JSON object of these keys (1-128 of letters, digits and _.-), in catalog
    order. Default: none."""
    only_in: list[EnvironmentName] | None = None
    """The environments the secret exists in; at least one. Default: every environment."""
    tags: Tags = Field(default_factory=dict)
    """Extra tags. AWS: keys 1-128, values 0-256 characters, no `aws:` prefix, at most 50 tags
    per resource; `Project`, `Environment`, `ManagedBy` and `RotationStrategy` are set by
    app-secrets. Default: none."""
    rotation: RotationSpec | None = None
    """Automatic rotation by Secrets Manager. Default: none, the secret is never rotated."""
    replicate: bool = True
    """Whether the secret is replicated to the stack config's `replicaRegions`; false keeps it
    in the stack's own region only. Default: true."""
    share_with: dict[EnvironmentName, list[str]] = Field(default_factory=dict)
    """Environment -> the exact ARNs of IAM roles (`arn:aws:iam::ACCOUNT:role/NAME`) or account
    roots (`arn:aws:iam::ACCOUNT:root`) of other accounts that may read the secret there
    (GetSecretValue, DescribeSecret, and kms:Decrypt of it through Secrets Manager); no
    wildcards, and never the stack's own account (grant that through `services:`). Default:
    none, the secret is shared with no other account."""

    @property
    def source(self) -> str:
        """generate, config, external or fields: which of the four kinds of value this is."""
        for kind in ("generate", "config", "fields"):
            if getattr(self, kind) is not None:
                return kind
        return "external"

    def exists_in(self, environment: str) -> bool:
        return self.only_in is None or environment in self.only_in

    def shared_with_in(self, environment: str) -> tuple[str, ...]:
        """The principals of other accounts that may read the secret in `environment`."""
        return tuple(sorted(set(self.share_with.get(environment, ()))))


class TaskSpec(_Model):
    """An ECS Fargate task definition for a service.

    Fargate accepts these cpu/memory (MiB) pairs: 256 with 512, 1024 or 2048; 512 with
    1024-4096 and 1024 with 2048-8192, in steps of 1024; 2048 with 4096-16384 and 4096 with
    8192-30720, in steps of 1024; 8192 with 16384-61440 in steps of 4096; 16384 with
    32768-122880 in steps of 8192 (8192 and 16384 need Linux platform 1.4.0).
    """

    image: Annotated[str, Field(min_length=1)]
    """The container image, e.g. `public.ecr.aws/docker/library/nginx:1.27`. Required."""
    cpu: int = 256
    """Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384. Default: 256 (.25 vCPU)."""
    memory: int = 512
    """Task memory in MiB, one Fargate accepts with `cpu` (see above). Default: 512."""
    environment: dict[EnvVarName, str] = Field(default_factory=dict)
    """Plain, non-secret container variables. Default: none."""
    read_only_root: bool = True
    """The container's root filesystem is read-only (ECS.5), so a compromised process cannot
    plant files or rewrite the image's code. Set false only for an image that writes outside a
    mounted volume and cannot be told otherwise (some language runtimes write caches next to
    their code); prefer a writable volume for /tmp. Default: true."""


class ServiceSpec(_Model):
    """A consumer of secrets: its ECS roles grant exactly the secrets it references.

    The name is 1-32 of lowercase letters, digits and -, starting with a letter.
    """

    env: dict[EnvVarName, str] = Field(default_factory=dict)
    """Container variable -> `secret` or `secret:json-key`, resolved by ECS at task start.
    Default: none."""
    runtime_read: list[str] = Field(default_factory=list)
    """Secrets the running application reads itself with GetSecretValue. Default: none."""
    only_in: list[EnvironmentName] | None = None
    """The environments the service exists in; at least one. Default: every environment."""
    task: TaskSpec | None = None
    """A Fargate task definition. Default: none, the service gets roles only."""
    ecs_service: Annotated[str, matches(ECS_NAME, ECS_NAME_ALLOWED)] | None = None
    """The name of the ECS service that runs this service's tasks, in the stack config's
    `ecsClusterName` (the application's own stack usually deploys it). With both set, each
    successful rotation of a secret it receives through `env` starts a new deployment of it.
    Default: none, it is never restarted by the stack."""
    runtime_cache_seconds: Annotated[int, between(1, 86400)] = 3600
    """How long the application keeps a `runtime_read` value before reading it again: 1-86400.
    Default: 3600, aws-secretsmanager-caching's `secret_refresh_interval`."""

    def exists_in(self, environment: str) -> bool:
        return self.only_in is None or environment in self.only_in


class Catalog(_Model):
    """The whole of catalog.yaml, valid in every environment it names."""

    environments: list[EnvironmentName]
    """The environments stacks deploy (1-16 of lowercase letters, digits and -, starting with a
    letter); a stack's `environment` must be one of them. Required, at least one."""
    secrets: dict[str, SecretSpec]
    """Name -> secret. Required."""
    services: dict[str, ServiceSpec] = Field(default_factory=dict)
    """Name -> service. Default: none."""

    def secrets_in(self, environment: str) -> dict[str, SecretSpec]:
        return {name: spec for name, spec in self.secrets.items() if spec.exists_in(environment)}

    def services_in(self, environment: str) -> dict[str, ServiceSpec]:
        return {name: spec for name, spec in self.services.items() if spec.exists_in(environment)}

    def config_uses(self) -> list[tuple[str, str, str]]:
        """(stack config key, secret name, catalog path) for every `config:` entry."""
        uses = []
        for name, spec in self.secrets.items():
            if spec.config:
                uses.append((spec.config, name, f"secrets.{name}"))
            for field_name, field in (spec.fields or {}).items():
                if field.config:
                    uses.append((field.config, name, f"secrets.{name}.fields.{field_name}"))
        return uses


def split_reference(reference: str) -> tuple[str, str | None]:
    """`secret` or `secret:json-key` -> (secret, key or None). Secret names never hold ':'."""
    secret, _, key = reference.partition(":")
    return secret, key or None
