"""Credentials parsing, pg8000 sessions and role statements, against a real PostgreSQL."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pg8000.exceptions import DatabaseError

from rotation import postgres, postgres_secret, tls
from rotation.exceptions import (
    DatabaseCommandError,
    DatabaseLoginError,
    DatabaseUnavailableError,
)
from rotation.postgres_secret import PostgresCredentials
from tests.rotation.postgres_server import PostgresServer, free_port
from tests.rotation.secret_leaks import assert_no_secret, exception_text
from tests.rotation.test_postgres_secret import PASSWORD


def credentials_for(server: PostgresServer, *, username: str, password: str) -> PostgresCredentials:
    return postgres_secret.parse_credentials(
        server.secret_value(username=username, password=password), source="test"
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers, like a firewalled proxy."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_scram_verifier_has_postgres_format() -> None:
    verifier = postgres.scram_verifier(PASSWORD, source="test")

    assert re.fullmatch(
        r"SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+", verifier
    )
    assert PASSWORD not in verifier
    assert postgres.scram_verifier(PASSWORD, source="test") != verifier, "salted"


def test_describe_database_error_keeps_only_code_and_redacted_message() -> None:
    error = DatabaseError(
        {
            "S": "ERROR",
            "C": "42601",
            "M": f'syntax error at or near "{PASSWORD}"',
            "D": f"detail quoting {PASSWORD[:10]}",
        }
    )

    description = postgres.describe_database_error(error, secret_values=[PASSWORD])

    assert description == 'SQLSTATE 42601: syntax error at or near "[REDACTED]"'


def test_unreachable_server_fails_fast_naming_host_and_port() -> None:
    port = free_port()
    credentials = PostgresCredentials(
        host="127.0.0.1",
        port=port,
        username="app",
        password=PASSWORD,
        dbname="postgres",
        ssl=tls.VERIFY_FULL,
    )
    started = time.perf_counter()

    with pytest.raises(
        DatabaseUnavailableError, match=f"cannot reach PostgreSQL at 127.0.0.1:{port} as role app"
    ) as info:
        postgres.try_login(credentials)

    assert time.perf_counter() - started < postgres.CONNECT_TIMEOUT_SECONDS
    assert_no_secret(exception_text(info.value), [PASSWORD])


def test_silent_server_times_out(silent_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "CONNECT_TIMEOUT_SECONDS", 0.5)
    credentials = PostgresCredentials(
        host="127.0.0.1",
        port=silent_port,
        username="app",
        password=PASSWORD,
        dbname="postgres",
        ssl=tls.DISABLE,
    )
    started = time.perf_counter()

    with pytest.raises(DatabaseUnavailableError, match=f"127.0.0.1:{silent_port}"):
        postgres.try_login(credentials)

    assert time.perf_counter() - started < 3


@pytest.mark.postgres
def test_try_login_is_none_for_a_wrong_password(postgres_server: PostgresServer) -> None:
    credentials = credentials_for(
        postgres_server, username=postgres_server.superuser, password="wrong-password"
    )

    assert postgres.try_login(credentials) is None
    assert postgres.can_login(credentials) is False


@pytest.mark.postgres
def test_unknown_database_is_a_login_error(postgres_server: PostgresServer) -> None:
    credentials = credentials_for(
        postgres_server,
        username=postgres_server.superuser,
        password=postgres_server.superuser_password,
    )

    with pytest.raises(DatabaseLoginError, match="SQLSTATE 3D000") as info:
        postgres.try_login(PostgresCredentials(**{**vars(credentials), "dbname": "missing"}))

    assert_no_secret(exception_text(info.value), [postgres_server.superuser_password])


@pytest.mark.postgres
def test_set_password_quotes_any_role_name_and_password(postgres_server: PostgresServer) -> None:
    # GIVEN a role whose name and new password need quoting
    role = 'Odd "role" name\'s'
    new_password = 'it\'s "quoted" \\ $1 %L %I;--'
    postgres_server.create_login_role(role, "old-password")
    superuser = credentials_for(
        postgres_server,
        username=postgres_server.superuser,
        password=postgres_server.superuser_password,
    )

    # WHEN the superuser sets the password
    session = postgres.try_login(superuser)
    assert session is not None
    with session:
        postgres.set_password(session, role=role, password=new_password)

    # THEN the role logs in with the new password only
    assert postgres_server.can_login(role, new_password)
    assert not postgres_server.can_login(role, "old-password")


@pytest.mark.postgres
def test_stored_password_is_a_scram_verifier(postgres_server: PostgresServer) -> None:
    postgres_server.create_login_role("verifier_check", "old-password")
    superuser = credentials_for(
        postgres_server,
        username=postgres_server.superuser,
        password=postgres_server.superuser_password,
    )

    with postgres.try_login(superuser) as session:
        postgres.set_password(session, role="verifier_check", password=PASSWORD)

    stored = postgres_server.run(
        "SELECT rolpassword FROM pg_authid WHERE rolname = 'verifier_check'"
    )[0][0]
    assert stored.startswith("SCRAM-SHA-256$4096:")


@pytest.mark.postgres
def test_failed_statement_names_the_sqlstate_and_not_the_password(
    postgres_server: PostgresServer,
) -> None:
    superuser = credentials_for(
        postgres_server,
        username=postgres_server.superuser,
        password=postgres_server.superuser_password,
    )

    with (
        postgres.try_login(superuser) as session,
        pytest.raises(
            DatabaseCommandError, match='SQLSTATE 42704: role "no_such_role" does not exist'
        ) as info,
    ):
        postgres.set_password(session, role="no_such_role", password=PASSWORD)

    assert info.value.__context__ is None
    assert_no_secret(exception_text(info.value), [PASSWORD, postgres_server.superuser_password])


@pytest.mark.postgres
def test_create_login_role_then_grant_membership(postgres_server: PostgresServer) -> None:
    postgres_server.create_login_role("member_base", "base-password")
    superuser = credentials_for(
        postgres_server,
        username=postgres_server.superuser,
        password=postgres_server.superuser_password,
    )

    with postgres.try_login(superuser) as session, session.transaction():
        assert not postgres.role_exists(session, "member_clone")
        postgres.create_login_role(session, role="member_clone", password=PASSWORD)
        postgres.grant_role(session, role="member_base", member="member_clone")
        postgres.grant_role(session, role="member_base", member="member_clone")
        assert postgres.role_exists(session, "member_clone")

    assert postgres_server.can_login("member_clone", PASSWORD)
    assert postgres_server.run("SELECT pg_has_role('member_clone', 'member_base', 'MEMBER')") == [
        [True]
    ]
