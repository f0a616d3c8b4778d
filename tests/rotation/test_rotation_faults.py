"""Every strategy under faults: after each one, AWSCURRENT works and no working value is lost.

Against moto's Secrets Manager and a real PostgreSQL. A fault is an interruption, a retry, a
step out of order, a second rotation overtaking the first, or a value someone tampered with.
"""

from __future__ import annotations

import itertools
import json
import logging

import pytest
from botocore.exceptions import ClientError

from rotation import postgres_alternating_users, postgres_single_user, steps
from rotation.exceptions import RotationError, VersionNotPendingError
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.rotation_cases import (
    ALTERNATING_USERS,
    POSTGRES_STRATEGY_NAMES,
    SINGLE_USER,
    STRATEGY_NAMES,
    RotationCase,
    postgres_case,
    token_case,
)
from tests.rotation.rotation_service import ALL_STEPS, RotationService

pytestmark = pytest.mark.postgres

EXPECTED_FAILURES = (RotationError, ClientError)
"""What a step may raise when a fault makes it impossible: a rotation error or AWS's refusal."""


@pytest.fixture(params=STRATEGY_NAMES)
def case(request: pytest.FixtureRequest, rotation_service: RotationService) -> RotationCase:
    if request.param == "token":
        return token_case(rotation_service)
    server = request.getfixturevalue("postgres_server")
    return postgres_case(request.param, server, rotation_service)


@pytest.fixture(params=POSTGRES_STRATEGY_NAMES)
def postgres_rotation(
    request: pytest.FixtureRequest, rotation_service: RotationService, postgres_server
) -> RotationCase:
    return postgres_case(request.param, postgres_server, rotation_service)


def try_step(case: RotationCase, token: str, step: str) -> bool:
    """Run one step; False if it failed the way a fault should make it fail."""
    try:
        case.invoke(token, step)
    except EXPECTED_FAILURES:
        return False
    return True


def take_over(case: RotationCase) -> str:
    """A second rotation that runs to the end: AWSPENDING is taken off the first one's version
    (as CancelRotateSecret or an operator does) and a new token starts."""
    case.service.cancel_pending(case.secret_arn)
    return case.service.rotate(case.strategy, case.secret_arn)


# Retries and order


@pytest.mark.parametrize("order", list(itertools.permutations(ALL_STEPS)))
def test_steps_in_any_order_never_break_awscurrent(
    case: RotationCase, order: tuple[str, ...]
) -> None:
    # GIVEN a rotation whose steps arrive in `order`, each failing or not
    token = case.service.start(case.secret_arn)
    for step in order:
        try_step(case, token, step)
        # THEN after every step, the password the database holds is labelled
        case.assert_no_value_lost()

    # AND the same token, run in order, completes the rotation
    case.service.run_steps(case.strategy, secret_arn=case.secret_arn, token=token)
    assert case.service.stages(case.secret_arn)[token] == [AWSCURRENT]
    case.assert_healthy()


def test_each_step_twice_rotates_once(case: RotationCase) -> None:
    old_value = case.value(AWSCURRENT)
    token = case.service.start(case.secret_arn)
    for step in ALL_STEPS:
        case.invoke(token, step)
        case.invoke(token, step)

    assert case.service.stages(case.secret_arn)[token] == [AWSCURRENT]
    assert case.value(AWSPREVIOUS) == old_value
    case.assert_healthy()


@pytest.mark.parametrize("premature", [steps.FINISH_SECRET, steps.TEST_SECRET])
@pytest.mark.parametrize("after", [(), (steps.CREATE_SECRET,)])
def test_finish_never_promotes_an_unchecked_version(
    postgres_rotation: RotationCase, premature: str, after: tuple[str, ...]
) -> None:
    # GIVEN a rotation whose setSecret has not run (nothing set in the database yet)
    case = postgres_rotation
    old_value = case.value(AWSCURRENT)
    token = case.service.start(case.secret_arn)
    for step in after:
        case.invoke(token, step)

    # WHEN finishSecret (or testSecret, then finishSecret) arrives
    with pytest.raises(EXPECTED_FAILURES):
        case.invoke(token, premature)
    with pytest.raises(EXPECTED_FAILURES):
        case.invoke(token, steps.FINISH_SECRET)

    # THEN AWSCURRENT did not move and still logs in
    assert case.value(AWSCURRENT) == old_value
    assert AWSPENDING in case.service.stages(case.secret_arn)[token]
    case.assert_healthy()


