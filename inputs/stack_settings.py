"""Stack settings: the `app-secrets:` keys of one Pulumi.<stack>.yaml."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from inputs.catalog import ENVIRONMENT_NAME, Catalog
from inputs.exceptions import InputError
from inputs.problems import from_validation_error, problem
from inputs.validators import at_most, each_matches, matches, valid_tags

NAMESPACE = "app-secrets"
PRODUCTION = "prod"
PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
GITHUB_NAME = re.compile(r"^[A-Za-z0-9._/-]{1,255}$")
OIDC_PROVIDER_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
)
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
PLAN_ACCOUNT_ID = "123456789012"
"""The account the offline plan assumes when the stack sets no `accountId`."""


def _engine_json(value: Any) -> Any:
    """The engine hands structured config (maps, lists) to the program as JSON text."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    return value


def _recovery_window(days: int) -> int:
    if days != 0 and not 7 <= days <= 30:
        raise ValueError(f"must be 0 (delete at once) or between 7 and 30, got {days}")
    return days


def _log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}, got {days}")
    return days


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/\S*)?$")
SUBNET_ID = re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
SECURITY_GROUP_ID = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(user|role)/[\w+=,.@/-]{1,512}$")


class StackSettings(BaseModel):
    """Typed stack config. Values named by the catalog's `config:` entries are not held here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    prefix: Annotated[
        str, matches(PREFIX, "1-24 lowercase letters, digits and -, starting with a letter")
    ]
    environment: Annotated[
        str, matches(ENVIRONMENT_NAME, "lowercase letters, digits and -, starting with a letter")
    ]
    tags: Annotated[dict[str, str], BeforeValidator(_engine_json), valid_tags] = Field(
        default_factory=dict
    )
    recovery_window_days: Annotated[int, AfterValidator(_recovery_window)] = Field(
        30, alias="recoveryWindowDays"
    )
    """Days a deleted secret can be restored. 0 deletes at once (dev only); AWS allows 7-30."""
    protect: bool | None = None
    """Pulumi `protect` on the key and the secrets. Default: on in prod, off elsewhere."""
    account_id: Annotated[str, matches(ACCOUNT_ID, "12 digits")] | None = Field(
        None, alias="accountId"
    )
    """The AWS account the offline plan assumes; `pulumi up` asks AWS instead."""
    catalog: str = "catalog.yaml"
    """The catalog file, relative to the project root."""
    github_repository: (
        Annotated[str, matches(GITHUB_REPOSITORY, "OWNER/REPO, without wildcards")] | None
    ) = Field(None, alias="githubRepository")
    """The repository whose Actions may assume ci-preview and ci-deploy. Unset: no CI roles."""
    github_deploy_branch: Annotated[str, matches(GITHUB_NAME, "a branch name")] = Field(
        "main", alias="githubDeployBranch"
    )
    """The branch whose workflow runs may assume ci-deploy. Default: main."""
    github_deploy_environment: (
        Annotated[str, matches(GITHUB_NAME, "a GitHub environment name")] | None
    ) = Field(None, alias="githubDeployEnvironment")
    """When set, ci-deploy trusts jobs of this GitHub environment instead of the branch."""
    github_oidc_provider_arn: (
        Annotated[
            str,
            matches(
                OIDC_PROVIDER_ARN, "the ARN of the token.actions.githubusercontent.com provider"
            ),
        ]
        | None
    ) = Field(None, alias="githubOidcProviderArn")
    """An existing GitHub OIDC provider (one per account). Unset: the stack creates it."""
    log_retention_days: Annotated[int, AfterValidator(_log_retention)] = Field(
        30, alias="logRetentionDays"
    )
    """Retention of the log groups the stack creates. Default: 30."""
    alerting: bool = True
    """SNS topic + EventBridge rules on the stack's Secrets Manager events. Default: on."""
    alert_emails: Annotated[
        list[str],
        BeforeValidator(_engine_json),
        each_matches(EMAIL, "an email address such as security@example.com", echo=True),
    ] = Field(default_factory=list, alias="alertEmails")
    """Email subscriptions of the alert topic (each confirms by mail). Default: none."""
    alert_https_endpoints: Annotated[
        list[str],
        BeforeValidator(_engine_json),
        each_matches(HTTPS_URL, "an https:// URL", echo=False),
    ] = Field(default_factory=list, alias="alertHttpsEndpoints")
    """HTTPS subscriptions of the alert topic. Stored in the clear: no URL with a token in it."""
    create_trail: bool = Field(False, alias="createTrail")
    """A CloudTrail trail and its bucket. Default: off (use the account's or organization's)."""
    break_glass_principals: Annotated[
        list[str],
        BeforeValidator(_engine_json),
        each_matches(PRINCIPAL_ARN, "an IAM user or role ARN, without wildcards", echo=True),
    ] = Field(default_factory=list, alias="breakGlassPrincipals")
    """Who may assume the break-glass role (with MFA). Default: none, and no role."""
    rotation_subnet_ids: Annotated[
        list[str],
        BeforeValidator(_engine_json),
        each_matches(SUBNET_ID, "a subnet id such as subnet-0123456789abcdef0", echo=True),
        at_most(16, "subnets per function"),
    ] = Field(default_factory=list, alias="rotationSubnetIds")
    """Subnets the PostgreSQL rotation functions run in, to reach the database. Lambda allows 16.
    Default: none, the functions run outside any VPC."""
    rotation_security_group_ids: Annotated[
        list[str],
        BeforeValidator(_engine_json),
        each_matches(
            SECURITY_GROUP_ID, "a security group id such as sg-0123456789abcdef0", echo=True
        ),
        at_most(5, "security groups per function"),
    ] = Field(default_factory=list, alias="rotationSecurityGroupIds")
    """Security groups of the rotation functions, set with rotationSubnetIds. Lambda allows 5.
    Default: none."""

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def protected(self) -> bool:
        return self.is_production if self.protect is None else self.protect

    @property
    def key_deletion_window_days(self) -> int:
        """KMS keys wait 7-30 days before deletion: the recovery window, but at least 7."""
        return max(7, self.recovery_window_days)


