"""`postgres-alternating-users` with RDS: a master secret RDS manages, and read replicas.

End to end: moto's RDS and Secrets Manager, a real PostgreSQL behind every RDS endpoint name
(tests/rotation/rds_databases.py), and the strategy's own RDS client, pointed at moto with
AWS_ENDPOINT_URL_RDS as a Lambda's would point at RDS.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from rotation.exceptions import InvalidSecretValueError
from rotation.postgres_alternating_users import (
    PostgresAlternatingUsersStrategy,
    _login_as_master,
)
from rotation.postgres_secret import parse_credentials
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import POSTGRES_EXCLUDE_CHARACTERS_DEFAULT, PasswordPolicy
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.rds_databases import (
    create_instance,
    create_replica,
    ensure_login_role,
    rds_dns_fixture,  # noqa: F401
    rds_environment_fixture,  # noqa: F401
    rds_fixture,  # noqa: F401
    rds_postgres_server_fixture,  # noqa: F401
)
from tests.rotation.rotation_service import ALL_STEPS, RotationService

STRATEGY = PostgresAlternatingUsersStrategy(
    PasswordPolicy(
        password_length=32,
        exclude_characters=POSTGRES_EXCLUDE_CHARACTERS_DEFAULT,
        exclude_punctuation=False,
    )
)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("rds_dns", "rds_environment")]


@dataclass(frozen=True)
class Database:
    """An RDS instance whose master secret RDS manages, and a login role in it."""

    instance: dict[str, Any]
    master_arn: str
    role: str
    password: str
    table: str

    @property
    def address(self) -> str:
        return self.instance["Endpoint"]["Address"]


@pytest.fixture
def trust_the_test_ca(monkeypatch: pytest.MonkeyPatch, rds_postgres_server: PostgresServer):
    """The server's CA as the system trust store: RDS's endpoints are verified with TLS."""
    assert rds_postgres_server.tls is not None
    monkeypatch.setenv("SSL_CERT_FILE", str(rds_postgres_server.tls.ca_file))


@pytest.fixture
def database(
    rds: Any,
    rds_postgres_server: PostgresServer,
    secretsmanager_client: Any,
    trust_the_test_ca: None,
) -> Database:
    server = rds_postgres_server
    instance = create_instance(rds, port=server.port, managed=True)
    master_arn = instance["MasterUserSecret"]["SecretArn"]
    master = json.loads(secretsmanager_client.get_secret_value(SecretId=master_arn)["SecretString"])
    ensure_login_role(server, username=master["username"], password=master["password"])
    role, password = f"rds_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    table = f"orders_{role}"
    server.create_login_role(role, password)
    server.run(f"CREATE TABLE {table} (id integer)")
    server.run(f"GRANT SELECT ON {table} TO {role}")
    return Database(
        instance=instance, master_arn=master_arn, role=role, password=password, table=table
    )


def user_secret(
    rotation_service: RotationService, server: PostgresServer, database: Database, *, host: str
) -> str:
    """A rotation-enabled secret of the role, as RDS's console writes one: no `ssl` field."""
    return rotation_service.create_secret(
        server.secret_value(
            username=database.role,
            password=database.password,
            host=host,
            masterarn=database.master_arn,
            ssl=None,
        )
    )


def login_of(rotation_service: RotationService, secret_arn: str, stage: str) -> tuple[str, str]:
    value = json.loads(rotation_service.value(secret_arn, stage))
    return value["username"], value["password"]


def can_read_table(server: PostgresServer, user: str, password: str, table: str) -> bool:
    connection = server.connect(user=user, password=password)
    try:
        return connection.run(f"SELECT count(*) FROM {table}") == [[0]]
    finally:
        connection.close()


def clone_exists(server: PostgresServer, role: str) -> bool:
    return server.run(
        "SELECT count(*) FROM pg_roles WHERE rolname = :clone", clone=f"{role}_clone"
    ) == [[1]]


