"""Fixtures for the rotation tests: a clean environment and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rotation.postgres_server import HOST, PostgresServer, running_server

ROTATION_VARIABLES = (
    "STRATEGY",
    "PASSWORD_LENGTH",
    "EXCLUDE_CHARACTERS",
    "EXCLUDE_PUNCTUATION",
    "EXCLUDE_NUMBERS",
    "EXCLUDE_UPPERCASE",
    "EXCLUDE_LOWERCASE",
    "REQUIRE_EACH_INCLUDED_TYPE",
    "SECRETS_MANAGER_ENDPOINT",
)


@pytest.fixture(autouse=True)
def rotation_environment(aws_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared dummy AWS environment (tests/conftest.py), none of the Lambda's variables.

    moto's server and the Secrets Manager fixtures are in tests/conftest.py too: the secretsctl
    tests use them.
    """
    for name in ROTATION_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session."""
    with running_server() as server:
        yield server


@pytest.fixture
def restartable_postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, which the test may stop and start again."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_tls_server() -> Iterator[PostgresServer]:
    """A second real PostgreSQL server, which offers TLS as well as plain TCP.

    Its certificate names 127.0.0.1 only (an IP subjectAltName) and is signed by a throwaway CA,
    `server.tls.ca_file`, that no trust store has.
    """
    with running_server(tls_names=[HOST]) as server:
        yield server