SETTING_KEYS = tuple(field.alias or name for name, field in StackSettings.model_fields.items())


def parse_settings(
    values: Mapping[str, Any], *, stack: str, file: str, config_keys: Collection[str] = ()
) -> StackSettings:
    """Validates the stack's `app-secrets:` keys (namespace stripped).

    `config_keys` are the value keys the catalog names; they are allowed beside the settings
    and never echoed in an error, since they hold secrets.
    """
    settings_values = {key: value for key, value in values.items() if key not in config_keys}
    settings_values.setdefault("environment", stack)
    problems = []
    for key in list(settings_values):
        if key not in SETTING_KEYS:
            allowed = ", ".join(SETTING_KEYS)
            problems.append(
                problem(
                    file,
                    f"{NAMESPACE}:{key}",
                    f"unknown key; allowed: {allowed}, and the config: keys the catalog names",
                )
            )
            del settings_values[key]
    try:
        settings = StackSettings.model_validate(settings_values)
    except ValidationError as exc:
        problems += from_validation_error(
            exc,
            file=file,
            path="",
            model=StackSettings,
            echo_input=False,
            key_prefix=f"{NAMESPACE}:",
        )
        settings = None
    if settings is not None and settings.is_production and settings.recovery_window_days == 0:
        problems.append(
            problem(
                file,
                f"{NAMESPACE}:recoveryWindowDays",
                "must be between 7 and 30 in prod, got 0 (a deleted secret could not be restored)",
            )
        )
    if settings is not None and settings.break_glass_principals and not settings.alerting:
        problems.append(
            problem(
                file,
                f"{NAMESPACE}:alerting",
                "must be true while breakGlassPrincipals is set: every use of the break-glass "
                "role must raise an alert",
            )
        )
    if settings is not None:
        problems += _rotation_vpc_problems(settings, file=file)
    if problems:
        raise InputError(problems)
    assert settings is not None
    return settings


def _rotation_vpc_problems(settings: StackSettings, *, file: str) -> list[str]:
    """A function in a VPC needs subnets and security groups: both keys, or neither."""
    subnets, groups = settings.rotation_subnet_ids, settings.rotation_security_group_ids
    if bool(subnets) == bool(groups):
        return []
    present, absent = (
        ("rotationSubnetIds", "rotationSecurityGroupIds")
        if subnets
        else ("rotationSecurityGroupIds", "rotationSubnetIds")
    )
    return [
        problem(
            file,
            f"{NAMESPACE}:{absent}",
            f"is required when {present} is set: a rotation function in a VPC needs both "
            "subnets and security groups (or set neither to run it outside any VPC)",
        )
    ]


def environment_problems(settings: StackSettings, catalog: Catalog, *, file: str) -> list[str]:
    if settings.environment in catalog.environments:
        return []
    known = ", ".join(catalog.environments)
    return [
        problem(
            file,
            f"{NAMESPACE}:environment",
            f"{settings.environment!r} is not an environment of the catalog; known: {known}",
        )
    ]
