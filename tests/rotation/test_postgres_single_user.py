"""The `postgres-single-user` strategy, end to end against moto and a real PostgreSQL."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from dataclasses import dataclass

import pytest

from rotation import steps
from rotation.exceptions import (
    DatabaseLoginError,
    DatabaseUnavailableError,
    InvalidSecretValueError,
)
from rotation.postgres_single_user import PostgresSingleUserStrategy
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT, PasswordPolicy
from tests.rotation.postgres_server import PostgresServer, free_port
from tests.rotation.rotation_service import ALL_STEPS, RotationService
from tests.rotation.secret_leaks import assert_no_secret, exception_text

pytestmark = pytest.mark.postgres

STRATEGY = PostgresSingleUserStrategy(
    PasswordPolicy(
        password_length=32,
        exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT,
        exclude_punctuation=False,
    )
)


@dataclass(frozen=True)
class DatabaseSecret:
    secret_arn: str
    role: str
    password: str


@pytest.fixture
def database_secret(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> DatabaseSecret:
    """A login role and a rotation-enabled secret holding its credentials."""
    role = f"single_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    postgres_server.create_login_role(role, password)
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password=password, note="kept")
    )
    return DatabaseSecret(secret_arn=secret_arn, role=role, password=password)


def password_of(
    rotation_service: RotationService, secret_arn: str, stage: str, **kwargs: str
) -> str:
    return json.loads(rotation_service.value(secret_arn, stage, **kwargs))["password"]


def test_rotation_sets_a_new_password_and_retires_the_old_one(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    database_secret: DatabaseSecret,
) -> None:
    old_value = json.loads(rotation_service.value(database_secret.secret_arn, AWSCURRENT))

    token = rotation_service.rotate(STRATEGY, database_secret.secret_arn)

    new_value = json.loads(rotation_service.value(database_secret.secret_arn, AWSCURRENT))
    assert new_value["password"] != database_secret.password
    assert {**new_value, "password": None} == {**old_value, "password": None}
    assert rotation_service.stages(database_secret.secret_arn)[token] == [AWSCURRENT]
    assert json.loads(rotation_service.value(database_secret.secret_arn, AWSPREVIOUS)) == old_value
    assert not any(
        AWSPENDING in stages
        for stages in rotation_service.stages(database_secret.secret_arn).values()
    )
    assert postgres_server.can_login(database_secret.role, new_value["password"])
    assert not postgres_server.can_login(database_secret.role, database_secret.password)


def test_every_step_twice_rotates_once(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    database_secret: DatabaseSecret,
) -> None:
    token = rotation_service.start(database_secret.secret_arn)

    for step in ALL_STEPS:
        rotation_service.invoke(
            STRATEGY, secret_arn=database_secret.secret_arn, token=token, step=step
        )
        rotation_service.invoke(
            STRATEGY, secret_arn=database_secret.secret_arn, token=token, step=step
        )

    new_password = password_of(rotation_service, database_secret.secret_arn, AWSCURRENT)
    assert rotation_service.stages(database_secret.secret_arn)[token] == [AWSCURRENT]
    assert postgres_server.can_login(database_secret.role, new_password)


def test_failed_test_secret_keeps_awscurrent_and_the_same_token_resumes(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    database_secret: DatabaseSecret,
) -> None:
    # GIVEN a rotation whose role is switched to NOLOGIN out of band after setSecret
    secret_arn = database_secret.secret_arn
    current_before = rotation_service.value(secret_arn, AWSCURRENT)
    token = rotation_service.rotate(STRATEGY, secret_arn, step_names=ALL_STEPS[:2])
    postgres_server.alter_role(database_secret.role, "NOLOGIN")

    # WHEN testSecret runs THEN it fails and AWSCURRENT is untouched
    with pytest.raises(DatabaseLoginError, match=f"refused role {database_secret.role}"):
        rotation_service.invoke(
            STRATEGY, secret_arn=secret_arn, token=token, step=steps.TEST_SECRET
        )
    assert rotation_service.value(secret_arn, AWSCURRENT) == current_before
    assert rotation_service.stages(secret_arn)[token] == [AWSPENDING]

    # WHEN the role is fixed and Secrets Manager retries with the same token
    postgres_server.alter_role(database_secret.role, "LOGIN")
    rotation_service.run_steps(STRATEGY, secret_arn=secret_arn, token=token)

    # THEN the rotation completes with the value createSecret made the first time
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]
    new_password = password_of(rotation_service, secret_arn, AWSCURRENT)
    assert postgres_server.can_login(database_secret.role, new_password)


def test_database_down_fails_naming_host_and_port_only(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    # GIVEN a secret for a database that does not answer
    port = free_port()
    old_password = secrets.token_urlsafe(24)
    secret_value = json.loads(postgres_server.secret_value(username="app", password=old_password))
    secret_arn = rotation_service.create_secret(json.dumps({**secret_value, "port": port}))
    token = rotation_service.rotate(STRATEGY, secret_arn, step_names=(steps.CREATE_SECRET,))

    # WHEN setSecret runs THEN it fails fast with host:port and without any password
    with pytest.raises(
        DatabaseUnavailableError, match=f"cannot reach PostgreSQL at 127.0.0.1:{port}"
    ) as info:
        rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=steps.SET_SECRET)
    pending_password = password_of(rotation_service, secret_arn, AWSPENDING, version_id=token)
    assert_no_secret(exception_text(info.value), [old_password, pending_password])
    assert password_of(rotation_service, secret_arn, AWSCURRENT) == old_password


def test_logs_in_with_awsprevious_when_the_database_went_back_to_it(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    database_secret: DatabaseSecret,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN a database restored to the password before the last rotation
    rotation_service.rotate(STRATEGY, database_secret.secret_arn)
    postgres_server.alter_role(
        database_secret.role, "PASSWORD %L", password=database_secret.password
    )

    # WHEN the next rotation runs
    caplog.set_level(logging.INFO, logger="rotation")
    token = rotation_service.rotate(STRATEGY, database_secret.secret_arn)

    # THEN it logged in with AWSPREVIOUS and set the new password
    assert (
        f"setSecret: secret {database_secret.secret_arn} version {token}: "
        f"set the password of role {database_secret.role}, logged in as AWSPREVIOUS"
    ) in caplog.messages
    new_password = password_of(rotation_service, database_secret.secret_arn, AWSCURRENT)
    assert postgres_server.can_login(database_secret.role, new_password)


def test_rejects_a_pending_value_for_another_role(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    database_secret: DatabaseSecret,
) -> None:
    # GIVEN someone who staged their own AWSPENDING value, for the superuser
    token = rotation_service.start(database_secret.secret_arn)
    rotation_service.client.put_secret_value(
        SecretId=database_secret.secret_arn,
        ClientRequestToken=token,
        SecretString=postgres_server.secret_value(
            username=postgres_server.superuser, password="taken-over"
        ),
        VersionStages=[AWSPENDING],
    )

    # WHEN setSecret runs THEN it refuses, and the superuser's password is unchanged
    with pytest.raises(
        InvalidSecretValueError, match="AWSCURRENT differs from AWSPENDING in username"
    ):
        rotation_service.invoke(
            STRATEGY, secret_arn=database_secret.secret_arn, token=token, step=steps.SET_SECRET
        )
    assert postgres_server.can_login(postgres_server.superuser, postgres_server.superuser_password)


def test_rotates_a_role_whose_name_needs_quoting(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    role = f'Mixed "Case" {uuid.uuid4().hex[:6]}'
    password = secrets.token_urlsafe(24)
    postgres_server.create_login_role(role, password)
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password=password)
    )

    rotation_service.rotate(STRATEGY, secret_arn)

    assert postgres_server.can_login(role, password_of(rotation_service, secret_arn, AWSCURRENT))
    assert not postgres_server.can_login(role, password)
