"""The program's door in: the engine's config becomes StackInputs, or one clean RunError."""

from __future__ import annotations

import pulumi
import pytest
import yaml
from pulumi.runtime import config as runtime_config

from components.runtime import engine_config, program_inputs, secret_config_values

SENTINEL = "SENTINEL-runtime-4c1e-never-print"


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch):
    """Sets the engine's config for one test, as the language host would; cleared afterwards."""
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)

    def configure(config: dict[str, str], secret_keys: list[str]) -> None:
        runtime_config.set_all_config(config, secret_keys)

    yield configure
    runtime_config.set_all_config({}, [])


@pytest.fixture
def project(tmp_path, catalog_data):
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog_data), encoding="utf-8")
    return tmp_path


def test_engine_config_strips_the_namespace_and_keeps_which_keys_are_secrets(engine):
    engine(
        {
            "app-secrets:prefix": "acme",
            "app-secrets:openaiApiKey": SENTINEL,
            "aws:region": "eu-west-1",
        },
        ["app-secrets:openaiApiKey"],
    )

    config = engine_config("dev")

    assert config.file == "Pulumi.dev.yaml"
    assert config.values == {"prefix": "acme", "openaiApiKey": SENTINEL}
    assert config.secret_keys == frozenset({"openaiApiKey"})
    assert config.region == "eu-west-1"


def test_program_inputs_validates_the_running_stack(engine, project, monitor):
    engine(
        {
            "aws:region": "eu-west-1",
            "app-secrets:prefix": "acme",
            "app-secrets:openaiApiKey": SENTINEL,
            "app-secrets:smtpPassword": SENTINEL,
        },
        ["app-secrets:openaiApiKey", "app-secrets:smtpPassword"],
    )

    inputs = program_inputs(project)

    assert inputs.names.secret_path == "acme/dev/"
    assert "prod-only" not in inputs.secrets


def test_rejects_bad_input_with_one_run_error_listing_every_problem(engine, project, monitor):
    # GIVEN a bad prefix and a value stored in plaintext
    engine(
        {
            "app-secrets:prefix": "Not Valid",
            "app-secrets:openaiApiKey": SENTINEL,
            "app-secrets:smtpPassword": SENTINEL,
        },
        ["app-secrets:smtpPassword"],
    )

    # WHEN the program reads its inputs
    with pytest.raises(pulumi.RunError) as caught:
        program_inputs(project)

    # THEN both problems are reported at once (the engine prints no traceback for RunError)
    message = str(caught.value)
    assert message.startswith("invalid input:\n")
    assert "app-secrets:prefix" in message
    assert "app-secrets:openaiApiKey: is stored in plaintext" in message
    assert SENTINEL not in message


@pulumi.runtime.test
def test_secret_config_values_are_pulumi_secrets(engine, project, monitor):
    engine(
        {
            "aws:region": "eu-west-1",
            "app-secrets:prefix": "acme",
            "app-secrets:openaiApiKey": SENTINEL,
            "app-secrets:smtpPassword": SENTINEL,
        },
        ["app-secrets:openaiApiKey", "app-secrets:smtpPassword"],
    )
    values = secret_config_values(program_inputs(project))

    assert set(values) == {"openaiApiKey", "smtpPassword"}

    async def check():
        for value in values.values():
            assert await value.is_secret()

    return pulumi.Output.from_input(check())
