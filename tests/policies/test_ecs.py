"""Tests for policies.ecs: no credentials in container environment variables (ECS.8)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.ecs import TASK_DEFINITION, no_credentials_in_container_environment
from policies.model import Opaque, Resource


def _task(*environment: dict[str, Any], secrets: list[dict[str, str]] | None = None) -> Resource:
    container = {
        "name": "app",
        "image": "acme/app:1",
        "environment": list(environment),
        "secrets": secrets or [],
    }
    return Resource(
        type=TASK_DEFINITION,
        urn=f"urn:pulumi:dev::app-secrets::{TASK_DEFINITION}::app",
        name="app",
        props={"containerDefinitions": json.dumps([container])},
    )


def _variable(name: str, value: Any = "x") -> dict[str, Any]:
    return {"name": name, "value": value}


def test_plain_settings_and_secrets_block_pass() -> None:
    task = _task(
        _variable("LOG_LEVEL", "info"),
        _variable("DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"),
        secrets=[{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:...:password::"}],
    )

    assert no_credentials_in_container_environment(task) == []


def test_unknown_container_definitions_are_not_reported() -> None:
    task = Resource(
        type=TASK_DEFINITION, urn="u", name="n", props={"containerDefinitions": Opaque.UNKNOWN}
    )

    assert no_credentials_in_container_environment(task) == []


@pytest.mark.parametrize(
    "name",
    [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "ECS_ENGINE_AUTH_DATA",
        "DB_PASSWORD",
        "client_secret",
        "GITHUB_TOKEN",
        "STRIPE_API_KEY",
        "TLS_PRIVATE_KEY",
        "PASSWORD_ARN",  # named *_ARN but holds a value, not an ARN
    ],
)
def test_rejects_credential_in_environment(name: str) -> None:
    [violation] = no_credentials_in_container_environment(_task(_variable(name, "hunter2")))

    assert f"Container 'app' puts {name}" in violation.message
    assert '"secrets"' in violation.fix
    assert violation.rule == "no-credentials-in-container-environment" and violation.mandatory


def test_rejects_unreadable_container_definitions() -> None:
    task = Resource(type=TASK_DEFINITION, urn="u", name="n", props={"containerDefinitions": "{"})

    [violation] = no_credentials_in_container_environment(task)

    assert "not valid JSON" in violation.message


def _task_of(*containers: dict) -> Resource:
    return Resource(
        type="aws:ecs/taskDefinition:TaskDefinition",
        urn="urn:pulumi:dev::app-secrets::td",
        name="td",
        props={"containerDefinitions": json.dumps(list(containers))},
    )


def test_a_read_only_unprivileged_container_passes() -> None:
    from policies.ecs import not_privileged, read_only_root_filesystem

    task = _task_of({"name": "api", "readonlyRootFilesystem": True, "privileged": False})

    assert read_only_root_filesystem(task) == [] and not_privileged(task) == []


@pytest.mark.parametrize(
    "container", [{"name": "api"}, {"name": "api", "readonlyRootFilesystem": False}]
)
def test_fails_a_container_that_can_write_its_root_filesystem(container: dict) -> None:
    from policies.ecs import read_only_root_filesystem

    [violation] = read_only_root_filesystem(_task_of(container))

    assert violation.rule == "ecs-read-only-root-filesystem"
    assert "'api'" in violation.message


def test_fails_a_privileged_container() -> None:
    from policies.ecs import not_privileged

    [violation] = not_privileged(_task_of({"name": "api", "privileged": True}))

    assert violation.rule == "ecs-not-privileged"
