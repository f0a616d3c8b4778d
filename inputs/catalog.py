"""The catalog: every secret and service of the application, once for all environments."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from inputs.exceptions import InputError
from inputs.problems import from_validation_error, join_path, problem
from inputs.validators import between, matches, valid_tags

SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,256}$")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
CONFIG_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
FIELD_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PASSWORD_LENGTH = (8, 4096)
ROTATION_DAYS = (1, 1000)
DESCRIPTION_LENGTH = 2048
RANDOM_SPECIALS = "!@#$%&*()-_=+[]{}<>:?"
"""The punctuation pulumi_random draws from; `exclude_characters` can only remove from it."""
POSTGRES_FIELDS = ("engine", "host", "port", "username", "password", "dbname")
FARGATE_MEMORY = {
    256: range(512, 2049, 512),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
    8192: range(16384, 61441, 4096),
    16384: range(32768, 122881, 8192),
}


SecretName = Annotated[str, matches(SECRET_NAME, "1-256 letters, digits and /_+=.@-")]
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


class GenerateSpec(_Model):
    """A value drawn by pulumi_random.RandomPassword, stable until `generation` changes."""

    length: Annotated[int, between(*PASSWORD_LENGTH)] = 32
    special: bool = True
    exclude_characters: str = ""
    generation: Annotated[int, between(1, 1_000_000)] = 1
    """Bump to draw a new value in every environment (it is the RandomPassword's keeper)."""

    @property
    def specials(self) -> str:
        """The punctuation a generated value may contain."""
        if not self.special:
            return ""
        return "".join(char for char in RANDOM_SPECIALS if char not in self.exclude_characters)


class FieldSpec(_Model):
    """One key of a JSON secret: exactly one of generate, config or value."""

    generate: GenerateSpec | None = None
    config: ConfigKey | None = None
    value: str | int | bool | None = None


class RotationSpec(_Model):
    every_days: Annotated[int, between(*ROTATION_DAYS)] | None = None
    schedule: str | None = None
    strategy: Literal["token", "postgres-single-user", "postgres-alternating-users"]
    master: SecretName | None = None


class SecretSpec(_Model):
    description: Annotated[str, Field(min_length=1, max_length=DESCRIPTION_LENGTH)]
    generate: GenerateSpec | None = None
    config: ConfigKey | None = None
    external: bool = False
    fields: dict[str, FieldSpec] | None = None
    only_in: list[EnvironmentName] | None = None
    tags: Tags = Field(default_factory=dict)
    rotation: RotationSpec | None = None

    @property
    def source(self) -> str:
        """generate, config, external or fields: which of the four kinds of value this is."""
        for kind in ("generate", "config", "fields"):
            if getattr(self, kind) is not None:
                return kind
        return "external"

    def exists_in(self, environment: str) -> bool:
        return self.only_in is None or environment in self.only_in


class TaskSpec(_Model):
    """An ECS Fargate task definition for a service (built by the access issue)."""

    image: Annotated[str, Field(min_length=1)]
    cpu: int = 256
    memory: int = 512
    environment: dict[EnvVarName, str] = Field(default_factory=dict)
    """Plain, non-secret container variables."""


class ServiceSpec(_Model):
    env: dict[EnvVarName, str] = Field(default_factory=dict)
    """Container variable -> `secret` or `secret:json-key`, resolved by ECS at task start."""
    runtime_read: list[str] = Field(default_factory=list)
    """Secrets the running application reads itself with GetSecretValue."""
    only_in: list[EnvironmentName] | None = None
    task: TaskSpec | None = None

    def exists_in(self, environment: str) -> bool:
        return self.only_in is None or environment in self.only_in


class Catalog(_Model):
    environments: list[EnvironmentName]
    secrets: dict[str, SecretSpec]
    services: dict[str, ServiceSpec] = Field(default_factory=dict)

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


def load_catalog(path: Path) -> Catalog:
    """Reads and validates catalog.yaml; raises InputError with every problem at once."""
    catalog, problems = read_catalog(path)
    if problems:
        raise InputError(problems)
    return catalog


def read_catalog(path: Path) -> tuple[Catalog, list[str]]:
    """The valid part of the catalog and the problems of the rest.

    Callers that check more (the stack's values) go on with the valid part, so that every
    problem is reported in one run. Cached per file version: the plan and the program it
    runs read the file once.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return _empty_catalog(), [problem(str(path), "", "file not found")]
    catalog, problems = _read_catalog(path.resolve(), stat.st_mtime_ns, stat.st_size)
    return catalog, list(problems)


@functools.lru_cache(maxsize=8)
def _read_catalog(path: Path, _mtime_ns: int, _size: int) -> tuple[Catalog, tuple[str, ...]]:
    file = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        return _empty_catalog(), (problem(file, where, f"not valid YAML: {exc}"),)
    catalog, problems = parse_catalog_partially(raw, file=file)
    return catalog, tuple(problems)


def _empty_catalog() -> Catalog:
    return Catalog.model_construct(environments=[], secrets={}, services={})


_TOP_KEYS = ("environments", "secrets", "services")


def parse_catalog(raw: Any, *, file: str) -> Catalog:
    """The catalog from parsed YAML; raises InputError with every problem at once."""
    catalog, problems = parse_catalog_partially(raw, file=file)
    if problems:
        raise InputError(problems)
    return catalog


def parse_catalog_partially(raw: Any, *, file: str) -> tuple[Catalog, list[str]]:
    """Validates entry by entry, so one bad secret does not hide the problems of the others."""
    if not isinstance(raw, Mapping):
        return _empty_catalog(), [
            problem(file, "", "must be a mapping with keys " + ", ".join(_TOP_KEYS))
        ]
    problems = [
        problem(file, str(key), f"unknown key; allowed: {', '.join(_TOP_KEYS)}")
        for key in raw
        if key not in _TOP_KEYS
    ]
    environments = _parse_list(raw, "environments", file=file, problems=problems)
    secrets = _parse_entries(
        raw, "secrets", SecretSpec, SECRET_NAME, "1-256 letters, digits and /_+=.@-", file, problems
    )
    services = _parse_entries(
        raw,
        "services",
        ServiceSpec,
        SERVICE_NAME,
        "1-32 lowercase letters, digits and -, starting with a letter",
        file,
        problems,
    )
    if "secrets" not in raw:
        problems.append(problem(file, "secrets", "is required"))
    catalog = Catalog.model_construct(environments=environments, secrets=secrets, services=services)
    declared = set(raw.get("secrets") or {}) if isinstance(raw.get("secrets"), Mapping) else set()
    problems += [
        problem(file, path, message)
        for path, message in catalog_problems(catalog, invalid_secrets=declared - set(secrets))
    ]
    valid_services = {
        name: service
        for name, service in services.items()
        if not any(line.startswith(f"{file}: services.{name}.") for line in problems)
    }
    if problems:
        return Catalog.model_construct(
            environments=environments, secrets=secrets, services=valid_services
        ), problems
    return Catalog(environments=environments, secrets=secrets, services=services), []


def _parse_list(raw: Mapping, key: str, *, file: str, problems: list[str]) -> list[str]:
    if key not in raw:
        problems.append(problem(file, key, "is required: the environments the stacks deploy"))
        return []
    try:
        values = TypeAdapter(list[EnvironmentName]).validate_python(raw[key], strict=True)
    except ValidationError as exc:
        problems += from_validation_error(exc, file=file, path=key, model=Catalog, echo_input=True)
        return []
    if not values:
        problems.append(problem(file, key, "must name at least one environment"))
    return values


def _parse_entries(
    raw: Mapping,
    key: str,
    model: type[_Model],
    name_pattern: re.Pattern[str],
    allowed_names: str,
    file: str,
    problems: list[str],
) -> dict[str, Any]:
    entries = raw.get(key) or {}
    if not isinstance(entries, Mapping):
        problems.append(problem(file, key, "must be a mapping of name -> settings"))
        return {}
    parsed = {}
    for name, body in entries.items():
        path = join_path(key, name)
        if not isinstance(name, str) or not name_pattern.fullmatch(name):
            problems.append(problem(file, path, f"bad name: must be {allowed_names}"))
            continue
        try:
            parsed[name] = model.model_validate(body if body is not None else {})
        except ValidationError as exc:
            problems += from_validation_error(
                exc, file=file, path=path, model=model, echo_input=True
            )
    return parsed


def catalog_problems(
    catalog: Catalog, *, invalid_secrets: set[str] = frozenset()
) -> list[tuple[str, str]]:
    """Problems that span entries: value sources, references, rotation, environments.

    References to `invalid_secrets` (declared, but already reported) are not reported again.
    """
    problems: list[tuple[str, str]] = []
    known = set(catalog.environments)
    for name, spec in catalog.secrets.items():
        problems += _secret_problems(name, spec, declared=set(catalog.secrets) | invalid_secrets)
        problems += _only_in_problems(f"secrets.{name}", spec.only_in, known)
        problems += _master_problems(name, spec, catalog)
    for name, service in catalog.services.items():
        problems += _only_in_problems(f"services.{name}", service.only_in, known)
        problems += _service_problems(name, service, catalog, invalid_secrets)
    return problems


def _master_problems(name: str, spec: SecretSpec, catalog: Catalog) -> list[tuple[str, str]]:
    """A rotated secret's master must exist wherever the secret does."""
    master = (
        catalog.secrets.get(spec.rotation.master)
        if spec.rotation and spec.rotation.master
        else None
    )
    if master is None:
        return []
    return [
        (
            f"secrets.{name}.rotation.master",
            f"secret {spec.rotation.master!r} does not exist in environment {environment!r}; "
            "add it to the master's only_in",
        )
        for environment in catalog.environments
        if spec.exists_in(environment) and not master.exists_in(environment)
    ]


def _only_in_problems(
    path: str, only_in: list[str] | None, known: set[str]
) -> list[tuple[str, str]]:
    if only_in is None or not known:  # no valid environments: reported already
        return []
    if not only_in:
        return [(f"{path}.only_in", "must name at least one environment")]
    allowed = ", ".join(sorted(known))
    return [
        (f"{path}.only_in", f"unknown environment {environment!r}; known: {allowed}")
        for environment in only_in
        if environment not in known
    ]


def _secret_problems(name: str, spec: SecretSpec, *, declared: set[str]) -> list[tuple[str, str]]:
    path = f"secrets.{name}"
    sources = [kind for kind in ("generate", "config", "fields") if getattr(spec, kind) is not None]
    if spec.external:
        sources.append("external")
    if len(sources) != 1:
        got = ", ".join(sources) if sources else "none"
        return [
            (
                path,
                f"needs exactly one value source of generate, config, external, fields; got {got}",
            )
        ]
    problems: list[tuple[str, str]] = []
    if spec.generate is not None:
        problems += _generate_problems(f"{path}.generate", spec.generate)
    for field_name, field in (spec.fields or {}).items():
        problems += _field_problems(f"{path}.fields.{field_name}", field_name, field)
    if spec.fields is not None and not spec.fields:
        problems.append((f"{path}.fields", "must hold at least one field"))
    if spec.rotation is not None:
        problems += _rotation_problems(f"{path}.rotation", spec, declared=declared)
    return problems


def _generate_problems(path: str, generate: GenerateSpec) -> list[tuple[str, str]]:
    alphanumeric = sorted({char for char in generate.exclude_characters if char.isalnum()})
    if alphanumeric:
        return [
            (
                f"{path}.exclude_characters",
                f"can only exclude punctuation ({RANDOM_SPECIALS}); got {''.join(alphanumeric)!r}",
            )
        ]
    return []


def _field_problems(path: str, field_name: str, field: FieldSpec) -> list[tuple[str, str]]:
    problems = []
    if not FIELD_NAME.fullmatch(field_name):
        problems.append((path, "bad JSON key: must be 1-128 letters, digits and _.-"))
    sources = [kind for kind in ("generate", "config", "value") if getattr(field, kind) is not None]
    if len(sources) != 1:
        got = ", ".join(sources) if sources else "none"
        problems.append((path, f"needs exactly one of generate, config, value; got {got}"))
    if field.generate is not None:
        problems += _generate_problems(f"{path}.generate", field.generate)
    return problems


_SCHEDULE = re.compile(r"^(rate\(\s*\d+\s+(hour|hours|day|days)\s*\)|cron\(.+\))$")


def _rotation_problems(path: str, spec: SecretSpec, *, declared: set[str]) -> list[tuple[str, str]]:
    rotation = spec.rotation
    assert rotation is not None
    problems = []
    if spec.config is not None:
        problems.append(
            (
                path,
                "a config: value is owned by the stack config and cannot rotate; "
                "use generate or external",
            )
        )
    if (rotation.every_days is None) == (rotation.schedule is None):
        problems.append((path, "needs exactly one of every_days (1-1000) or schedule"))
    if rotation.schedule is not None and not _SCHEDULE.fullmatch(rotation.schedule):
        problems.append(
            (
                f"{path}.schedule",
                f"must be rate(N hours|days) or cron(...), got {rotation.schedule!r}",
            )
        )
    if rotation.strategy == "token" and spec.fields is not None:
        problems.append(
            (f"{path}.strategy", "token rotates string secrets; this secret has fields")
        )
    if rotation.strategy.startswith("postgres"):
        problems += _postgres_problems(path, spec)
    if rotation.strategy == "postgres-alternating-users":
        if rotation.master is None:
            problems.append((f"{path}.master", "is required for postgres-alternating-users"))
        elif rotation.master not in declared:
            problems.append((f"{path}.master", f"unknown secret {rotation.master!r}"))
    elif rotation.master is not None:
        problems.append((f"{path}.master", "only postgres-alternating-users takes a master secret"))
    return problems


def _postgres_problems(path: str, spec: SecretSpec) -> list[tuple[str, str]]:
    if spec.external:
        return []
    if spec.fields is None:
        return [
            (
                f"{path}.strategy",
                "postgres strategies rotate a JSON secret (fields) or an external one",
            )
        ]
    problems = []
    missing = [field for field in POSTGRES_FIELDS if field not in spec.fields]
    if missing:
        problems.append((f"{path}.strategy", f"the secret lacks fields: {', '.join(missing)}"))
    password = spec.fields.get("password")
    if password is not None and password.generate is None:
        problems.append((f"{path}.strategy", "the password field must be generated to rotate"))
    return problems


def _service_problems(
    name: str, service: ServiceSpec, catalog: Catalog, invalid_secrets: set[str]
) -> list[tuple[str, str]]:
    path = f"services.{name}"
    problems = []
    references = [(f"{path}.env.{var}", ref) for var, ref in service.env.items()]
    references += [(f"{path}.runtime_read", ref) for ref in service.runtime_read]
    for ref_path, reference in references:
        secret_name, key = split_reference(reference)
        secret = catalog.secrets.get(secret_name)
        if secret is None and secret_name in invalid_secrets:
            continue
        if secret is None:
            problems.append((ref_path, f"unknown secret {secret_name!r}"))
            continue
        if key is not None and ref_path.endswith(".runtime_read"):
            problems.append((ref_path, f"runtime_read takes secret names, got {reference!r}"))
        elif key is not None and secret.fields is None:
            problems.append(
                (
                    ref_path,
                    f"{secret_name!r} is not a JSON secret (no fields), so it has no key {key!r}",
                )
            )
        elif key is not None and secret.fields is not None and key not in secret.fields:
            problems.append(
                (
                    ref_path,
                    f"{secret_name!r} has no field {key!r}; fields: {', '.join(secret.fields)}",
                )
            )
        for environment in catalog.environments:
            if service.exists_in(environment) and not secret.exists_in(environment):
                problems.append(
                    (
                        ref_path,
                        f"secret {secret_name!r} does not exist in environment {environment!r} "
                        f"(only_in: {', '.join(secret.only_in or [])}); "
                        "add it to the secret's only_in or limit the service with only_in",
                    )
                )
    if service.task is not None:
        allowed = FARGATE_MEMORY.get(service.task.cpu)
        if allowed is None:
            problems.append(
                (
                    f"{path}.task.cpu",
                    f"must be one of {', '.join(map(str, FARGATE_MEMORY))}, got {service.task.cpu}",
                )
            )
        elif service.task.memory not in allowed:
            problems.append(
                (
                    f"{path}.task.memory",
                    f"with cpu {service.task.cpu} must be {allowed.start}-{allowed.stop - 1} "
                    f"in steps of {allowed.step}, got {service.task.memory}",
                )
            )
    return problems
