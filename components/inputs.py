"""The validated inputs of one stack: catalog + stack settings + which values are set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.catalog import Catalog, SecretSpec, ServiceSpec, read_catalog, split_reference
from components.exceptions import InputError
from components.grants import Account, PolicyTooLargeError, rotation_statements
from components.naming import ROLE_NAME_LIMIT, secret_full_name, service_role_name
from components.problems import problem
from components.roles import role_layout
from components.settings import (
    NAMESPACE,
    SETTING_KEYS,
    StackSettings,
    environment_problems,
    parse_settings,
)


@dataclass(frozen=True)
class StackInputs:
    catalog: Catalog
    settings: StackSettings

    @property
    def secrets(self) -> dict[str, SecretSpec]:
        """The catalog's secrets that exist in this stack's environment."""
        return self.catalog.secrets_in(self.settings.environment)

    @property
    def services(self) -> dict[str, ServiceSpec]:
        return self.catalog.services_in(self.settings.environment)


def load_inputs(
    *,
    project_dir: Path,
    stack: str,
    stack_file: str,
    config: Mapping[str, Any],
    secret_keys: set[str],
    catalog_path: Path | None = None,
    earlier_problems: Sequence[str] = (),
) -> StackInputs:
    """Validates everything one stack needs; raises InputError with every problem at once.

    `config` holds the stack's `app-secrets:` keys without the namespace; `secret_keys` are
    those of them that are Pulumi secrets (set with `pulumi config set --secret`).
    `earlier_problems`, found by the caller (e.g. in the stack file), are reported first.
    """
    path = catalog_path or project_dir / str(config.get("catalog", "catalog.yaml"))
    catalog, catalog_problems = read_catalog(path)
    problems = [*earlier_problems, *catalog_problems]
    value_keys = {key for key, _, _ in catalog.config_uses()}
    if catalog_problems:  # keys named by invalid entries are unknown: do not call them unknown
        value_keys |= {key for key in config if key not in SETTING_KEYS}
    try:
        settings: StackSettings | None = parse_settings(
            config, stack=stack, file=stack_file, config_keys=value_keys
        )
    except InputError as exc:
        problems += exc.problems
        settings = None
    if settings is not None:
        problems += environment_problems(settings, catalog, file=stack_file)
        problems += role_name_problems(catalog, settings, catalog_file=path.name)
        problems += grant_size_problems(catalog, settings, catalog_file=path.name)
    problems += value_problems(
        catalog,
        environment=settings.environment if settings else str(config.get("environment", stack)),
        config=config,
        secret_keys=secret_keys,
        stack=stack,
        stack_file=stack_file,
    )
    if problems:
        raise InputError(problems)
    assert settings is not None
    return StackInputs(catalog=catalog, settings=settings)


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
        command = f"pulumi config set --secret {key} <value> --stack {stack}"
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


def role_name_problems(
    catalog: Catalog, settings: StackSettings, *, catalog_file: str
) -> list[str]:
    """IAM role names hold at most 64 characters; `{prefix}-{env}-{service}-exec` must fit."""
    problems = []
    for service in catalog.services_in(settings.environment):
        name = service_role_name(settings, service, "exec")
        if len(name) > ROLE_NAME_LIMIT:
            problems.append(
                problem(
                    catalog_file,
                    f"services.{service}",
                    f"role name {name!r} is {len(name)} characters; IAM allows {ROLE_NAME_LIMIT}: "
                    "shorten the service name or the stack's prefix",
                )
            )
    return problems


def grant_size_problems(
    catalog: Catalog, settings: StackSettings, *, catalog_file: str
) -> list[str]:
    """Each role's exact grants must fit IAM's limits; checked before anything is declared."""
    secrets = catalog.secrets_in(settings.environment)
    roles = []
    for service_name, service in catalog.services_in(settings.environment).items():
        env = {split_reference(reference)[0] for reference in service.env.values()}
        roles.append((f"services.{service_name}.env", env, 1))
        roles.append((f"services.{service_name}.runtime_read", set(service.runtime_read), 0))
    rotated = {name for name, spec in secrets.items() if spec.rotation is not None}
    # The master secrets' read-only policy takes one managed-policy slot of the rotation role.
    masters = any(secrets[name].rotation.master for name in rotated)
    roles.append(("rotation", rotated, 1 if masters else 0))
    problems = []
    for catalog_path, names, aws_managed in roles:
        full_names = [secret_full_name(settings, name) for name in names]
        try:
            role_layout(full_names, fixed=_any_fixed_statements, aws_managed=aws_managed)
        except PolicyTooLargeError as exc:
            problems.append(
                problem(catalog_file, catalog_path, f"too many secrets for one IAM role: {exc}")
            )
    return problems


def _any_fixed_statements(account: Account, key_arn: str) -> list[dict]:
    """The largest fixed part any workload role has, for the size check."""
    return rotation_statements(account, key_arn, log_group="/aws/lambda/" + "x" * 64, in_vpc=True)
