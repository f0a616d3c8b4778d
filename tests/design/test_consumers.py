"""Grace windows, consumers' refresh, and the advisory findings where one outlasts the other."""

from __future__ import annotations

from datetime import timedelta

import pytest

from design.consumers import (
    ConsumerFinding,
    Delivery,
    Refresh,
    consumer_findings,
    duration,
    grace_window,
    refreshes,
    rotation_interval,
)
from inputs.catalog import RotationSpec, SecretSpec, ServiceSpec

DAY = 86400


def rotated(strategy: str, **schedule: object) -> SecretSpec:
    schedule = schedule or {"every_days": 30}
    master = {"master": "db-master"} if strategy == "postgres-alternating-users" else {}
    rotation = RotationSpec(strategy=strategy, **schedule, **master)
    return SecretSpec(description="x", external=True, rotation=rotation)


def findings_of(
    secret: SecretSpec, service: ServiceSpec, *, cluster: str | None = None
) -> list[ConsumerFinding]:
    return consumer_findings({"db": secret}, {"app": service}, ecs_cluster_name=cluster)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"every_days": 30}, timedelta(days=30)),
        ({"schedule": "rate(4 hours)"}, timedelta(hours=4)),
        ({"schedule": "rate(7 days)"}, timedelta(days=7)),
        # twice each Sunday: the value from before 04:00 stops at 20:00, so 16 hours, not 6 days
        ({"schedule": "cron(0 4,20 ? * SUN *)"}, timedelta(hours=16)),
    ],
)
def test_the_interval_is_the_shortest_gap_between_two_rotations(schedule, expected):
    assert rotation_interval(RotationSpec(strategy="token", **schedule)) == expected


def test_a_schedule_that_cannot_be_measured_has_no_interval():
    rotation = RotationSpec(strategy="token", schedule="cron(0 0 1 1 ? 2030)")  # stops in 2030

    assert rotation_interval(rotation) is None
    assert findings_of(rotated("token", schedule="cron(0 0 1 1 ? 2030)"), app_with_env()) == []


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("postgres-single-user", timedelta(0)),
        ("postgres-alternating-users", timedelta(days=7)),
        ("token", timedelta(days=7)),
    ],
)
def test_grace_window_per_strategy(strategy, expected):
    assert grace_window(rotated(strategy, every_days=7).rotation) == expected


def app_with_env(**service: object) -> ServiceSpec:
    return ServiceSpec(env={"DB": "db:password"}, **service)


def test_env_is_restarted_only_with_the_service_and_the_cluster_named():
    service = app_with_env(ecs_service="app")

    assert refreshes("db", service, ecs_cluster_name="main") == [
        Refresh(Delivery.ENV, restarted=True)
    ]
    assert refreshes("db", service, ecs_cluster_name=None) == [Refresh(Delivery.ENV)]
    assert refreshes("db", app_with_env(), ecs_cluster_name="main") == [Refresh(Delivery.ENV)]
    assert refreshes("other", service, ecs_cluster_name="main") == []


def test_runtime_read_refreshes_after_its_cache_seconds():
    service = ServiceSpec(runtime_read=["db"], runtime_cache_seconds=300)

    assert refreshes("db", service, ecs_cluster_name=None) == [
        Refresh(Delivery.RUNTIME_READ, seconds=300)
    ]
    assert not Refresh(Delivery.RUNTIME_READ, seconds=300).outlives(300)
    assert Refresh(Delivery.RUNTIME_READ, seconds=301).outlives(300)
    assert Refresh(Delivery.ENV).outlives(30 * DAY)
    assert not Refresh(Delivery.ENV, restarted=True).outlives(30 * DAY)


def test_single_user_read_at_runtime_must_refresh_on_an_authentication_failure():
    (finding,) = findings_of(rotated("postgres-single-user"), ServiceSpec(runtime_read=["db"]))

    assert (finding.secret, finding.service, finding.strategy) == (
        "db",
        "app",
        "postgres-single-user",
    )
    assert (finding.delivery, finding.grace_seconds, finding.refresh_seconds) == (
        Delivery.RUNTIME_READ,
        0,
        3600,
    )
    assert finding.message == (
        "Service 'app' reads 'db' at runtime and caches it for up to 1 hour (3600 s) "
        "(runtime_cache_seconds), but postgres-single-user stops the old password at each "
        "rotation's setSecret (grace window 0 s): a cached password fails to log in from then "
        "until it is read again."
    )
    assert finding.fix.startswith("Either make the application refresh on an authentication")