def test_two_rotations_with_the_master_secret_rds_manages(
    rds_postgres_server: PostgresServer,
    rotation_service: RotationService,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN a secret of a role, on the instance's endpoint, whose masterarn is RDS's own secret
    server = rds_postgres_server
    secret_arn = user_secret(rotation_service, server, database, host=database.address)
    master_value = rotation_service.value(database.master_arn, AWSCURRENT)

    # WHEN it rotates twice
    with caplog.at_level(logging.DEBUG, logger="rotation"):
        rotation_service.rotate(STRATEGY, secret_arn)
        clone, clone_password = login_of(rotation_service, secret_arn, AWSCURRENT)
        rotation_service.rotate(STRATEGY, secret_arn)

    # THEN the master found its server through RDS, and the two users alternate
    assert clone == f"{database.role}_clone"
    assert can_read_table(server, clone, clone_password, database.table)
    role, role_password = login_of(rotation_service, secret_arn, AWSCURRENT)
    assert role == database.role and role_password != database.password
    assert can_read_table(server, role, role_password, database.table)
    assert login_of(rotation_service, secret_arn, AWSPREVIOUS) == (clone, clone_password)
    assert server.can_login(clone, clone_password)
    assert not any(AWSPENDING in stages for stages in rotation_service.stages(secret_arn).values())
    # AND RDS's secret is read, never written, and its value never logged
    assert rotation_service.value(database.master_arn, AWSCURRENT) == master_value
    assert json.loads(master_value)["password"] not in caplog.text
    assert f"master secret {database.master_arn} is managed by RDS" in caplog.text


def test_a_user_on_a_read_replica_is_rotated_on_the_primary(
    rds: Any,
    rds_postgres_server: PostgresServer,
    rotation_service: RotationService,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN a secret whose host is a read replica of the instance whose master secret RDS manages
    server = rds_postgres_server
    replica = create_replica(rds, source=database.instance)
    secret_arn = user_secret(
        rotation_service, server, database, host=replica["Endpoint"]["Address"]
    )

    # WHEN
    with caplog.at_level(logging.INFO, logger="rotation"):
        rotation_service.rotate(STRATEGY, secret_arn)

    # THEN the roles were changed through the primary's endpoint, and the clone works
    clone, clone_password = login_of(rotation_service, secret_arn, AWSCURRENT)
    assert clone == f"{database.role}_clone"
    assert can_read_table(server, clone, clone_password, database.table)
    assert (
        f"host {replica['Endpoint']['Address']} is a read replica of the database of master "
        f"secret {database.master_arn}: the roles are changed on {database.address}"
    ) in caplog.text


def test_refuses_a_user_on_another_instance_and_changes_nothing(
    rds: Any,
    rds_postgres_server: PostgresServer,
    rotation_service: RotationService,
    database: Database,
) -> None:
    # GIVEN a secret whose host is an instance that RDS does not describe as a replica
    server = rds_postgres_server
    other = create_instance(rds, port=server.port)
    other_host = other["Endpoint"]["Address"]
    secret_arn = user_secret(rotation_service, server, database, host=other_host)

    # WHEN the rotation reaches setSecret THEN it refuses before the master touches any role
    with pytest.raises(InvalidSecretValueError) as info:
        rotation_service.rotate(STRATEGY, secret_arn, step_names=ALL_STEPS[:2])

    assert f"master secret {database.master_arn} is for another server: host {other_host} is " in (
        str(info.value)
    )
    assert f"neither its host {database.address} nor" in str(info.value)
    assert not clone_exists(server, database.role)
    assert server.can_login(database.role, database.password)
    assert login_of(rotation_service, secret_arn, AWSCURRENT) == (database.role, database.password)


def test_refuses_a_master_on_the_users_host_name_but_another_port(
    rds_postgres_server: PostgresServer, rotation_service: RotationService, database: Database
) -> None:
    # GIVEN a user's login on the instance's host name, but not on the port RDS gives for it
    server = rds_postgres_server
    current = parse_credentials(
        server.secret_value(
            username=database.role,
            password=database.password,
            host=database.address,
            port=server.port + 1,
            ssl=None,
        ),
        source="test",
    )

    # WHEN the master is looked up THEN it is refused before it logs in: the same name, another
    # server
    with pytest.raises(
        InvalidSecretValueError,
        match=f"master secret {database.master_arn} is for another server \\(port differs\\)",
    ):
        _login_as_master(
            rotation_service.client,
            master_arn=database.master_arn,
            current=current,
            secret_arn="S",
            token="T",
        )
