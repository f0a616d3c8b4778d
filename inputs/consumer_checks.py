"""Checks of how a rotated secret reaches its consumers: single-user logins through `env`."""

from __future__ import annotations

from inputs.catalog import Catalog, SecretSpec, split_reference

Problems = list[tuple[str, str]]
"""(catalog path, message) pairs, as in inputs/catalog_checks.py."""

SINGLE_USER = "postgres-single-user"

MSG_SINGLE_USER_THROUGH_ENV = (
    "postgres-single-user stops the old password at each rotation's setSecret, and {services} "
    "receive{s} {secret!r} through env, which ECS resolves once at task start: their tasks fail "
    "to log in until they are replaced. Use postgres-alternating-users, read it with "
    "runtime_read and a cache that refreshes on an authentication failure (docs/consumers.md), "
    "or accept the gap with rotation.accept_restart_gap: true"
)
MSG_GAP_ONLY_FOR_SINGLE_USER = (
    "is only for postgres-single-user, the one strategy whose old value stops working at "
    "setSecret; with {strategy} it means nothing: remove it"
)


def consumer_problems(catalog: Catalog) -> Problems:
    """Every rotated secret whose strategy cannot serve the way its services receive it."""
    problems: Problems = []
    for name, spec in catalog.secrets.items():
        rotation = spec.rotation
        if rotation is None:
            continue
        path = f"secrets.{name}.rotation"
        if rotation.strategy != SINGLE_USER:
            if rotation.accept_restart_gap:
                problems.append(
                    (
                        f"{path}.accept_restart_gap",
                        MSG_GAP_ONLY_FOR_SINGLE_USER.format(strategy=rotation.strategy),
                    )
                )
            continue
        services = env_consumers(catalog, secret_name=name, secret=spec)
        if services and not rotation.accept_restart_gap:
            problems.append((f"{path}.strategy", _single_user_message(name, services)))
    return problems


def env_consumers(catalog: Catalog, *, secret_name: str, secret: SecretSpec) -> list[str]:
    """The services that receive `secret_name` through `env` in an environment it exists in."""
    return [
        service_name
        for service_name, service in catalog.services.items()
        if any(split_reference(reference)[0] == secret_name for reference in service.env.values())
        and any(
            service.exists_in(environment) and secret.exists_in(environment)
            for environment in catalog.environments
        )
    ]


def _single_user_message(secret_name: str, services: list[str]) -> str:
    named = ", ".join(repr(service) for service in services)
    plural = len(services) > 1
    return MSG_SINGLE_USER_THROUGH_ENV.format(
        services=f"services {named}" if plural else f"service {named}",
        s="" if plural else "s",
        secret=secret_name,
    )