def test_alternating_users_through_env_without_a_restart_names_both_numbers():
    secret = rotated("postgres-alternating-users", every_days=7)

    (finding,) = findings_of(secret, app_with_env(ecs_service="app"))

    assert finding.message == (
        "Service 'app' receives 'db' through env, resolved once at task start, and is not "
        "restarted by the stack: it keeps a value until its tasks are replaced (unbounded), but "
        "postgres-alternating-users keeps the previous login working for 7 days (604800 s) "
        "after the rotation that replaced it (every_days 7): a task older than 7 days "
        "(604800 s) may hold a login that no longer works."
    )
    assert finding.refresh_seconds is None
    assert finding.fix == (
        "Set the stack's ecsClusterName so that the stack restarts it after each rotation, or "
        "replace its tasks within 7 days (604800 s)."
    )


def test_a_token_through_env_states_the_awsprevious_assumption():
    (finding,) = findings_of(rotated("token", schedule="rate(10 days)"), app_with_env())

    assert "as AWSPREVIOUS for 10 days (864000 s) after the rotation" in finding.message
    assert "(schedule rate(10 days))" in finding.message
    assert "only if whoever checks the token accepts AWSPREVIOUS too (assumed" in finding.message
    assert finding.message.endswith("may hold a token that is no longer accepted.")
    assert finding.fix.startswith("Set the service's ecs_service and the stack's ecsClusterName")


def test_a_cache_longer_than_the_grace_window_is_a_finding():
    secret = rotated("postgres-alternating-users", schedule="cron(0 4,20 ? * SUN *)")
    service = ServiceSpec(runtime_read=["db"], runtime_cache_seconds=DAY)

    (finding,) = findings_of(secret, service)

    assert (finding.grace_seconds, finding.refresh_seconds) == (16 * 3600, DAY)
    assert "caches it for up to 1 day (86400 s) (runtime_cache_seconds), longer than" in (
        finding.message
    )
    assert "(the shortest gap of schedule cron(0 4,20 ? * SUN *))" in finding.message
    assert finding.fix.startswith("Set runtime_cache_seconds to at most 57600,")


@pytest.mark.parametrize(
    ("secret", "service", "cluster"),
    [
        (rotated("token"), ServiceSpec(runtime_read=["db"]), None),  # 1 hour < 30 days
        (rotated("postgres-alternating-users"), app_with_env(ecs_service="app"), "main"),
        (  # the accepted restart gap, bounded by the restart
            rotated("postgres-single-user", every_days=7),
            app_with_env(ecs_service="app"),
            "main",
        ),
        (SecretSpec(description="x", external=True), app_with_env(), None),  # never rotated
    ],
)
def test_no_finding_when_the_consumer_refreshes_within_the_window(secret, service, cluster):
    assert findings_of(secret, service, cluster=cluster) == []


def test_an_accepted_restart_gap_without_a_restart_is_a_finding():
    (finding,) = findings_of(rotated("postgres-single-user"), app_with_env(), cluster="main")

    assert "its tasks fail to log in from then until they are replaced, as " in finding.message
    assert finding.fix == (
        "Set the service's ecs_service so that the stack restarts it after each rotation, or "
        "rotate with postgres-alternating-users (docs/consumers.md)."
    )


def test_a_service_receiving_a_secret_both_ways_gets_a_finding_for_each():
    service = ServiceSpec(env={"DB": "db"}, runtime_read=["db"])

    found = findings_of(rotated("postgres-single-user"), service)

    assert [finding.delivery for finding in found] == [Delivery.ENV, Delivery.RUNTIME_READ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (90, "90 s"), (3600, "1 hour (3600 s)"), (7 * DAY, "7 days (604800 s)")],
)
def test_durations_give_seconds_and_whole_hours_or_days(seconds, text):
    assert duration(seconds) == text
