"""The one input pipeline: stack config + catalog -> validated StackInputs, or every problem.

Every door in uses it: the program under `pulumi up` (mode DEPLOY), `secretsctl plan` (PLAN)
and the commands that operate a deployed stack without reading a value (OPERATE). They differ
only in how they treat a `config:` value they do not have.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from design.detection import check_analyzer_region
from design.iam_limits import grant_size_problems, role_name_problems
from design.naming import StackNames
from design.replicas import replica_region_problems
from design.rotation_rds import external_region_problems
from inputs.catalog import Catalog, SecretSpec, ServiceSpec
from inputs.catalog_reader import read_catalog
from inputs.exceptions import InputError
from inputs.problems import problem
from inputs.sharing_checks import shared_account_problems
from inputs.stack_secrets import OfflineValues, offline_values
from inputs.stack_settings import (
    NAMESPACE,
    SETTING_KEYS,
    StackSettings,
    environment_problems,
    parse_settings,
)
from inputs.stackfile import StackConfig, StackFile, read_stack_file
from inputs.validators import AWS_REGION, REGION_ALLOWED

PLACEHOLDER = "placeholder-value-for-review"
"""Stands in for a value the offline plan cannot read, with --placeholders."""
UNREAD = "value-not-read"
"""Stands in for every `config:` value when operating: those commands never need a value."""


class Mode(enum.Enum):
    DEPLOY = "deploy"
    """Under the engine: every value must be there, decrypted, and set as a secret."""
    PLAN = "plan"
    """Offline: `secure:` values cannot be decrypted; placeholders only when asked for."""
    OPERATE = "operate"
    """Against a deployed stack: no value is read at all."""


@dataclass(frozen=True)
class StackInputs:
    catalog: Catalog
    settings: StackSettings
    region: str | None = None
    """The stack's `aws:region`, or the command's --region; None where neither is set."""

    @property
    def names(self) -> StackNames:
        return StackNames(prefix=self.settings.prefix, environment=self.settings.environment)

    @property
    def secrets(self) -> dict[str, SecretSpec]:
        """The catalog's secrets that exist in this stack's environment."""
        return self.catalog.secrets_in(self.settings.environment)

    @property
    def services(self) -> dict[str, ServiceSpec]:
        return self.catalog.services_in(self.settings.environment)

    def secret_tags(self, spec: SecretSpec) -> dict[str, str]:
        """What a secret is tagged with: the stack's, its own, the identity tags, its rotation."""
        return self.names.secret_tags(
            self.settings.tags,
            spec.tags,
            rotation_strategy=spec.rotation.strategy if spec.rotation else None,
        )


def load_stack_inputs(
    config: StackConfig,
    *,
    stack: str,
    mode: Mode,
    project_dir: Path,
    catalog_path: Path | None = None,
    region: str | None = None,
    placeholders: bool = False,
) -> tuple[StackInputs, dict[str, str], set[str]]:
    """Validates everything one stack needs; raises InputError with every problem at once.

    Returns the inputs and the `config:` values and secret keys as the mode filled them (the
    plan hands them to the program it runs). `region` overrides the stack file's.
    """
    values, secret_keys = dict(config.values), set(config.secret_keys)
    path = catalog_path or project_dir / str(values.get("catalog", "catalog.yaml"))
    catalog, catalog_problems = read_catalog(path)
    problems = [
        *config.problems,
        *_fill_values(
            catalog,
            values,
            secret_keys=secret_keys,
            environment=str(values.get("environment", stack)),
            mode=mode,
            placeholders=placeholders,
            file=config.file,
            secure_hint=config.secure_hint,
        ),
    ]
    region = region or config.region
    problems += _region_problems(region, file=config.file, mode=mode)
    if region and AWS_REGION.fullmatch(region):
        problems += external_region_problems(
            catalog,
            environment=str(values.get("environment", stack)),
            region=region,
            catalog_file=path.name,
        )
    settings = _checked_settings(
        catalog,
        values,
        secret_keys=secret_keys,
        stack=stack,
        file=config.file,
        catalog_file=path.name,
        region=region,
        problems=[*problems, *catalog_problems],
        had_catalog_problems=bool(catalog_problems),
    )
    return StackInputs(catalog=catalog, settings=settings, region=region), values, secret_keys


@dataclass(frozen=True)
class LoadedStack:
    """A stack read from its files: the inputs, and what the mode filled in for the program."""

    inputs: StackInputs
    stack_file: StackFile
    catalog_path: Path
    values: dict[str, str]
    """`config:` values and settings without the namespace, as the program should get them."""
    secret_keys: set[str]


def read_stack_inputs(
    stack: str,
    *,
    mode: Mode,
    project_dir: Path,
    stack_path: Path | None = None,
    catalog_path: Path | None = None,
    region: str | None = None,
    placeholders: bool = False,
    secret_values: Mapping[str, str] | None = None,
) -> LoadedStack:
    """`Pulumi.{stack}.yaml` (or `stack_path`) and its catalog, validated for `mode`.

    Defaults: the stack file in `project_dir`, the catalog its `catalog` key names (else
    `catalog.yaml`), the region its `aws:region`. `secret_values` are decrypted `config:`
    values (tests plant sentinels through them). Raises InputError with every problem.
    """
    stack_file = read_stack_file(stack_path or project_dir / f"Pulumi.{stack}.yaml")
    config = stack_file.stack_config()
    if mode is Mode.PLAN:
        config = _with_offline_values(config, offline_values(stack_file, os.environ))
    if secret_values:
        config = replace(
            config,
            values={**config.values, **secret_values},
            secret_keys=config.secret_keys | set(secret_values),
        )
    catalog_path = catalog_path or project_dir / str(config.values.get("catalog", "catalog.yaml"))
    inputs, values, secret_keys = load_stack_inputs(
        config,
        stack=stack,
        mode=mode,
        project_dir=project_dir,
        catalog_path=catalog_path,
        region=region,
        placeholders=placeholders,
    )
    return LoadedStack(
        inputs=inputs,
        stack_file=stack_file,
        catalog_path=catalog_path,
        values=values,
        secret_keys=secret_keys,
    )


