"""Rotation decisions: profiles of the rotation functions, schedules and the functions' grants."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass

from design.arns import Account, log_group_arn
from design.iam import KMS_ENCRYPT_DECRYPT, kms_via_secrets_manager
from inputs.catalog import GenerateSpec, RotationSpec, SecretSpec
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


@dataclass(frozen=True)
class RotatedSecret:
    """What the stack deploys for one rotated secret."""

    profile: RotationProfile
    """Which rotation function rotates it."""
    rules: dict[str, int | str]
    """SecretRotation's `rotation_rules`."""
    master: str | None = None
    """The catalog name of the master secret an alternating-users rotation logs in with."""


def rotated_secrets(secrets: Mapping[str, SecretSpec]) -> dict[str, RotatedSecret]:
    """Catalog name -> RotatedSecret, for the secrets with a rotation block."""
    return {
        name: RotatedSecret(
            profile=rotation_profile(spec),
            rules=rotation_rules(spec.rotation),
            master=spec.rotation.master,
        )
        for name, spec in secrets.items()
        if spec.rotation is not None
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
