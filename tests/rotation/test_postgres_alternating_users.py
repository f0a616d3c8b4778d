"""The `postgres-alternating-users` strategy, end to end against moto and a real PostgreSQL."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

import pytest

from rotation import steps
from rotation.exceptions import DatabaseLoginError, InvalidSecretValueError
from rotation.postgres_alternating_users import (
    PostgresAlternatingUsersStrategy,
    alternate_username,
)
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT, PasswordPolicy
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.rotation_service import ALL_STEPS, RotationService

STRATEGY = PostgresAlternatingUsersStrategy(
    PasswordPolicy(
        password_length=32,
        exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT,
        exclude_punctuation=False,
    )
)


@dataclass(frozen=True)
class AlternatingSecret:
    secret_arn: str
    master_arn: str
    role: str
    password: str
    table: str

    @property
    def clone(self) -> str:
        return f"{self.role}_clone"


@pytest.fixture
def master_arn(postgres_server: PostgresServer, rotation_service: RotationService) -> str:
    """A secret holding the superuser's credentials."""
    return rotation_service.create_secret(
        postgres_server.secret_value(
            username=postgres_server.superuser, password=postgres_server.superuser_password
        ),
        rotation_enabled=False,
    )


@pytest.fixture
def alternating_secret(
    postgres_server: PostgresServer, rotation_service: RotationService, master_arn: str
) -> AlternatingSecret:
    """A login role that may read one table, and a rotation-enabled secret for it."""
    role = f"alt_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(24)
    table = f"orders_{role}"
    postgres_server.create_login_role(role, password)
    postgres_server.run(f"CREATE TABLE {table} (id integer)")
    postgres_server.run(f"GRANT SELECT ON {table} TO {role}")
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password=password, masterarn=master_arn)
    )
    return AlternatingSecret(
        secret_arn=secret_arn, master_arn=master_arn, role=role, password=password, table=table
    )


def login_of(rotation_service: RotationService, secret_arn: str, stage: str) -> tuple[str, str]:
    value = json.loads(rotation_service.value(secret_arn, stage))
    return value["username"], value["password"]


def can_read_table(postgres_server: PostgresServer, user: str, password: str, table: str) -> bool:
    connection = postgres_server.connect(user=user, password=password)
    try:
        return connection.run(f"SELECT count(*) FROM {table}") == [[0]]
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("username", "other"), [("app", "app_clone"), ("app_clone", "app"), ("clone", "clone_clone")]
)
def test_alternate_username(username: str, other: str) -> None:
    assert alternate_username(username) == other


@pytest.mark.postgres
def test_two_rotations_go_to_the_clone_and_back(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    alternating_secret: AlternatingSecret,
) -> None:
    secret = alternating_secret

    # WHEN the first rotation runs THEN AWSCURRENT is the clone, which has the role's privileges
    first = rotation_service.rotate(STRATEGY, secret.secret_arn)
    clone, clone_password = login_of(rotation_service, secret.secret_arn, AWSCURRENT)
    assert clone == secret.clone
    assert can_read_table(postgres_server, clone, clone_password, secret.table)
    assert login_of(rotation_service, secret.secret_arn, AWSPREVIOUS) == (
        secret.role,
        secret.password,
    )
    assert postgres_server.can_login(secret.role, secret.password)

    # WHEN the second rotation runs THEN AWSCURRENT is the role again, with a new password
    second = rotation_service.rotate(STRATEGY, secret.secret_arn)
    role, role_password = login_of(rotation_service, secret.secret_arn, AWSCURRENT)
    assert role == secret.role
    assert role_password != secret.password
    assert can_read_table(postgres_server, role, role_password, secret.table)
    assert not postgres_server.can_login(secret.role, secret.password)

    # AND both users can log in: the clone with the value that is now AWSPREVIOUS
    assert login_of(rotation_service, secret.secret_arn, AWSPREVIOUS) == (clone, clone_password)
    assert postgres_server.can_login(clone, clone_password)
    assert rotation_service.stages(secret.secret_arn)[second] == [AWSCURRENT]
    assert rotation_service.stages(secret.secret_arn)[first] == [AWSPREVIOUS]
    assert not any(
        AWSPENDING in stages for stages in rotation_service.stages(secret.secret_arn).values()
    )


@pytest.mark.postgres
def test_every_step_twice_rotates_once(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    alternating_secret: AlternatingSecret,
) -> None:
    secret_arn = alternating_secret.secret_arn
    token = rotation_service.start(secret_arn)

    for step in ALL_STEPS:
        rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=step)
        rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=step)

    clone, clone_password = login_of(rotation_service, secret_arn, AWSCURRENT)
    assert clone == alternating_secret.clone
    assert postgres_server.can_login(clone, clone_password)
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]


