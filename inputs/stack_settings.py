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
from inputs.validators import (
    AWS_REGION,
    ECS_NAME,
    ECS_NAME_ALLOWED,
    at_most,
    each_matches,
    matches,
    valid_tags,
)

NAMESPACE = "app-secrets"
PRODUCTION = "prod"
PROD_LOG_RETENTION_DAYS = 365
LOG_RETENTION_DEFAULT_DAYS = 30
PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
GITHUB_NAME = re.compile(r"^[A-Za-z0-9._/-]{1,255}$")
OIDC_PROVIDER_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
)
ACCESS_ANALYZER_ARN = re.compile(
    rf"^arn:aws[a-z-]*:access-analyzer:{AWS_REGION.pattern[1:-1]}:\d{{12}}:"
    r"analyzer/[A-Za-z][A-Za-z0-9_.-]{0,254}$"
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


def _config_list(
    pattern: re.Pattern[str], allowed: str, *, echo: bool, most: tuple[int, str] | None = None
) -> Any:
    """A list setting: JSON text from the engine, every item matching `pattern`."""
    checks = [each_matches(pattern, allowed, echo=echo)]
    if most is not None:
        checks.append(at_most(*most))
    return Annotated[list[str], BeforeValidator(_engine_json), *checks]


EmailList = _config_list(EMAIL, "an email address such as security@example.com", echo=True)
HttpsUrlList = _config_list(HTTPS_URL, "an https:// URL", echo=False)
PrincipalArnList = _config_list(
    PRINCIPAL_ARN, "an IAM user or role ARN, without wildcards", echo=True
)
SubnetIdList = _config_list(
    SUBNET_ID,
    "a subnet id such as subnet-0123456789abcdef0",
    echo=True,
    most=(16, "subnets per function"),
)
RegionList = _config_list(AWS_REGION, "an AWS region such as eu-west-1", echo=True)


def _no_duplicates(values: list[str]) -> list[str]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"must list each region once; repeated: {', '.join(repeated)}")
    return values


SecurityGroupIdList = _config_list(
    SECURITY_GROUP_ID,
    "a security group id such as sg-0123456789abcdef0",
    echo=True,
    most=(5, "security groups per function"),
)


