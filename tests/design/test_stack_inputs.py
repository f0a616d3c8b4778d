"""Catalog x stack: the values an environment needs are set, set as secrets, never echoed."""

from __future__ import annotations

import pytest
import yaml

from inputs.exceptions import InputError
from components.inputs import load_inputs

SENTINEL = "SENTINEL-7f3a-do-not-print"


@pytest.fixture
def catalog_file(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    return path


def load(catalog_file, config: dict, secret_keys: set[str], *, stack: str = "dev"):
    return load_inputs(
        project_dir=catalog_file.parent,
        stack=stack,
        stack_file=f"Pulumi.{stack}.yaml",
        config=config,
        secret_keys=secret_keys,
    )


def test_loads_the_secrets_of_the_environment(catalog_file):
    config = {"prefix": "acme", "openaiApiKey": SENTINEL, "smtpPassword": SENTINEL}

    inputs = load(catalog_file, config, {"openaiApiKey", "smtpPassword"})

    assert list(inputs.secrets) == [
        "admin-token",
        "openai-api-key",
        "stripe-webhook-secret",
        "app-config",
    ]
    assert list(inputs.services) == ["api"]


def test_rejects_a_config_value_absent_from_the_stack(catalog_file):
    with pytest.raises(InputError) as caught:
        load(catalog_file, {"prefix": "acme", "smtpPassword": SENTINEL}, {"smtpPassword"})

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it); "
        "run: pulumi config set --secret openaiApiKey <value> --stack dev"
    ]


def test_rejects_a_plaintext_value_without_echoing_it(catalog_file):
    with pytest.raises(InputError) as caught:
        load(
            catalog_file,
            {"prefix": "acme", "openaiApiKey": SENTINEL, "smtpPassword": SENTINEL},
            {"smtpPassword"},
        )

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is stored in plaintext (secrets.openai-api-key needs a "
        "secret); run: pulumi config set --secret openaiApiKey <value> --stack dev"
    ]
    assert SENTINEL not in str(caught.value)


def test_rejects_an_environment_the_catalog_does_not_know(catalog_file):
    with pytest.raises(InputError) as caught:
        load(
            catalog_file,
            {"prefix": "acme", "environment": "qa", "openaiApiKey": "x", "smtpPassword": "x"},
            {"openaiApiKey", "smtpPassword"},
        )

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:environment: 'qa' is not an environment of the catalog; known: dev, prod"
    ]


def test_reports_catalog_and_stack_problems_together(catalog_file, catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load(catalog_file, {"recoveryWindowDays": 3}, set())

    assert caught.value.problems == [
        "catalog.yaml: secrets.admin-token.description: is required",
        "Pulumi.dev.yaml: app-secrets:prefix: is required",
        "Pulumi.dev.yaml: app-secrets:recoveryWindowDays: must be 0 (delete at once) or between 7 and 30, got 3",
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it); "
        "run: pulumi config set --secret openaiApiKey <value> --stack dev",
        "Pulumi.dev.yaml: app-secrets:smtpPassword: is not set (secrets.app-config.fields.SMTP_PASSWORD needs it); "
        "run: pulumi config set --secret smtpPassword <value> --stack dev",
    ]


def test_values_of_secrets_outside_the_environment_are_not_required(catalog_file, catalog_data):
    catalog_data["secrets"]["openai-api-key"]["only_in"] = ["prod"]
    catalog_data["services"]["api"]["runtime_read"] = []
    catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")

    inputs = load(catalog_file, {"prefix": "acme", "smtpPassword": "x"}, {"smtpPassword"})

    assert "openai-api-key" not in inputs.secrets


def test_rejects_a_service_whose_grants_cannot_fit_iam(tmp_path):
    secrets = {f"s{index:04d}": {"description": "x", "external": True} for index in range(1500)}
    catalog = {
        "environments": ["dev"],
        "secrets": secrets,
        "services": {"wide": {"env": {f"V{name}": name for name in secrets}}},
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load(path, {"prefix": "acme"}, set())

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(
        "catalog.yaml: services.wide.env: too many secrets for one IAM role: 1500 secrets need"
    )


def test_rejects_rotated_secrets_that_leave_no_slot_for_the_masters_policy(tmp_path):
    # GIVEN 731 rotated secrets: they fill the rotation role's ten managed-policy slots
    secrets = {
        f"s{index:04d}": {
            "description": "x",
            "external": True,
            "rotation": {"every_days": 30, "strategy": "token"},
        }
        for index in range(731)
    }
    catalog = {"environments": ["dev"], "secrets": secrets}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    assert load(path, {"prefix": "acme"}, set()).secrets

    # WHEN one of them rotates with a master, whose read-only policy needs a slot of its own
    secrets["s0000"]["rotation"] = {
        "every_days": 30,
        "strategy": "postgres-alternating-users",
        "master": "master",
    }
    secrets["master"] = {"description": "x", "external": True}
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")

    # THEN
    with pytest.raises(InputError) as caught:
        load(path, {"prefix": "acme"}, set())
    assert caught.value.problems[0].startswith(
        "catalog.yaml: rotation: too many secrets for one IAM role: 731 secrets need"
    )
