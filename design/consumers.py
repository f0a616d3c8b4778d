"""Grace windows of the rotation strategies, consumers' refresh, and the pairs that miss."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from aws_model.exceptions import ScheduleError
from aws_model.schedules import shortest_gap
from inputs.catalog import RotationSpec, SecretSpec, ServiceSpec, split_reference

SINGLE_USER = "postgres-single-user"
TOKEN = "token"
TOKEN_ASSUMPTION = (
    "a grace window only if whoever checks the token accepts AWSPREVIOUS too (assumed; one that "
    "accepts AWSCURRENT only leaves 0 s)"
)
DOCS = "docs/consumers.md"


class Delivery(enum.StrEnum):
    """How a service gets a secret's value."""

    ENV = "env"
    """A container variable, resolved by ECS once, when a task starts."""
    RUNTIME_READ = "runtime_read"
    """Read by the running application with GetSecretValue, and cached."""


@dataclass(frozen=True)
class Refresh:
    """How long a consumer keeps a value before it has the current one."""

    delivery: Delivery
    restarted: bool = False
    """`env` only: the stack starts a new deployment after each successful rotation."""
    seconds: int | None = None
    """`runtime_read`: the service's `runtime_cache_seconds`. None for `env`."""

    @property
    def unbounded(self) -> bool:
        """Kept until its tasks are replaced, whenever that is."""
        return self.delivery is Delivery.ENV and not self.restarted

    def outlives(self, grace_seconds: int) -> bool:
        """Whether the consumer may still use a value after its grace window has closed."""
        if self.delivery is Delivery.RUNTIME_READ:
            return (self.seconds or 0) > grace_seconds
        # A restart replaces the tasks right after each rotation, within any window longer
        # than 0 s; for 0 s (single user) that is the restart gap: a catalog problem unless
        # accept_restart_gap accepts it, so nothing to add here.
        return self.unbounded


@dataclass(frozen=True)
class ConsumerFinding:
    """One (secret, service) pair whose consumer may outlast the secret's grace window."""

    secret: str
    service: str
    strategy: str
    delivery: Delivery
    grace_seconds: int
    refresh_seconds: int | None
    """None: unbounded, the tasks keep the value until they are replaced."""
    message: str
    fix: str


def rotation_interval(rotation: RotationSpec) -> timedelta | None:
    """The shortest time between two scheduled rotations: `every_days`, or the schedule's.

    None for a schedule that cannot be measured (the 90-day guardrail reports it).
    """
    if rotation.every_days is not None:
        return timedelta(days=rotation.every_days)
    try:
        return shortest_gap(rotation.schedule or "")
    except ScheduleError:
        return None


def grace_window(rotation: RotationSpec) -> timedelta | None:
    """How long the previous value works after the rotation that replaced it.

    A value works from the moment it is AWSCURRENT until a rotation makes it stop: for a single
    user the very next one (the old password stops at setSecret), so 0; for alternating users
    the one after (the previous login keeps working), so one rotation interval; for a token the
    one after too, as long as whoever checks it accepts AWSPREVIOUS (TOKEN_ASSUMPTION). A
    consumer that keeps a value longer than this may hold one that no longer works.
    """
    if rotation.strategy == SINGLE_USER:
        return timedelta(0)
    return rotation_interval(rotation)


def refreshes(
    secret_name: str, service: ServiceSpec, *, ecs_cluster_name: str | None
) -> list[Refresh]:
    """How the service gets the secret: through env, at runtime, both or neither."""
    found = []
    if any(split_reference(ref)[0] == secret_name for ref in service.env.values()):
        restarted = service.ecs_service is not None and ecs_cluster_name is not None
        found.append(Refresh(Delivery.ENV, restarted=restarted))
    if secret_name in service.runtime_read:
        found.append(Refresh(Delivery.RUNTIME_READ, seconds=service.runtime_cache_seconds))
    return found


def consumer_findings(
    secrets: Mapping[str, SecretSpec],
    services: Mapping[str, ServiceSpec],
    *,
    ecs_cluster_name: str | None,
) -> list[ConsumerFinding]:
    """Every pair of one environment whose consumer may outlast the grace window, sorted."""
    found = []
    for secret_name, secret in sorted(secrets.items()):
        grace = grace_window(secret.rotation) if secret.rotation else None
        if secret.rotation is None or grace is None:
            continue
        for service_name, service in sorted(services.items()):
            for refresh in refreshes(secret_name, service, ecs_cluster_name=ecs_cluster_name):
                if refresh.outlives(int(grace.total_seconds())):
                    missing = _missing_restart_settings(service, ecs_cluster_name)
                    found.append(
                        _finding(
                            secret_name,
                            service_name,
                            rotation=secret.rotation,
                            grace_seconds=int(grace.total_seconds()),
                            refresh=refresh,
                            missing=missing,
                        )
                    )
    return found


