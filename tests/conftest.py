"""Shared fixtures: the mock engine, installed per test, and valid catalog/stack data."""

from __future__ import annotations

import copy
from pathlib import Path

import pulumi
import pytest
import yaml

from secretsctl.engine import RecordingMonitor
from secretsctl.mocks import PlanMocks

PROJECT_DIR = Path(__file__).resolve().parent.parent
ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"

VALID_CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "admin-token": {
            "description": "Admin API token",
            "generate": {"length": 64, "special": False},
        },
        "openai-api-key": {"description": "OpenAI API key", "config": "openaiApiKey"},
        "stripe-webhook-secret": {"description": "Set by hand", "external": True},
        "app-config": {
            "description": "A JSON secret",
            "fields": {
                "REDIS_PASSWORD": {"generate": {"length": 32}},
                "SMTP_PASSWORD": {"config": "smtpPassword"},
                "SMTP_HOST": {"value": "smtp.example.com"},
            },
        },
        "prod-only": {
            "description": "Only in prod",
            "generate": {"length": 16},
            "only_in": ["prod"],
        },
    },
    "services": {
        "api": {
            "env": {"ADMIN_TOKEN": "admin-token", "REDIS_PASSWORD": "app-config:REDIS_PASSWORD"},
            "runtime_read": ["openai-api-key"],
        }
    },
}


@pytest.fixture
def catalog_data() -> dict:
    """A fresh, valid catalog as plain data; tests break it on purpose."""
    return copy.deepcopy(VALID_CATALOG)


@pytest.fixture
def write_project(tmp_path: Path):
    """Writes catalog.yaml and Pulumi.<stack>.yaml into tmp_path; returns their paths."""

    def write(catalog: dict, config: dict, *, stack: str = "dev") -> tuple[Path, Path]:
        catalog_path = tmp_path / "catalog.yaml"
        catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
        stack_path = tmp_path / f"Pulumi.{stack}.yaml"
        stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
        return catalog_path, stack_path

    return write


@pytest.fixture
def monitor() -> RecordingMonitor:
    """The mock engine for one test: realistic ARNs, secrets honoured, every resource recorded."""
    mocks = PlanMocks(account_id=ACCOUNT_ID, region=REGION)
    recording = RecordingMonitor(mocks)
    pulumi.runtime.settings.set_root_resource(None)
    pulumi.runtime.set_mocks(
        mocks, project="app-secrets", stack="dev", preview=False, monitor=recording
    )
    return recording


def records_of(monitor: RecordingMonitor, type_: str) -> dict[str, object]:
    """Recorded resources of one type by logical name."""
    return {record.name: record for record in monitor.records.values() if record.type == type_}


def registered(component: pulumi.ComponentResource) -> pulumi.Output[str]:
    """Resolves once every child of `component` is registered (and so recorded).

    Depending on a component waits for all of its children, so a probe that depends on it
    resolves after them: a child no output of the component waits for, say.
    """
    probe = pulumi.ComponentResource(
        "test:probe:Probe", "probe", None, pulumi.ResourceOptions(depends_on=[component])
    )
    return probe.urn


def raw_state(monitor: RecordingMonitor, name: str, type_: str) -> dict:
    """What the mock provider received, secrets revealed: for checking values, never printed."""
    for urn, registration in monitor.resources.items():
        if urn.endswith(f"{type_}::{name}"):
            return registration.state
    raise KeyError(f"{type_} {name} was not registered")


# AWS: moto's server, shared by the rotation and secretsctl tests. moto is imported inside the
# fixtures, so the tests that need no AWS do not pay for importing it.


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Dummy credentials and region, no AWS config files and no profile."""
    from tests.rotation.rotation_service import DUMMY_CREDENTIALS, REGION

    empty_file = tmp_path_factory.getbasetemp() / "empty-aws-file"
    empty_file.touch()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty_file))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def moto_endpoint():
    """The URL of moto's server, started once for the session on 127.0.0.1."""
    from moto.server import ThreadedMotoServer

    from tests.rotation.rotation_service import use_lambda_without_docker

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    use_lambda_without_docker(endpoint_url)
    yield endpoint_url
    server.stop()


@pytest.fixture(scope="session")
def secretsmanager_client(moto_endpoint: str):
    from tests.rotation.rotation_service import aws_client

    return aws_client("secretsmanager", moto_endpoint)


@pytest.fixture
def rotation_service(secretsmanager_client, moto_endpoint: str):
    """Does what Secrets Manager does around a rotation function, against moto's server."""
    from tests.rotation.rotation_service import RotationService

    return RotationService(secretsmanager_client, endpoint_url=moto_endpoint)