class StackSettings(BaseModel):
    """Typed stack config. Values named by the catalog's `config:` entries are not held here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    prefix: Annotated[
        str, matches(PREFIX, "1-24 lowercase letters, digits and -, starting with a letter")
    ]
    """The first part of every name: secrets `{prefix}/{env}/{name}`, roles and the key alias
    `{prefix}-{env}-...`; 1-24 lowercase letters, digits and -, starting with a letter (so role
    names stay within IAM's 64 characters). Required."""
    environment: Annotated[
        str, matches(ENVIRONMENT_NAME, "lowercase letters, digits and -, starting with a letter")
    ]
    """The catalog environment this stack deploys; one of the catalog's `environments`.
    Default: the stack name (set by parse_settings)."""
    tags: Annotated[dict[str, str], BeforeValidator(_engine_json), valid_tags] = Field(
        default_factory=dict
    )
    """Merged into every resource's tags. AWS: keys 1-128, values 0-256 characters, no `aws:`
    prefix; `Project`, `Environment`, `ManagedBy` and `RotationStrategy` are set by app-secrets.
    Default: none."""
    recovery_window_days: Annotated[int, AfterValidator(_recovery_window)] = Field(
        30, alias="recoveryWindowDays"
    )
    """Days a deleted secret can be restored: AWS allows 7-30, or 0 to delete at once (not in
    prod). The KMS key waits the same, but at least 7 days. Default: 30."""
    protect: bool | None = None
    """Pulumi `protect` on the key and the secrets. Default: on in prod, off elsewhere."""
    account_id: Annotated[str, matches(ACCOUNT_ID, "12 digits")] | None = Field(
        None, alias="accountId"
    )
    """The AWS account the offline plan assumes (12 digits); `pulumi up` asks AWS instead.
    Default: none, the plan assumes `PLAN_ACCOUNT_ID` (123456789012)."""
    catalog: str = "catalog.yaml"
    """The catalog file, relative to the project root. Default: catalog.yaml."""
    github_repository: (
        Annotated[str, matches(GITHUB_REPOSITORY, "OWNER/REPO, without wildcards")] | None
    ) = Field(None, alias="githubRepository")
    """`OWNER/REPO`, the repository whose Actions may assume ci-preview and ci-deploy.
    Default: none, and no CI roles."""
    github_deploy_branch: Annotated[str, matches(GITHUB_NAME, "a branch name")] = Field(
        "main", alias="githubDeployBranch"
    )
    """The branch whose workflow runs may assume ci-deploy. Default: main."""
    github_deploy_environment: (
        Annotated[str, matches(GITHUB_NAME, "a GitHub environment name")] | None
    ) = Field(None, alias="githubDeployEnvironment")
    """When set, ci-deploy trusts jobs of this GitHub environment instead of the branch.
    Default: none, ci-deploy trusts `githubDeployBranch`."""
    github_oidc_provider_arn: (
        Annotated[
            str,
            matches(
                OIDC_PROVIDER_ARN, "the ARN of the token.actions.githubusercontent.com provider"
            ),
        ]
        | None
    ) = Field(None, alias="githubOidcProviderArn")
    """An existing GitHub OIDC provider; an account holds one, so the second stack in an account
    sets it. Default: none, the stack creates the provider (when `githubRepository` is set)."""
    log_retention_days: Annotated[int, AfterValidator(_log_retention)] | None = Field(
        None, alias="logRetentionDays"
    )
    """Days the log groups the stack creates keep events; one of CloudWatch Logs' retention
    values (1, 3, 5, 7, 14, 30, ... 3653). Default: 365 in prod (audits ask a year), 30
    elsewhere; see `log_retention`."""
    alerting: bool = True
    """SNS topic + EventBridge rules on the stack's Secrets Manager events; must be on while
    `breakGlassPrincipals` is set. Default: true."""
    alert_emails: EmailList = Field(default_factory=list, alias="alertEmails")
    """Email subscriptions of the alert topic (each confirms by mail). Default: none."""
    alert_https_endpoints: HttpsUrlList = Field(default_factory=list, alias="alertHttpsEndpoints")
    """HTTPS subscriptions of the alert topic. Stored in the clear: no URL with a token in it
    (problems name an item by position, never echo it). Default: none."""
    create_trail: bool = Field(False, alias="createTrail")
    """A multi-region CloudTrail trail and its bucket; at most one stack per account.
    Default: false (use the account's or the organization's trail)."""
    break_glass_principals: PrincipalArnList = Field(
        default_factory=list, alias="breakGlassPrincipals"
    )
    """Who may assume the break-glass role (with MFA). Default: none, and no role."""
    access_analyzer_arn: (
        Annotated[
            str,
            matches(
                ACCESS_ANALYZER_ARN,
                "the ARN of an IAM Access Analyzer analyzer, "
                "arn:aws:access-analyzer:REGION:ACCOUNT:analyzer/NAME",
            ),
        ]
        | None
    ) = Field(None, alias="accessAnalyzerArn")
    """An existing analyzer in the stack's region (an organization's, or another stack's) whose
    findings alert; AWS allows one account analyzer per account and region. Default: none, the
    stack creates an ACCOUNT analyzer (when `alerting` is on)."""
    ecs_cluster_name: Annotated[str, matches(ECS_NAME, ECS_NAME_ALLOWED)] | None = Field(
        None, alias="ecsClusterName"
    )
    """The ECS cluster, in the stack's account and region, that runs the services the catalog
    names with `ecs_service`; usually deployed by the application's own stack. With both set,
    each successful rotation of a secret a service receives through `env` starts a new
    deployment of that service. Default: none, nothing is restarted."""
    rotation_subnet_ids: SubnetIdList = Field(default_factory=list, alias="rotationSubnetIds")
    """Subnets the PostgreSQL rotation functions run in, to reach the database. Lambda allows 16.
    Default: none, the functions run outside any VPC."""
    rotation_security_group_ids: SecurityGroupIdList = Field(
        default_factory=list, alias="rotationSecurityGroupIds"
    )
    """Security groups of the rotation functions, set with rotationSubnetIds. Lambda allows 5.
    Default: none."""

    replica_regions: Annotated[RegionList, AfterValidator(_no_duplicates)] = Field(
        default_factory=list, alias="replicaRegions"
    )
    """Regions every secret of the stack (but those with `replicate: false`) is replicated to
    for disaster recovery, each encrypted with a replica of the stack's multi-region replica
    key; each a region code other than the stack's own, listed once. Default: none, no
    replica (and no replica key)."""

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def log_retention(self) -> int:
        """`logRetentionDays`, else 365 days in prod and 30 elsewhere."""
        if self.log_retention_days is not None:
            return self.log_retention_days
        return PROD_LOG_RETENTION_DAYS if self.is_production else LOG_RETENTION_DEFAULT_DAYS

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
    problems = _unknown_key_problems(settings_values, file=file)
    settings_values = {key: value for key, value in settings_values.items() if key in SETTING_KEYS}
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
        raise InputError(problems) from exc
    problems += _cross_key_problems(settings, file=file)
    if problems:
        raise InputError(problems)
    return settings


def _unknown_key_problems(values: Mapping[str, Any], *, file: str) -> list[str]:
    allowed = ", ".join(SETTING_KEYS)
    return [
        problem(
            file,
            f"{NAMESPACE}:{key}",
            f"unknown key; allowed: {allowed}, and the config: keys the catalog names",
        )
        for key in values
        if key not in SETTING_KEYS
    ]


def _cross_key_problems(settings: StackSettings, *, file: str) -> list[str]:
    """Rules between keys, or between a key and the environment."""
    problems = []
    if settings.is_production and settings.recovery_window_days == 0:
        problems.append(
            problem(
                file,
                f"{NAMESPACE}:recoveryWindowDays",
                "must be between 7 and 30 in prod, got 0 (a deleted secret could not be restored)",
            )
        )
    if settings.break_glass_principals and not settings.alerting:
        problems.append(
            problem(
                file,
                f"{NAMESPACE}:alerting",
                "must be true while breakGlassPrincipals is set: every use of the break-glass "
                "role must raise an alert",
            )
        )
    return problems + _rotation_vpc_problems(settings, file=file)


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