def _finding(
    secret: str,
    service: str,
    *,
    rotation: RotationSpec,
    grace_seconds: int,
    refresh: Refresh,
    missing: list[str],
) -> ConsumerFinding:
    return ConsumerFinding(
        secret=secret,
        service=service,
        strategy=rotation.strategy,
        delivery=refresh.delivery,
        grace_seconds=grace_seconds,
        refresh_seconds=refresh.seconds,
        message=_message(
            refresh, secret=secret, service=service, rotation=rotation, grace_seconds=grace_seconds
        ),
        fix=_fix(refresh, rotation=rotation, grace_seconds=grace_seconds, missing=missing),
    )


def _message(
    refresh: Refresh, *, secret: str, service: str, rotation: RotationSpec, grace_seconds: int
) -> str:
    if refresh.delivery is Delivery.RUNTIME_READ:
        keeps = (
            f"Service {service!r} reads {secret!r} at runtime and caches it for up to "
            f"{duration(refresh.seconds or 0)} (runtime_cache_seconds)"
        )
    else:
        keeps = (
            f"Service {service!r} receives {secret!r} through env, resolved once at task start, "
            "and is not restarted by the stack: it keeps a value until its tasks are replaced "
            "(unbounded)"
        )
    if rotation.strategy == SINGLE_USER:
        gap = (
            "its tasks fail to log in from then until they are replaced, as "
            "rotation.accept_restart_gap accepts"
        )
        if refresh.delivery is Delivery.RUNTIME_READ:
            gap = "a cached password fails to log in from then until it is read again"
        return (
            f"{keeps}, but {SINGLE_USER} stops the old password at each rotation's setSecret "
            f"(grace window 0 s): {gap}."
        )
    if rotation.strategy == TOKEN:
        works = (
            f"token keeps the previous token as AWSPREVIOUS for {duration(grace_seconds)} after "
            f"the rotation that replaced it ({_schedule(rotation)}), {TOKEN_ASSUMPTION}"
        )
        stale = "a token that is no longer accepted"
    else:
        works = (
            f"{rotation.strategy} keeps the previous login working for {duration(grace_seconds)} "
            f"after the rotation that replaced it ({_schedule(rotation)})"
        )
        stale = "a login that no longer works"
    if refresh.delivery is Delivery.RUNTIME_READ:
        return f"{keeps}, longer than the grace window: {works}."
    return f"{keeps}, but {works}: a task older than {duration(grace_seconds)} may hold {stale}."


def _missing_restart_settings(service: ServiceSpec, ecs_cluster_name: str | None) -> list[str]:
    settings = (
        ("the service's ecs_service", service.ecs_service),
        ("the stack's ecsClusterName", ecs_cluster_name),
    )
    return [setting for setting, value in settings if value is None]


def _fix(
    refresh: Refresh, *, rotation: RotationSpec, grace_seconds: int, missing: list[str]
) -> str:
    if refresh.delivery is Delivery.RUNTIME_READ:
        refresh_on_failure = (
            "make the application refresh on an authentication failure: drop the cached value "
            f"and read it again once ({DOCS}, Reading at runtime)"
        )
        if rotation.strategy == SINGLE_USER:
            return f"Either {refresh_on_failure}, or rotate with postgres-alternating-users."
        return (
            f"Set runtime_cache_seconds to at most {grace_seconds}, better well below it for "
            f"rotations that come early or by hand, and {refresh_on_failure}."
        )
    restart = f"Set {' and '.join(missing)} so that the stack restarts it after each rotation"
    if rotation.strategy == SINGLE_USER:
        return f"{restart}, or rotate with postgres-alternating-users ({DOCS})."
    return f"{restart}, or replace its tasks within {duration(grace_seconds)}."


def _schedule(rotation: RotationSpec) -> str:
    if rotation.every_days is not None:
        return f"every_days {rotation.every_days}"
    if (rotation.schedule or "").startswith("rate("):
        return f"schedule {rotation.schedule}"
    return f"the shortest gap of schedule {rotation.schedule}"


def duration(seconds: int) -> str:
    """`1 hour (3600 s)`: whole days or hours first, then seconds; `90 s` otherwise."""
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ({seconds} s)"
    return f"{seconds} s"
