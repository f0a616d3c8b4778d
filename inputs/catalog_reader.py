"""Reads catalog.yaml: YAML, then entry by entry into the models, then the cross-entry checks."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from inputs.catalog import (
    SECRET_NAME,
    SECRET_NAME_ALLOWED,
    SERVICE_NAME,
    SERVICE_NAME_ALLOWED,
    Catalog,
    EnvironmentName,
    SecretSpec,
    ServiceSpec,
)
from inputs.catalog_checks import catalog_problems
from inputs.exceptions import InputError
from inputs.problems import from_validation_error, join_path, problem, yaml_problem
from inputs.yaml_reader import load_yaml

_TOP_KEYS = ("environments", "secrets", "services")


class _EntryKind(NamedTuple):
    """A top-level mapping of name -> entry: where it is, what it holds, how names look."""

    key: str
    model: type[BaseModel]
    name_pattern: re.Pattern[str]
    allowed_names: str


_SECRETS = _EntryKind("secrets", SecretSpec, SECRET_NAME, SECRET_NAME_ALLOWED)
_SERVICES = _EntryKind("services", ServiceSpec, SERVICE_NAME, SERVICE_NAME_ALLOWED)


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
    catalog, problems = _read_catalog(path.resolve(), stat.st_mtime_ns, _size=stat.st_size)
    return catalog, list(problems)


@functools.lru_cache(maxsize=8)
def _read_catalog(path: Path, _mtime_ns: int, *, _size: int) -> tuple[Catalog, tuple[str, ...]]:
    file = path.name
    try:
        raw, duplicates = load_yaml(path.read_text(encoding="utf-8"), file=file)
    except yaml.YAMLError as exc:
        return _empty_catalog(), (yaml_problem(file, exc),)
    catalog, problems = parse_catalog_partially(raw, file=file)
    return catalog, (*duplicates, *problems)


def _empty_catalog() -> Catalog:
    return Catalog.model_construct(environments=[], secrets={}, services={})


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
    environments = _parse_environments(raw, file=file, problems=problems)
    secrets = _parse_entries(raw, _SECRETS, file=file, problems=problems)
    services = _parse_entries(raw, _SERVICES, file=file, problems=problems)
    if "secrets" not in raw:
        problems.append(problem(file, "secrets", "is required"))
    catalog = Catalog.model_construct(environments=environments, secrets=secrets, services=services)
    problems += [
        problem(file, path, message)
        for path, message in catalog_problems(
            catalog, invalid_secrets=_declared_secrets(raw) - set(secrets)
        )
    ]
    if problems:
        return _valid_part(catalog, file=file, problems=problems), problems
    return Catalog(environments=environments, secrets=secrets, services=services), []


def _declared_secrets(raw: Mapping) -> set[str]:
    """Every secret name the file declares, valid or not."""
    secrets = raw.get("secrets")
    return set(secrets or {}) if isinstance(secrets, Mapping) else set()


def _valid_part(catalog: Catalog, *, file: str, problems: list[str]) -> Catalog:
    """The catalog without the services a problem was reported in."""
    services = {
        name: service
        for name, service in catalog.services.items()
        if not any(line.startswith(f"{file}: services.{name}.") for line in problems)
    }
    return Catalog.model_construct(
        environments=catalog.environments, secrets=catalog.secrets, services=services
    )


def _parse_environments(raw: Mapping, *, file: str, problems: list[str]) -> list[str]:
    key = "environments"
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
    raw: Mapping, kind: _EntryKind, *, file: str, problems: list[str]
) -> dict[str, Any]:
    entries = raw.get(kind.key) or {}
    if not isinstance(entries, Mapping):
        problems.append(problem(file, kind.key, "must be a mapping of name -> settings"))
        return {}
    parsed = {}
    for name, body in entries.items():
        path = join_path(kind.key, name)
        if not isinstance(name, str) or not kind.name_pattern.fullmatch(name):
            problems.append(problem(file, path, f"bad name: must be {kind.allowed_names}"))
            continue
        try:
            parsed[name] = kind.model.model_validate(body if body is not None else {})
        except ValidationError as exc:
            problems += from_validation_error(
                exc, file=file, path=path, model=kind.model, echo_input=True
            )
    return parsed
