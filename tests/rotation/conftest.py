"""Fixtures for the rotation tests: moto's server, a Secrets Manager client, a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from moto.server import ThreadedMotoServer

from tests.rotation.postgres_server import (
    BINARIES_MISSING,
    PostgresServer,
    PostgresServerError,
    find_bin_dir,
    remove_directory,
    start_server,
)
from tests.rotation.rotation_service import (
    DUMMY_CREDENTIALS,
    REGION,
    RotationService,
    aws_client,
    use_lambda_without_docker,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

ROTATION_VARIABLES = (
    "STRATEGY",
    "PASSWORD_LENGTH",
    "EXCLUDE_CHARACTERS",
    "EXCLUDE_PUNCTUATION",
    "SECRETS_MANAGER_ENDPOINT",
)


@pytest.fixture(autouse=True)
def aws_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Dummy credentials and region, no AWS config files, none of the Lambda's variables."""
    empty_file = tmp_path_factory.getbasetemp() / "empty-aws-file"
    empty_file.touch()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty_file))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", *ROTATION_VARIABLES):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of moto's server, started once for the session on 127.0.0.1."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    use_lambda_without_docker(endpoint_url)
    yield endpoint_url
    server.stop()


@pytest.fixture(scope="session")
def secretsmanager_client(moto_endpoint: str) -> BaseClient:
    return aws_client("secretsmanager", moto_endpoint)


@pytest.fixture
def rotation_service(secretsmanager_client: BaseClient, moto_endpoint: str) -> RotationService:
    return RotationService(secretsmanager_client, endpoint_url=moto_endpoint)


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
