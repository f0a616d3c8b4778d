"""Fixtures for the secretsctl operations: a stack in moto, and a client that reads no value."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsctl import operations, status
from tests.secretsctl.moto_stack import MotoStack, unique_prefix, write_stack


@pytest.fixture
def moto_stack(aws_environment, rotation_service, moto_endpoint: str, tmp_path: Path) -> MotoStack:
    prefix = unique_prefix()
    catalog_path, stack_path = write_stack(tmp_path, prefix=prefix)
    return MotoStack(
        service=rotation_service,
        endpoint_url=moto_endpoint,
        catalog_path=catalog_path,
        stack_path=stack_path,
        prefix=prefix,
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
