"""Rotation decisions: profiles of the rotation functions, schedules and the functions' grants."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from design.arns import Account, log_group_arn
from design.iam import KMS_ENCRYPT_DECRYPT, kms_via_secrets_manager
from inputs.catalog import GenerateSpec, RotationSpec, SecretSpec, is_arn
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT

RUNTIME = "python3.11"
HANDLER = "handler.lambda_handler"
"""The package is flat: `rotation/handler.py` sits at the zip's root."""
TIMEOUT_SECONDS = 30
RESERVED_CONCURRENCY = 5
"""Invocations one rotation function may run at once. Secrets Manager runs the four steps of one
rotation one after another, so a rotation never needs more than one; a function serves every
secret of its profile, and 5 lets that many rotate together (a schedule shared by many
secrets), while a flood of invocations can neither take the account's concurrency nor open
more than 5 connections to a database at once. A throttled step fails that rotation, which
alerts (rotation-failed) and is retried at the next window."""
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
    """How one rotation function draws new values; secrets with equal profiles share it.

    One field per GetRandomPassword argument; the defaults are AWS's templates'.
    """

    strategy: str
    """The rotation strategy, `RotationSpec.strategy`. Required."""
    password_length: int
    """Characters in a new value. Required."""
    exclude_characters: str
    """Every punctuation character a new value must not contain. Required."""
    exclude_punctuation: bool
    """Whether a new value has no punctuation at all. Required."""
    exclude_numbers: bool = False
    """Whether a new value has no digits. @default False"""
    exclude_uppercase: bool = False
    """Whether a new value has no uppercase letters. @default False"""
    exclude_lowercase: bool = False
    """Whether a new value has no lowercase letters. @default False"""
    require_each_included_type: bool = True
    """Whether a new value holds every class it may hold. @default True"""

    _SLUG_FIELDS: ClassVar[tuple[str, ...]] = (
        "strategy",
        "password_length",
        "exclude_characters",
        "exclude_punctuation",
    )
    """The fields the first profiles had, hashed as the plain list they always were."""

    @property
    def slug(self) -> str:
        """`{strategy}-{6 hex}`: stable for the same profile, so the function keeps its name."""
        digest = hashlib.sha256(json.dumps(self._slug_key()).encode()).hexdigest()[:6]
        return f"{STRATEGY_SLUGS[self.strategy]}-{digest}"

    def _slug_key(self) -> list[Any]:
        # The slug is part of the function's name and of its Pulumi resource name, so a new slug
        # deletes the deployed function and creates another. The first fields are hashed as the
        # list they were before any field was added; a field added since joins the list, by name,
        # only when it is off its default. So a profile that the older fields could describe
        # (every committed one) keeps its slug, and one that uses a new field gets its own.
        key: list[Any] = [getattr(self, name) for name in self._SLUG_FIELDS]
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name not in self._SLUG_FIELDS and value != field.default:
                key.append([field.name, value])
        return key

    def environment(self) -> dict[str, str]:
        """The function's variables, in the contract of `rotation/settings.py`.

        Every variable is set, defaults too, so neither the handler's defaults nor a change to
        them decides what a deployed function draws.
        """
        flags = {
            "EXCLUDE_PUNCTUATION": self.exclude_punctuation,
            "EXCLUDE_NUMBERS": self.exclude_numbers,
            "EXCLUDE_UPPERCASE": self.exclude_uppercase,
            "EXCLUDE_LOWERCASE": self.exclude_lowercase,
            "REQUIRE_EACH_INCLUDED_TYPE": self.require_each_included_type,
        }
        return {
            "STRATEGY": self.strategy,
            "PASSWORD_LENGTH": str(self.password_length),
            "EXCLUDE_CHARACTERS": self.exclude_characters,
            **{name: "true" if value else "false" for name, value in flags.items()},
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
    specials at all, punctuation is turned off. A class of letters or digits the catalog turns
    off (`upper`, `lower`, `numeric`) is excluded; GetRandomPassword's requirement of each
    class left stays on, as in AWS's templates.
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
        exclude_numbers=not generate.numeric,
        exclude_uppercase=not generate.upper,
        exclude_lowercase=not generate.lower,
    )


def rotation_rules(rotation: RotationSpec) -> dict[str, int | str]:
    """SecretRotation's `rotation_rules`: every N days or the catalog's schedule expression."""
    if rotation.every_days is not None:
        return {"automatically_after_days": rotation.every_days}
    if rotation.schedule is None:
        raise ValueError("rotation_rules: the rotation block has neither every_days nor schedule")
    return {"schedule_expression": rotation.schedule}


@dataclass(frozen=True)
class RotatedSecret:
    """What the stack deploys for one rotated secret."""

    profile: RotationProfile
    """Which rotation function rotates it."""
    rules: dict[str, int | str]
    """SecretRotation's `rotation_rules`."""
    master: str | None = None
    """The catalog name of the master secret an alternating-users rotation logs in with.
    @default None: no master, or one the stack does not manage (`master_arn`)."""
    master_arn: str | None = None
    """The ARN of the master secret when the stack does not manage it (RDS's own), in this
    environment. @default None"""
    rds_arns: tuple[str, ...] = ()
    """The RDS instances and clusters its rotation may describe, in this environment.
    @default none"""
    rotate_immediately: bool = False
    """Whether SecretRotation rotates at once, to make the first value (`rotates_first_value`).
    @default False: the first value is already in place, or is put by hand (external)."""


