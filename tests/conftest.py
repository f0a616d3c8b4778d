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
    pulumi.runtime.set_mocks(
        mocks, project="app-secrets", stack="dev", preview=False, monitor=recording
    )
    return recording


def records_of(monitor: RecordingMonitor, type_: str) -> dict[str, object]:
    """Recorded resources of one type by logical name."""
    return {record.name: record for record in monitor.records.values() if record.type == type_}


def raw_state(monitor: RecordingMonitor, name: str, type_: str) -> dict:
    """What the mock provider received, secrets revealed: for checking values, never printed."""
    for urn, registration in monitor.resources.items():
        if urn.endswith(f"{type_}::{name}"):
            return registration.state
    raise KeyError(f"{type_} {name} was not registered")
