"""Stack settings: the `app-secrets:` keys of one Pulumi.<stack>.yaml."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from components.catalog import ENVIRONMENT_NAME, Catalog, tag_problem
from components.exceptions import InputError
from components.problems import from_validation_error, problem

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


def _json_object(value: Any) -> Any:
    """The engine hands structured config to the program as JSON text."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    return value


def _pattern(pattern: re.Pattern[str], allowed: str):
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"must be {allowed}, got {value!r}")
        return value

    return AfterValidator(check)


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    problems = [text for key, value in tags.items() if (text := tag_problem(key, value))]
    if problems:
        raise ValueError("; ".join(problems))
    return tags


def _recovery_window(days: int) -> int:
    if days != 0 and not 7 <= days <= 30:
        raise ValueError(f"must be 0 (delete at once) or between 7 and 30, got {days}")
    return days


def _log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}, got {days}")
    return days


class StackSettings(BaseModel):
    """Typed stack config. Values named by the catalog's `config:` entries are not held here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    prefix: Annotated[
        str, _pattern(PREFIX, "1-24 lowercase letters, digits and -, starting with a letter")
    ]
    environment: Annotated[
        str, _pattern(ENVIRONMENT_NAME, "lowercase letters, digits and -, starting with a letter")
    ]
    tags: Annotated[dict[str, str], BeforeValidator(_json_object), AfterValidator(_check_tags)] = (
        Field(default_factory=dict)
    )
    recovery_window_days: Annotated[int, AfterValidator(_recovery_window)] = Field(
        30, alias="recoveryWindowDays"
    )
    """Days a deleted secret can be restored. 0 deletes at once (dev only); AWS allows 7-30."""
    protect: bool | None = None
    """Pulumi `protect` on the key and the secrets. Default: on in prod, off elsewhere."""
    account_id: Annotated[str, _pattern(ACCOUNT_ID, "12 digits")] | None = Field(
        None, alias="accountId"
    )
    """The AWS account the offline plan assumes; `pulumi up` asks AWS instead."""
    catalog: str = "catalog.yaml"
    """The catalog file, relative to the project root."""
    github_repository: (
        Annotated[str, _pattern(GITHUB_REPOSITORY, "OWNER/REPO, without wildcards")] | None
    ) = Field(None, alias="githubRepository")
    """The repository whose Actions may assume ci-preview and ci-deploy. Unset: no CI roles."""
    github_deploy_branch: Annotated[str, _pattern(GITHUB_NAME, "a branch name")] = Field(
        "main", alias="githubDeployBranch"
    )
    """The branch whose workflow runs may assume ci-deploy. Default: main."""
    github_deploy_environment: (
        Annotated[str, _pattern(GITHUB_NAME, "a GitHub environment name")] | None
    ) = Field(None, alias="githubDeployEnvironment")
    """When set, ci-deploy trusts jobs of this GitHub environment instead of the branch."""
    github_oidc_provider_arn: (
        Annotated[
            str,
            _pattern(
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

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def protected(self) -> bool:
        return self.is_production if self.protect is None else self.protect

    @property
    def secret_path(self) -> str:
        """Every secret of the stack is named under this path."""
        return f"{self.prefix}/{self.environment}/"


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
    if problems:
        raise InputError(problems)
    assert settings is not None
    return settings


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