def _with_offline_values(config: StackConfig, offline: OfflineValues) -> StackConfig:
    """The config with the values the passphrase decrypted; a key a problem already names gets a
    placeholder, so that it is reported once."""
    return replace(
        config,
        values={
            **config.values,
            **dict.fromkeys(offline.reported, PLACEHOLDER),
            **offline.values,
        },
        problems=(*config.problems, *offline.problems),
        secure_hint=offline.hint,
    )


def _region_problems(region: str | None, *, file: str, mode: Mode) -> list[str]:
    """Every mode needs the stack's region, and a real one: IAM's events reach EventBridge in
    us-east-1 only, so the alerts depend on whether the stack is elsewhere."""
    if not region:
        allowed = "or pass --region" if mode is Mode.OPERATE else "e.g. us-east-1"
        return [problem(file, "aws:region", f"is required ({allowed})")]
    if not AWS_REGION.fullmatch(region):
        return [problem(file, "aws:region", f"must be {REGION_ALLOWED}, got {region!r}")]
    return []


def _analyzer_problems(settings: StackSettings, *, region: str | None, file: str) -> list[str]:
    if not (settings.access_analyzer_arn and region):
        return []
    try:
        check_analyzer_region(settings.access_analyzer_arn, region=region)
    except ValueError as exc:
        return [f"{file}: {exc}"]
    return []


def _fill_values(
    catalog: Catalog,
    values: dict[str, Any],
    *,
    secret_keys: set[str],
    environment: str,
    mode: Mode,
    placeholders: bool,
    file: str,
    secure_hint: str,
) -> list[str]:
    """Stands in for the values the mode cannot have; a problem for each it must not fill."""
    needed = catalog.secrets_in(environment)
    problems = []
    for key, secret_name, _ in catalog.config_uses():
        if secret_name not in needed or key in values or mode is Mode.DEPLOY:
            continue
        if mode is Mode.OPERATE or placeholders:
            values[key] = UNREAD if mode is Mode.OPERATE else PLACEHOLDER
            secret_keys.add(key)
        elif key in secret_keys:
            values[key] = PLACEHOLDER
            problems.append(
                problem(
                    file,
                    f"{NAMESPACE}:{key}",
                    f"is encrypted (secure:) and cannot be decrypted offline; {secure_hint}",
                )
            )
    return problems


def _checked_settings(
    catalog: Catalog,
    values: Mapping[str, Any],
    *,
    secret_keys: set[str],
    stack: str,
    file: str,
    catalog_file: str,
    region: str | None,
    problems: list[str],
    had_catalog_problems: bool,
) -> StackSettings:
    value_keys = {key for key, _, _ in catalog.config_uses()}
    if had_catalog_problems:  # keys named by invalid entries are unknown: do not call them unknown
        value_keys |= {key for key in values if key not in SETTING_KEYS}
    try:
        settings: StackSettings | None = parse_settings(
            values, stack=stack, file=file, config_keys=value_keys
        )
    except InputError as exc:
        problems += exc.problems
        settings = None
    if settings is not None:
        problems += environment_problems(settings, catalog, file=file)
        problems += shared_account_problems(catalog, settings, catalog_file=catalog_file)
        problems += _analyzer_problems(settings, region=region, file=file)
        problems += replica_region_problems(settings, region=region, file=file)
        problems += role_name_problems(catalog, settings, catalog_file=catalog_file)
        problems += grant_size_problems(catalog, settings, catalog_file=catalog_file)
    problems += value_problems(
        catalog,
        environment=settings.environment if settings else str(values.get("environment", stack)),
        config=values,
        secret_keys=secret_keys,
        stack=stack,
        stack_file=file,
    )
    if problems:
        raise InputError(problems)
    assert settings is not None
    return settings


def value_problems(
    catalog: Catalog,
    *,
    environment: str,
    config: Mapping[str, Any],
    secret_keys: set[str],
    stack: str,
    stack_file: str,
) -> list[str]:
    """Every `config:` value the environment needs is set, and set as a secret. Never echoes one."""
    problems = []
    needed = catalog.secrets_in(environment)
    reported = set()
    for key, secret_name, named_by in catalog.config_uses():
        if secret_name not in needed or key in reported:
            continue
        reported.add(key)
        command = f"pulumi config set --secret {key} --stack {stack} (it prompts for the value)"
        if key not in config:
            problems.append(
                problem(
                    stack_file,
                    f"{NAMESPACE}:{key}",
                    f"is not set ({named_by} needs it); run: {command}",
                )
            )
        elif key not in secret_keys:
            problems.append(
                problem(
                    stack_file,
                    f"{NAMESPACE}:{key}",
                    f"is stored in plaintext ({named_by} needs a secret); run: {command}",
                )
            )
    return problems
