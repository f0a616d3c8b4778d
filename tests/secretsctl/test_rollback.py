"""`secretsctl rollback` against moto's server: which labels move, and what it refuses."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import UTC, datetime, timedelta

import pytest

from rotation.secrets_manager import version_with_stage
from tests.secretsctl.moto_stack import Terminal

FIRST = "SENTINEL-rollback-first-51c2"
SECOND = "SENTINEL-rollback-second-9ae0"
EARLIER = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("reads_no_value")


def rotated_once(moto_stack) -> tuple[str, str, str]:
    """api-token rotated by the token function once: (ARN, first version, rotated version)."""
    secret_arn = moto_stack.create("api-token", FIRST, rotation_enabled=True)
    first = version_with_stage(moto_stack.service.stages(secret_arn), "AWSCURRENT")
    rotated = moto_stack.rotate_token(secret_arn)
    return secret_arn, first, rotated


def test_makes_the_previous_version_current_and_the_current_one_previous(moto_stack, capsys):
    # GIVEN a secret rotated once: the first value is AWSPREVIOUS, the rotated one AWSCURRENT
    secret_arn, first, rotated = rotated_once(moto_stack)
    rotated_value = moto_stack.service.value(secret_arn, "AWSCURRENT")

    # WHEN
    status, out, err = moto_stack.run(capsys, "rollback", "api-token")

    # THEN the two labels swap and nothing else changes
    assert status == 0, err
    assert moto_stack.service.stages(secret_arn) == {
        first: ["AWSCURRENT"],
        rotated: ["AWSPREVIOUS"],
    }
    assert moto_stack.service.value(secret_arn, "AWSCURRENT") == FIRST
    assert moto_stack.service.value(secret_arn, "AWSPREVIOUS") == rotated_value
    assert out.splitlines() == [
        f"{moto_stack.full_name('api-token')}: rolled back",
        f"  {first}  AWSCURRENT",
        f"  {rotated}  AWSPREVIOUS",
    ]
    assert FIRST not in out + err and rotated_value not in out + err


def test_rolling_back_twice_swaps_the_labels_back_and_says_it_undid_the_first(
    moto_stack, capsys, version_dates
):
    # GIVEN a secret rotated once, the rotated version created a day after the first
    secret_arn, first, rotated = rotated_once(moto_stack)
    version_dates.update({first: EARLIER, rotated: EARLIER + timedelta(days=1)})

    # WHEN it is rolled back twice
    assert moto_stack.run(capsys, "rollback", "api-token")[0] == 0
    status, out, err = moto_stack.run(capsys, "rollback", "api-token")

    # THEN the second brings the newer version back, and says that it undid the first
    assert status == 0, err
    assert moto_stack.service.stages(secret_arn) == {
        rotated: ["AWSCURRENT"],
        first: ["AWSPREVIOUS"],
    }
    assert out.splitlines() == [
        f"{moto_stack.full_name('api-token')}: undid the earlier rollback: the newer version "
        "is AWSCURRENT again",
        f"  {rotated}  AWSCURRENT",
        f"  {first}  AWSPREVIOUS",
    ]


def test_fails_without_a_previous_version(moto_stack, capsys):
    secret_arn = moto_stack.create("api-token", FIRST, rotation_enabled=True)
    before = moto_stack.service.stages(secret_arn)

    status, out, err = moto_stack.run(capsys, "rollback", "api-token")

    assert status == 1
    assert out == ""
    assert err == (
        f"secretsctl rollback: {moto_stack.full_name('api-token')}: no version is AWSPREVIOUS, "
        "nothing to roll back to\n"
    )
    assert moto_stack.service.stages(secret_arn) == before


def test_refuses_while_a_rotation_is_unfinished(moto_stack, capsys):
    # GIVEN a second rotation started but not finished: a third version is AWSPENDING
    secret_arn, _, rotated = rotated_once(moto_stack)
    pending = moto_stack.service.start(secret_arn)
    before = moto_stack.service.stages(secret_arn)

    status, _, err = moto_stack.run(capsys, "rollback", "api-token")

    assert status == 1
    assert err == (
        f"secretsctl rollback: {moto_stack.full_name('api-token')}: version {pending} is "
        "AWSPENDING, a rotation has not finished; wait for it, or pass --cancel-pending to drop "
        "it and roll back\n"
    )
    assert moto_stack.service.stages(secret_arn) == before
    assert version_with_stage(before, "AWSCURRENT") == rotated


def test_cancel_pending_drops_the_unfinished_rotation_and_rolls_back(moto_stack, capsys):
    secret_arn, first, rotated = rotated_once(moto_stack)
    pending = moto_stack.service.start(secret_arn)

    status, out, err = moto_stack.run(capsys, "rollback", "api-token", "--cancel-pending")

    assert status == 0, err
    assert moto_stack.service.stages(secret_arn) == {
        first: ["AWSCURRENT"],
        rotated: ["AWSPREVIOUS"],
    }
    assert out.splitlines()[-1] == (
        f"  AWSPENDING removed from {pending}: its unfinished rotation was cancelled"
    )
    assert moto_stack.service.value(secret_arn, "AWSCURRENT") == FIRST


def test_removes_an_awspending_label_left_on_the_current_version(moto_stack, capsys):
    # GIVEN finishSecret stopped after moving AWSCURRENT: the current version is also AWSPENDING
    secret_arn, first, rotated = rotated_once(moto_stack)
    moto_stack.service.client.update_secret_version_stage(
        SecretId=secret_arn, VersionStage="AWSPENDING", MoveToVersionId=rotated
    )

    status, out, err = moto_stack.run(capsys, "rollback", "api-token")

    # THEN it does not follow the version to AWSPREVIOUS, where it would block every rotation
    assert status == 0, err
    assert moto_stack.service.stages(secret_arn) == {
        first: ["AWSCURRENT"],
        rotated: ["AWSPREVIOUS"],
    }
    assert out.splitlines()[-1] == (
        f"  AWSPENDING, left on {rotated} by an interrupted rotation, was removed"
    )


def test_rolls_back_an_external_secret(moto_stack, capsys):
    secret_arn = moto_stack.create("partner-key", FIRST)
    moto_stack.service.client.put_secret_value(SecretId=secret_arn, SecretString=SECOND)

    status, out, err = moto_stack.run(capsys, "rollback", "partner-key")

    assert status == 0, err
    assert moto_stack.service.value(secret_arn, "AWSCURRENT") == FIRST
    assert moto_stack.service.value(secret_arn, "AWSPREVIOUS") == SECOND
    assert FIRST not in out + err and SECOND not in out + err


def test_rejects_a_value_the_stack_owns(moto_stack, capsys):
    secret_arn = moto_stack.create("static-token", FIRST)
    moto_stack.service.client.put_secret_value(SecretId=secret_arn, SecretString=SECOND)

    status, _, err = moto_stack.run(capsys, "rollback", "static-token")

    assert status == 2
    assert err == (
        "secretsctl rollback: static-token: its value comes from the stack (generate in "
        "catalog.yaml), not from a rotation: change it there and run pulumi up\n"
    )
    assert moto_stack.service.value(secret_arn, "AWSCURRENT") == SECOND


def test_rejects_postgres_single_user_unless_forced(moto_stack, capsys):
    # GIVEN a single-user login rotated once (its old password no longer works)
    login = {"engine": "postgres", "host": "db.internal", "port": 5432, "dbname": "app"}
    secret_arn = moto_stack.create("db", json.dumps({**login, "password": FIRST}))
    moto_stack.service.client.put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({**login, "password": SECOND})
    )

    refused, _, err = moto_stack.run(capsys, "rollback", "db")
    assert refused == 2
    assert "postgres-single-user rotation changed the database password" in err
    assert json.loads(moto_stack.service.value(secret_arn, "AWSCURRENT"))["password"] == SECOND

    forced, out, err = moto_stack.run(capsys, "rollback", "db", "--force")
    assert forced == 0, err
    assert json.loads(moto_stack.service.value(secret_arn, "AWSCURRENT"))["password"] == FIRST
    assert FIRST not in out + err and SECOND not in out + err


def test_warns_after_a_forced_postgres_single_user_rollback(moto_stack, capsys):
    login = {"engine": "postgres", "host": "db.internal", "port": 5432, "dbname": "app"}
    secret_arn = moto_stack.create("db", json.dumps({**login, "password": FIRST}))
    moto_stack.service.client.put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({**login, "password": SECOND})
    )
    current = version_with_stage(moto_stack.service.stages(secret_arn), "AWSCURRENT")

    status, _, err = moto_stack.run(capsys, "rollback", "db", "--force")

    rotate = f"python -m secretsctl rotate db {shlex.join(moto_stack.options())}"
    assert status == 0, err
    assert err == (
        f"secretsctl rollback: warning: {moto_stack.full_name('db')}: the database password is "
        f"still the one of version {current}, now AWSPREVIOUS, so AWSCURRENT no longer logs in: "
        f"rotate again ({rotate}), or set the role's password to AWSCURRENT's\n"
    )


@pytest.mark.parametrize("arguments", [["api-token"], ["db", "--force"]])
def test_prod_off_a_terminal_needs_yes_even_with_force(prod_stack, capsys, arguments):
    login = {"engine": "postgres", "host": "db.internal", "port": 5432, "dbname": "app"}
    first = {"api-token": FIRST, "db": json.dumps({**login, "password": FIRST})}[arguments[0]]
    secret_arn = prod_stack.create(arguments[0], first)
    prod_stack.service.client.put_secret_value(SecretId=secret_arn, SecretString=SECOND)
    before = prod_stack.service.stages(secret_arn)

    status, out, err = prod_stack.run(capsys, "rollback", *arguments)

    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        f"About to roll back {prod_stack.full_name(arguments[0])} (version "
        f"{version_with_stage(before, 'AWSPREVIOUS')} becomes AWSCURRENT, version "
        f"{version_with_stage(before, 'AWSCURRENT')} becomes AWSPREVIOUS) in environment prod.",
        "secretsctl rollback: environment prod: not on a terminal, so nothing was asked or "
        "changed; pass --yes to confirm",
    ]
    assert prod_stack.service.stages(secret_arn) == before


def test_prod_rolls_back_with_yes_or_when_confirmed_on_a_terminal(prod_stack, capsys, monkeypatch):
    secret_arn = prod_stack.create("api-token", FIRST)
    prod_stack.service.client.put_secret_value(SecretId=secret_arn, SecretString=SECOND)

    status, _, err = prod_stack.run(capsys, "rollback", "api-token", "--yes")
    assert status == 0, err
    assert prod_stack.service.value(secret_arn, "AWSCURRENT") == FIRST

    monkeypatch.setattr(sys, "stdin", Terminal("prod\n"))
    status, _, err = prod_stack.run(capsys, "rollback", "api-token")
    assert status == 0, err
    assert err.endswith("Type prod to go ahead: ")
    assert prod_stack.service.value(secret_arn, "AWSCURRENT") == SECOND