def rotated_secrets(
    secrets: Mapping[str, SecretSpec], *, environment: str | None = None
) -> dict[str, RotatedSecret]:
    """Catalog name -> RotatedSecret, for the secrets with a rotation block.

    `environment` picks each master and RDS list the catalog gives per environment; without
    it, such a catalog is refused.
    """
    return {
        name: RotatedSecret(
            profile=rotation_profile(spec),
            rules=rotation_rules(spec.rotation),
            rotate_immediately=rotates_first_value(spec),
            **_masters(spec.rotation, environment=environment),
        )
        for name, spec in secrets.items()
        if spec.rotation is not None
    }


def rotates_first_value(spec: SecretSpec) -> bool:
    """Whether the secret's first value is made by its own rotation function, in AWS.

    True for a generated `token` secret: the function draws values exactly as RandomPassword
    would, so the stack declares neither a RandomPassword nor a SecretVersion for it, and no value
    of the secret is ever in Pulumi's state, a plan or a CI log. It also removes the failure in
    which the version Pulumi tracked is deleted after many rotations and `pulumi up` writes the
    old value back. PostgreSQL secrets keep a first value from the stack: the function can only
    rotate a login that already works.
    """
    return (
        spec.generate is not None
        and spec.rotation is not None
        and spec.rotation.strategy == "token"
    )


def _masters(rotation: RotationSpec, *, environment: str | None) -> dict[str, Any]:
    """RotatedSecret's master, master_arn and rds_arns in `environment`."""
    if environment is None:
        if isinstance(rotation.master, dict) or rotation.rds:
            raise ValueError(
                "rotated_secrets: the catalog gives masters or RDS databases per environment; "
                "pass the environment"
            )
        return {"master": rotation.master}
    master = rotation.master_in(environment)
    external = master is not None and is_arn(master)
    return {
        "master": None if external else master,
        "master_arn": master if external else None,
        "rds_arns": rotation.rds_arns_in(environment),
    }


def master_secrets(rotated: Mapping[str, RotatedSecret]) -> list[str]:
    """The catalog names of the master secrets the alternating-users rotations log in with."""
    return sorted({secret.master for secret in rotated.values() if secret.master})


def rotation_invoke_source_arn(account: Account, secret_path: str) -> str:
    """The secrets whose rotation may invoke a function: the stack's own, by ARN prefix.

    Secrets Manager invokes as `secretsmanager.amazonaws.com` for the secret being rotated,
    passed as `aws:SourceArn`: with `aws:SourceAccount`, neither another account's secret nor
    another stack's can have the function rotate it (the confused deputy).
    """
    return account.arn("secretsmanager", f"secret:{secret_path}*")


def in_vpc(profile: RotationProfile, subnet_ids: Sequence[str]) -> bool:
    """Whether the profile's function runs in the stack's VPC: only to reach a database."""
    return bool(subnet_ids) and profile.strategy != "token"


def generate_passwords() -> dict:
    """GetRandomPassword supports no resource-level permission: it is the one action on `*`."""
    return {
        "Sid": "GeneratePasswords",
        "Effect": "Allow",
        "Action": "secretsmanager:GetRandomPassword",
        "Resource": "*",
    }


@dataclass(frozen=True)
class RotationNetwork:
    """The subnets and security groups the database rotation functions run in."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


WIDEST_NETWORK = RotationNetwork(
    subnet_ids=tuple(f"subnet-{index:017x}" for index in range(16)),
    security_group_ids=tuple(f"sg-{index:017x}" for index in range(5)),
)
"""Lambda's most (16 subnets, 5 security groups), for sizing a role before it is declared."""


def rotation_in_vpc(account: Account, network: RotationNetwork) -> list[dict]:
    """What Lambda needs to attach a function to the stack's subnets, and nowhere else.

    A new interface is created in exactly those subnets with exactly those groups; an existing
    one is changed or deleted only when `ec2:Subnet` is one of them (the subnet pins its VPC).
    DescribeNetworkInterfaces supports no resource, so it alone is on `*`.
    """
    subnets = [account.arn("ec2", f"subnet/{subnet}") for subnet in network.subnet_ids]
    groups = [account.arn("ec2", f"security-group/{group}") for group in network.security_group_ids]
    interfaces = account.arn("ec2", "network-interface/*")
    return [
        {
            "Sid": "CreateRotationInterfaces",
            "Effect": "Allow",
            "Action": "ec2:CreateNetworkInterface",
            "Resource": [interfaces, *subnets, *groups],
        },
        {
            "Sid": "ManageRotationInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:AssignPrivateIpAddresses",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": interfaces,
            "Condition": {"ArnEquals": {"ec2:Subnet": subnets}},
        },
        {
            "Sid": "DescribeRotationInterfaces",
            "Effect": "Allow",
            "Action": "ec2:DescribeNetworkInterfaces",
            "Resource": "*",
        },
    ]


def rotation_statements(
    account: Account, key_arn: str, *, log_group: str, network: RotationNetwork | None = None
) -> list[dict]:
    """The rotation Lambda's statements besides its secret grant (see ROTATION_ACTIONS).

    `log_group` may be a pattern covering every rotation function's group; `network` adds the
    network interface actions a function in a VPC needs.
    """
    return [
        generate_passwords(),
        kms_via_secrets_manager(key_arn, account.region, actions=KMS_ENCRYPT_DECRYPT),
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": log_group_arn(account, log_group),
        },
        *(rotation_in_vpc(account, network) if network else []),
    ]