def test_finish_refuses_a_version_without_a_value(case: RotationCase) -> None:
    old_value = case.value(AWSCURRENT)
    token = case.service.start(case.secret_arn)

    with pytest.raises(EXPECTED_FAILURES, match="has no value; createSecret must run first"):
        case.invoke(token, steps.FINISH_SECRET)

    assert case.value(AWSCURRENT) == old_value


# Two finishSecret calls racing


def test_a_late_finish_keeps_awsprevious(case: RotationCase) -> None:
    # GIVEN two finishSecret invocations of one token that both passed the guard
    token = case.service.start(case.secret_arn)
    case.service.run_steps(
        case.strategy, secret_arn=case.secret_arn, token=token, step_names=ALL_STEPS[:3]
    )
    previous_version = case.service.client.get_secret_value(
        SecretId=case.secret_arn, VersionStage=AWSCURRENT
    )["VersionId"]
    event = steps.RotationEvent(secret_arn=case.secret_arn, token=token, step=steps.FINISH_SECRET)
    assert steps.check_version_stages(
        case.service.client, step=steps.FINISH_SECRET, secret_arn=case.secret_arn, token=token
    )

    # WHEN the first finishes, then both late ones run their bodies
    case.invoke(token, steps.FINISH_SECRET)
    for _ in range(2):
        steps.finish_secret(client=case.service.client, strategy=case.strategy, event=event)

    # THEN the previous version keeps AWSPREVIOUS, and for alternating users still logs in
    assert case.service.stages(case.secret_arn) == {
        token: [AWSCURRENT],
        previous_version: [AWSPREVIOUS],
    }
    case.assert_healthy()


# Two tokens


@pytest.mark.parametrize("boundary", range(len(ALL_STEPS) + 1))
def test_a_second_token_at_every_step_boundary(case: RotationCase, boundary: int) -> None:
    # GIVEN a first rotation that ran `boundary` steps, then stopped
    first = case.service.start(case.secret_arn)
    case.service.run_steps(
        case.strategy, secret_arn=case.secret_arn, token=first, step_names=ALL_STEPS[:boundary]
    )
    # WHEN a second rotation takes over and completes, then the first one resumes
    second = take_over(case) if boundary < len(ALL_STEPS) else case.rotate_cleanly()
    second_value = case.value(AWSCURRENT)
    for step in ALL_STEPS[boundary:]:
        assert not try_step(case, first, step), f"the overtaken rotation's {step} succeeded"

    # THEN the second rotation's value is current and works
    assert case.service.stages(case.secret_arn)[second] == [AWSCURRENT]
    assert case.value(AWSCURRENT) == second_value
    case.assert_healthy()
    case.rotate_cleanly()


STRATEGY_MODULES = {
    SINGLE_USER: postgres_single_user,
    ALTERNATING_USERS: postgres_alternating_users,
}


