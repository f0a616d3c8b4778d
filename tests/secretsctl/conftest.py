"""Fixtures for the secretsctl operations: a stack in moto, and a client that reads no value."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from secretsctl import operations, status
from tests.secretsctl.moto_stack import MotoStack, unique_prefix, write_stack

ERROR_PAGE = (
    b"<html>\n<head><title>403 Forbidden</title></head>\n<body>\n<h1>Forbidden</h1>\n"
    b"<p>The proxy refused the request.</p>\n</body>\n</html>\n"
)
"""What a proxy in front of an endpoint answers: HTML over several lines."""


def _moto_stack(stack: str, *, service, endpoint_url: str, directory: Path) -> MotoStack:
    prefix = unique_prefix()
    catalog_path, stack_path = write_stack(directory, prefix=prefix, stack=stack)
    return MotoStack(
        service=service,
        endpoint_url=endpoint_url,
        catalog_path=catalog_path,
        stack_path=stack_path,
        prefix=prefix,
        stack=stack,
    )


@pytest.fixture
def moto_stack(aws_environment, rotation_service, moto_endpoint: str, tmp_path: Path) -> MotoStack:
    return _moto_stack(
        "dev", service=rotation_service, endpoint_url=moto_endpoint, directory=tmp_path
    )


@pytest.fixture
def prod_stack(aws_environment, rotation_service, moto_endpoint: str, tmp_path: Path) -> MotoStack:
    """The prod stack of the same catalog: changing it takes a confirmation."""
    return _moto_stack(
        "prod", service=rotation_service, endpoint_url=moto_endpoint, directory=tmp_path
    )


@pytest.fixture
def reads_no_value(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """Every client a command builds refuses GetSecretValue; returns each call and its params."""
    real = operations.secretsmanager_client
    calls: list[tuple[str, dict]] = []

    def client_without_values(target):
        client = real(target)

        def record(params, model, **_):
            calls.append((model.name, dict(params)))
            assert model.name != "GetSecretValue", "secretsctl must never read a secret value"

        client.meta.events.register("provide-client-params.secrets-manager.*", record)
        return client

    # rotate and rollback build their client in operations.operated_secret; status its own
    for module in (operations, status):
        monkeypatch.setattr(module, "secretsmanager_client", client_without_values)
    return calls


@pytest.fixture
def version_dates(monkeypatch: pytest.MonkeyPatch, reads_no_value) -> dict[str, datetime]:
    """CreatedDate by version id, as ListSecretVersionIds answers the commands' clients.

    moto answers every version's CreatedDate with the time of the call; a test fills this
    dict with the dates AWS would give.
    """
    dates: dict[str, datetime] = {}
    wrapped = operations.secretsmanager_client

    def client_with_dates(target):
        client = wrapped(target)

        def rewrite(parsed, **_):
            for version in parsed.get("Versions", []):
                version["CreatedDate"] = dates.get(version["VersionId"], version["CreatedDate"])

        client.meta.events.register("after-call.secrets-manager.ListSecretVersionIds", rewrite)
        return client

    monkeypatch.setattr(operations, "secretsmanager_client", client_with_dates)
    return dates


@pytest.fixture
def no_aws_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """One attempt per call, so a refused connection fails at once; no instance metadata."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def closed_endpoint(no_aws_retries) -> str:
    """An endpoint on 127.0.0.1 whose port nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _ErrorPage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(403)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(ERROR_PAGE)))
        self.end_headers()
        self.wfile.write(ERROR_PAGE)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def html_endpoint(no_aws_retries) -> Iterator[str]:
    """An endpoint that answers every call with a multi-line HTML error page (403)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ErrorPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