@pytest.mark.postgres
def test_failed_test_secret_keeps_awscurrent_and_the_same_token_resumes(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    alternating_secret: AlternatingSecret,
) -> None:
    # GIVEN a rotation whose new clone is switched to NOLOGIN out of band after setSecret
    secret_arn = alternating_secret.secret_arn
    token = rotation_service.rotate(STRATEGY, secret_arn, step_names=ALL_STEPS[:2])
    postgres_server.alter_role(alternating_secret.clone, "NOLOGIN")

    # WHEN testSecret runs THEN it fails and AWSCURRENT still is the original role
    with pytest.raises(DatabaseLoginError, match=f"refused role {alternating_secret.clone}"):
        rotation_service.invoke(
            STRATEGY, secret_arn=secret_arn, token=token, step=steps.TEST_SECRET
        )
    assert login_of(rotation_service, secret_arn, AWSCURRENT) == (
        alternating_secret.role,
        alternating_secret.password,
    )

    # WHEN the clone is fixed and Secrets Manager retries with the same token
    postgres_server.alter_role(alternating_secret.clone, "LOGIN")
    rotation_service.run_steps(STRATEGY, secret_arn=secret_arn, token=token)

    # THEN the rotation completes
    clone, clone_password = login_of(rotation_service, secret_arn, AWSCURRENT)
    assert clone == alternating_secret.clone
    assert postgres_server.can_login(clone, clone_password)
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]


@pytest.mark.postgres
def test_rotation_restores_a_revoked_membership(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    alternating_secret: AlternatingSecret,
) -> None:
    secret = alternating_secret
    rotation_service.rotate(STRATEGY, secret.secret_arn)
    rotation_service.rotate(STRATEGY, secret.secret_arn)
    postgres_server.run(f"REVOKE {secret.role} FROM {secret.clone}")

    rotation_service.rotate(STRATEGY, secret.secret_arn)

    clone, clone_password = login_of(rotation_service, secret.secret_arn, AWSCURRENT)
    assert can_read_table(postgres_server, clone, clone_password, secret.table)


@pytest.mark.postgres
def test_a_createrole_master_is_enough(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    # GIVEN a master role that is not a superuser, only CREATEROLE (PostgreSQL 15 and earlier)
    suffix = uuid.uuid4().hex[:8]
    master, role = f"rotator_{suffix}", f"app_{suffix}"
    postgres_server.create_login_role(master, "master-password", attributes="CREATEROLE")
    postgres_server.create_login_role(role, "role-password")
    master_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=master, password="master-password"),
        rotation_enabled=False,
    )
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password="role-password", masterarn=master_arn)
    )

    rotation_service.rotate(STRATEGY, secret_arn)
    rotation_service.rotate(STRATEGY, secret_arn)

    assert postgres_server.can_login(*login_of(rotation_service, secret_arn, AWSCURRENT))
    assert postgres_server.can_login(*login_of(rotation_service, secret_arn, AWSPREVIOUS))


@pytest.mark.postgres
def test_rejects_a_master_secret_for_another_server(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    role = f"alt_{uuid.uuid4().hex[:8]}"
    postgres_server.create_login_role(role, "role-password")
    master_value = json.loads(
        postgres_server.secret_value(
            username=postgres_server.superuser, password=postgres_server.superuser_password
        )
    )
    master_arn = rotation_service.create_secret(
        json.dumps({**master_value, "host": "other.example"}), rotation_enabled=False
    )
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=role, password="role-password", masterarn=master_arn)
    )

    with pytest.raises(
        InvalidSecretValueError, match=f"master secret {master_arn} is for another server"
    ):
        rotation_service.rotate(STRATEGY, secret_arn)
    assert postgres_server.run(
        "SELECT count(*) FROM pg_roles WHERE rolname = :clone", clone=f"{role}_clone"
    ) == [[0]]


@pytest.mark.postgres
def test_rejects_a_secret_without_masterarn(
    postgres_server: PostgresServer, rotation_service: RotationService
) -> None:
    secret_arn = rotation_service.create_secret(
        postgres_server.secret_value(username="app", password="role-password")
    )

    with pytest.raises(
        InvalidSecretValueError,
        match="field 'masterarn' must be the ARN of the master secret, got nothing",
    ):
        rotation_service.rotate(STRATEGY, secret_arn, step_names=(steps.CREATE_SECRET,))


@pytest.mark.postgres
def test_refuses_to_act_when_awscurrent_cannot_log_in(
    postgres_server: PostgresServer,
    rotation_service: RotationService,
    alternating_secret: AlternatingSecret,
) -> None:
    # GIVEN a secret whose AWSCURRENT password no longer works
    postgres_server.alter_role(alternating_secret.role, "PASSWORD %L", password="changed-elsewhere")

    # WHEN setSecret runs THEN it stops before the master touches any role
    with pytest.raises(
        DatabaseLoginError, match="with AWSCURRENT; only a working login is rotated"
    ):
        rotation_service.rotate(STRATEGY, alternating_secret.secret_arn)
    assert postgres_server.run(
        "SELECT count(*) FROM pg_roles WHERE rolname = :clone", clone=alternating_secret.clone
    ) == [[0]]