def test_a_rotation_paused_before_its_password_write_changes_nothing(
    postgres_rotation: RotationCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a first rotation paused inside setSecret, right before it takes the role's lock and
    # writes its password, while a second rotation runs to the end
    case = postgres_rotation
    module = STRATEGY_MODULES[case.strategy_name]
    real_lock_role = module.lock_role
    overtaken: list[str] = []
    paused: list[bool] = []

    def lock_role_after_a_takeover(session, role: str) -> None:
        if not paused:  # the first caller only: the second rotation takes the lock as usual
            paused.append(True)
            overtaken.append(take_over(case))
        real_lock_role(session, role)

    monkeypatch.setattr(module, "lock_role", lock_role_after_a_takeover)
    first = case.service.start(case.secret_arn)
    case.invoke(first, steps.CREATE_SECRET)
    first_password = json.loads(case.service.value(case.secret_arn, AWSPENDING, version_id=first))[
        "password"
    ]

    # WHEN the first rotation resumes
    with pytest.raises(VersionNotPendingError, match="another rotation took over"):
        case.invoke(first, steps.SET_SECRET)

    # THEN the second rotation's password is the role's, and the first one's never took effect
    assert case.service.stages(case.secret_arn)[overtaken[0]] == [AWSCURRENT]
    case.assert_healthy()
    first_value = case.service.client.get_secret_value(SecretId=case.secret_arn, VersionId=first)
    first_username = json.loads(first_value["SecretString"])["username"]
    assert not case.server.can_login(first_username, first_password)
    monkeypatch.setattr(module, "lock_role", real_lock_role)
    case.rotate_cleanly()


# Interruptions


def test_killed_after_set_secret_then_a_new_token_recovers(
    postgres_rotation: RotationCase, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a rotation killed after setSecret changed the password, whose AWSPENDING was then
    # removed (CancelRotateSecret, or an operator)
    case = postgres_rotation
    caplog.set_level(logging.INFO, logger="rotation")
    first = case.service.start(case.secret_arn)
    case.service.run_steps(
        case.strategy, secret_arn=case.secret_arn, token=first, step_names=ALL_STEPS[:2]
    )
    case.service.cancel_pending(case.secret_arn)
    assert case.service.stages(case.secret_arn).get(first) is None

    # WHEN a new rotation runs
    case.rotate_cleanly()

    # THEN it worked (for single user, by recovering the login of the unlabelled version)
    if case.strategy_name == SINGLE_USER:
        assert any(
            f"recovered the login from unlabelled version {first}" in record.getMessage()
            for record in caplog.records
        )


def test_single_user_gives_up_when_no_recent_version_logs_in(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    case = postgres_case(SINGLE_USER, postgres_server, rotation_service)
    username, _ = case.login(AWSCURRENT)
    postgres_server.alter_role(username, "PASSWORD %L", password="set-by-someone-else-0123")
    token = case.service.start(case.secret_arn)
    case.invoke(token, steps.CREATE_SECRET)

    with pytest.raises(RotationError, match="and the 5 newest unlabelled versions"):
        case.invoke(token, steps.SET_SECRET)
    assert case.service.stages(case.secret_arn)[token] == [AWSPENDING]


# The malformed pending value


MALFORMED_PENDING = {
    "not JSON": lambda value: "{not json",
    "a JSON list": lambda value: json.dumps([value]),
    "no password": lambda value: json.dumps(
        {key: item for key, item in json.loads(value).items() if key != "password"}
    ),
    "another host": lambda value: json.dumps({**json.loads(value), "host": "192.0.2.1"}),
    "another role": lambda value: json.dumps({**json.loads(value), "username": "postgres"}),
}


@pytest.mark.parametrize("malformation", MALFORMED_PENDING)
def test_a_malformed_pending_value_changes_nothing(
    postgres_rotation: RotationCase, malformation: str
) -> None:
    # GIVEN an AWSPENDING value that someone else put for the token
    case = postgres_rotation
    current_value = case.value(AWSCURRENT)
    token = case.service.start(case.secret_arn)
    case.service.client.put_secret_value(
        SecretId=case.secret_arn,
        ClientRequestToken=token,
        SecretString=MALFORMED_PENDING[malformation](current_value),
        VersionStages=[AWSPENDING],
    )

    # WHEN the rotation runs THEN setSecret refuses it, and finishSecret promotes nothing
    case.invoke(token, steps.CREATE_SECRET)
    assert not try_step(case, token, steps.SET_SECRET)
    assert not try_step(case, token, steps.FINISH_SECRET)
    assert case.value(AWSCURRENT) == current_value
    case.assert_healthy()
    assert case.server.can_login(case.server.superuser, case.server.superuser_password)
    case.rotate_cleanly()


# The master secret


def _master_missing(case: RotationCase) -> None:
    case.service.client.delete_secret(SecretId=case.master_arn, ForceDeleteWithoutRecovery=True)


def _master_unreadable(case: RotationCase) -> None:
    # Deletion pending: Secrets Manager refuses GetSecretValue until it is restored.
    case.service.client.delete_secret(SecretId=case.master_arn, RecoveryWindowInDays=7)


def _master_wrong_password(case: RotationCase) -> None:
    master = json.loads(case.service.value(case.master_arn, AWSCURRENT))
    case.service.client.put_secret_value(
        SecretId=case.master_arn, SecretString=json.dumps({**master, "password": "wrong-0123"})
    )


def _master_not_json(case: RotationCase) -> None:
    case.service.client.put_secret_value(SecretId=case.master_arn, SecretString="[not a login")


MASTER_FAULTS = {
    "missing": _master_missing,
    "unreadable": _master_unreadable,
    "wrong password": _master_wrong_password,
    "not a login": _master_not_json,
}


@pytest.mark.parametrize("fault", MASTER_FAULTS)
def test_a_broken_master_secret_changes_nothing(
    postgres_server: PostgresServer, rotation_service: RotationService, fault: str
) -> None:
    # GIVEN an alternating-users secret that has rotated once (so both users exist)
    case = postgres_case(ALTERNATING_USERS, postgres_server, rotation_service)
    case.rotate_cleanly()
    labelled = case.labelled_values()

    # WHEN its master secret breaks and a rotation runs
    MASTER_FAULTS[fault](case)
    token = case.service.start(case.secret_arn)
    case.invoke(token, steps.CREATE_SECRET)
    assert not try_step(case, token, steps.SET_SECRET)
    assert not try_step(case, token, steps.FINISH_SECRET)

    # THEN both labelled logins still work and nothing moved
    assert case.labelled_values() == labelled
    case.assert_healthy()


# Hostile names and passwords


HOSTILE_ROLES = ['x"; DROP ROLE postgres; --', "o'brien", "üser", "a\\b ' \" ; --"]
HOSTILE_PASSWORD = "p'a\"s;s -- \\ $$ %L %I ü"


@pytest.mark.parametrize("role", HOSTILE_ROLES)
@pytest.mark.parametrize("strategy_name", POSTGRES_STRATEGY_NAMES)
def test_hostile_names_and_passwords_rotate_twice(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    role: str,
    strategy_name: str,
) -> None:
    role = f"{role} {strategy_name[-4:]}"
    case = postgres_case(
        strategy_name, postgres_server, rotation_service, role=role, password=HOSTILE_PASSWORD
    )

    case.rotate_cleanly()
    case.rotate_cleanly()

    assert case.login(AWSCURRENT)[0] in (role, f"{role}_clone")
    assert postgres_server.run("SELECT 1 FROM pg_roles WHERE rolname = 'postgres'") == [[1]]


# The database going away mid-rotation


@pytest.mark.parametrize("strategy_name", POSTGRES_STRATEGY_NAMES)
def test_database_down_between_set_and_test_then_resumed(
    restartable_postgres_server: PostgresServer,
    rotation_service: RotationService,
    strategy_name: str,
) -> None:
    # GIVEN a rotation that set the new password, then the database stopped
    server = restartable_postgres_server
    case = postgres_case(strategy_name, server, rotation_service)
    token = case.service.start(case.secret_arn)
    case.service.run_steps(
        case.strategy, secret_arn=case.secret_arn, token=token, step_names=ALL_STEPS[:2]
    )
    server.stop()

    # WHEN testSecret runs while it is down THEN it fails and nothing moves
    assert not try_step(case, token, steps.TEST_SECRET)
    assert not try_step(case, token, steps.FINISH_SECRET)
    assert AWSPENDING in case.service.stages(case.secret_arn)[token]

    # WHEN the database is back and Secrets Manager retries with the same token
    server.start()
    case.service.run_steps(
        case.strategy, secret_arn=case.secret_arn, token=token, step_names=ALL_STEPS[2:]
    )

    # THEN the rotation completed and AWSCURRENT logs in
    assert case.service.stages(case.secret_arn)[token] == [AWSCURRENT]
    case.assert_healthy()
