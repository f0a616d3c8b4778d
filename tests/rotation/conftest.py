"""Fixtures for the rotation tests: a clean environment and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rotation.postgres_server import (
    BINARIES_MISSING,
    PostgresServer,
    PostgresServerError,
    find_bin_dir,
    remove_directory,
    start_server,
)

ROTATION_VARIABLES = (
    "STRATEGY",
    "PASSWORD_LENGTH",
    "EXCLUDE_CHARACTERS",
    "EXCLUDE_PUNCTUATION",
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
    """A real PostgreSQL server for the session; the tests fail, never skip, without one."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(BINARIES_MISSING)
    try:
        server = start_server(bin_dir)
    except PostgresServerError as exc:
        pytest.fail(f"could not start PostgreSQL from {bin_dir}: {exc}")
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            remove_directory(server)
