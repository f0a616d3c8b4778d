"""Checks that span catalog entries: sources, references, rotation, consumers, environments."""

from __future__ import annotations

import re

from inputs.catalog import (
    FARGATE_MEMORY,
    FIELD_NAME,
    POSTGRES_FIELDS,
    RANDOM_SPECIALS,
    Catalog,
    FieldSpec,
    GenerateSpec,
    RotationSpec,
    SecretSpec,
    ServiceSpec,
    TaskSpec,
    split_reference,
)
from inputs.consumer_checks import consumer_problems
from inputs.rotation_checks import master_problems
from inputs.sharing_checks import sharing_problems

Problems = list[tuple[str, str]]
"""(catalog path, message) pairs; the reader puts the file name before each."""

_SCHEDULE = re.compile(r"^(rate\(\s*\d+\s+(hour|hours|day|days)\s*\)|cron\(.+\))$")


def catalog_problems(catalog: Catalog, *, invalid_secrets: set[str] = frozenset()) -> Problems:
    """Problems that span entries: value sources, references, rotation, consumers, environments.

    References to `invalid_secrets` (declared, but already reported) are not reported again.
    """
    problems: Problems = []
    known = set(catalog.environments)
    declared = set(catalog.secrets) | invalid_secrets
    for name, spec in catalog.secrets.items():
        problems += _secret_problems(name, spec)
        problems += _only_in_problems(f"secrets.{name}", spec.only_in, known=known)
        problems += master_problems(
            f"secrets.{name}.rotation", spec, catalog=catalog, declared=declared
        )
    for name, service in catalog.services.items():
        problems += _only_in_problems(f"services.{name}", service.only_in, known=known)
        problems += _service_problems(
            name, service, catalog=catalog, invalid_secrets=invalid_secrets
        )
    problems += consumer_problems(catalog)
    problems += sharing_problems(catalog)
    return problems


def _only_in_problems(path: str, only_in: list[str] | None, *, known: set[str]) -> Problems:
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


def _secret_problems(name: str, spec: SecretSpec) -> Problems:
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
    problems: Problems = []
    if spec.generate is not None:
        problems += _generate_problems(f"{path}.generate", spec.generate)
    for field_name, field in (spec.fields or {}).items():
        problems += _field_problems(f"{path}.fields.{field_name}", field_name, field=field)
    if spec.fields is not None and not spec.fields:
        problems.append((f"{path}.fields", "must hold at least one field"))
    if spec.rotation is not None:
        problems += _rotation_problems(f"{path}.rotation", spec)
    return problems


def _generate_problems(path: str, generate: GenerateSpec) -> Problems:
    alphanumeric = sorted({char for char in generate.exclude_characters if char.isalnum()})
    if alphanumeric:
        return [
            (
                f"{path}.exclude_characters",
                f"can only exclude punctuation ({RANDOM_SPECIALS}); got {''.join(alphanumeric)!r}",
            )
        ]
    return []


def _field_problems(path: str, field_name: str, *, field: FieldSpec) -> Problems:
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


def _rotation_problems(path: str, spec: SecretSpec) -> Problems:
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
    problems += _schedule_problems(path, rotation)
    if rotation.strategy == "token" and spec.fields is not None:
        problems.append(
            (f"{path}.strategy", "token rotates string secrets; this secret has fields")
        )
    if rotation.strategy.startswith("postgres"):
        problems += _postgres_problems(path, spec)
    return problems


def _schedule_problems(path: str, rotation: RotationSpec) -> Problems:
    problems = []
    if (rotation.every_days is None) == (rotation.schedule is None):
        problems.append((path, "needs exactly one of every_days (1-1000) or schedule"))
    if rotation.schedule is not None and not _SCHEDULE.fullmatch(rotation.schedule):
        problems.append(
            (
                f"{path}.schedule",
                f"must be rate(N hours|days) or cron(...), got {rotation.schedule!r}",
            )
        )
    return problems


def _postgres_problems(path: str, spec: SecretSpec) -> Problems:
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
    name: str, service: ServiceSpec, *, catalog: Catalog, invalid_secrets: set[str]
) -> Problems:
    path = f"services.{name}"
    references = [(f"{path}.env.{var}", ref) for var, ref in service.env.items()]
    references += [(f"{path}.runtime_read", ref) for ref in service.runtime_read]
    problems: Problems = []
    for ref_path, reference in references:
        problems += _reference_problems(
            ref_path, reference, service=service, catalog=catalog, invalid_secrets=invalid_secrets
        )
    if service.task is not None:
        problems += _task_problems(f"{path}.task", service.task)
    return problems


def _reference_problems(
    path: str,
    reference: str,
    *,
    service: ServiceSpec,
    catalog: Catalog,
    invalid_secrets: set[str],
) -> Problems:
    """A reference names a secret (and key) that exists wherever the service does."""
    secret_name, _ = split_reference(reference)
    secret = catalog.secrets.get(secret_name)
    if secret is None:
        return [] if secret_name in invalid_secrets else [(path, f"unknown secret {secret_name!r}")]
    problems = _key_problems(path, reference, secret=secret)
    for environment in catalog.environments:
        if service.exists_in(environment) and not secret.exists_in(environment):
            problems.append(
                (
                    path,
                    f"secret {secret_name!r} does not exist in environment {environment!r} "
                    f"(only_in: {', '.join(secret.only_in or [])}); "
                    "add it to the secret's only_in or limit the service with only_in",
                )
            )
    return problems


def _key_problems(path: str, reference: str, *, secret: SecretSpec) -> Problems:
    secret_name, key = split_reference(reference)
    if key is None:
        return []
    if path.endswith(".runtime_read"):
        return [(path, f"runtime_read takes secret names, got {reference!r}")]
    if secret.fields is None:
        return [
            (path, f"{secret_name!r} is not a JSON secret (no fields), so it has no key {key!r}")
        ]
    if key not in secret.fields:
        return [(path, f"{secret_name!r} has no field {key!r}; fields: {', '.join(secret.fields)}")]
    return []


def _task_problems(path: str, task: TaskSpec) -> Problems:
    """Fargate runs only its own cpu/memory pairs; anything else fails at deploy time."""
    allowed = FARGATE_MEMORY.get(task.cpu)
    if allowed is None:
        return [
            (
                f"{path}.cpu",
                f"must be one of {', '.join(map(str, FARGATE_MEMORY))}, got {task.cpu}",
            )
        ]
    if task.memory in allowed:
        return []
    return [(f"{path}.memory", f"with cpu {task.cpu} must be {_sizes(allowed)}, got {task.memory}")]


def _sizes(allowed: tuple[int, ...] | range) -> str:
    if isinstance(allowed, range):
        return f"{allowed.start}-{allowed.stop - 1} in steps of {allowed.step}"
    return "one of " + ", ".join(map(str, allowed))
