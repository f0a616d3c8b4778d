"""Reading Pulumi.<stack>.yaml as the engine hands config to the program; secure values stay out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from inputs.exceptions import InputError
from inputs.stackfile import StackConfig, engine_string, read_stack_file

CIPHERTEXT = "v1:SENTINEL-ciphertext"
PROJECT_DIR = Path(__file__).resolve().parents[2]


def write_stack(tmp_path: Path, config: object, *, stack: str = "dev") -> Path:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return path


def test_secure_values_become_secret_keys_and_never_values(tmp_path):
    path = write_stack(
        tmp_path,
        {"app-secrets:prefix": "acme", "app-secrets:openaiApiKey": {"secure": CIPHERTEXT}},
    )

    stack_file = read_stack_file(path)

    assert stack_file.secret_keys == {"app-secrets:openaiApiKey"}
    assert stack_file.config == {"app-secrets:prefix": "acme"}
    assert CIPHERTEXT not in repr(stack_file)
    assert CIPHERTEXT not in repr(stack_file.stack_config())


def test_a_mapping_with_more_than_secure_is_a_plain_structured_value(tmp_path):
    path = write_stack(tmp_path, {"app-secrets:tags": {"secure": "x", "Team": "core"}})

    stack_file = read_stack_file(path)

    assert stack_file.secret_keys == frozenset()
    assert json.loads(stack_file.config["app-secrets:tags"]) == {"secure": "x", "Team": "core"}


def test_values_become_the_strings_the_engine_passes(tmp_path):
    path = write_stack(
        tmp_path,
        {
            "app-secrets:tags": {"Team": "platform", "CostCenter": "1234"},
            "app-secrets:alertEmails": ["security@example.com"],
            "app-secrets:protect": True,
            "app-secrets:createTrail": False,
            "app-secrets:recoveryWindowDays": 7,
            "app-secrets:prefix": "acme",
        },
    )

    config = read_stack_file(path).config

    assert json.loads(config["app-secrets:tags"]) == {"Team": "platform", "CostCenter": "1234"}
    assert json.loads(config["app-secrets:alertEmails"]) == ["security@example.com"]
    assert (config["app-secrets:protect"], config["app-secrets:createTrail"]) == ("true", "false")
    assert config["app-secrets:recoveryWindowDays"] == "7"
    assert config["app-secrets:prefix"] == "acme"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "true"), (False, "false"), (30, "30"), ("main", "main"), ([], "[]"), ({}, "{}")],
)
def test_engine_string(value, expected):
    assert engine_string(value) == expected


def test_a_missing_file_names_the_file(tmp_path):
    path = tmp_path / "Pulumi.nope.yaml"

    with pytest.raises(InputError) as caught:
        read_stack_file(path)

    assert caught.value.problems == [f"{path}: stack file not found"]
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_bad_yaml_names_the_file(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  app-secrets:prefix: [unclosed\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_stack_file(path)

    (line,) = caught.value.problems
    assert line.startswith("Pulumi.dev.yaml: line 3, column 1: not valid YAML: ")
    assert isinstance(caught.value.__cause__, yaml.YAMLError)


def test_bad_yaml_never_quotes_the_line_it_stopped_at(tmp_path):
    # GIVEN a malformed stack file whose bad line holds a plaintext value
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(
        "config:\n  app-secrets:apiKey: [SENTINEL-yaml-3b7d\n  app-secrets:prefix: acme\n",
        encoding="utf-8",
    )

    # WHEN it is read
    with pytest.raises(InputError) as caught:
        read_stack_file(path)

    # THEN the problem says where and what the parser expected, and nothing of the line
    (line,) = caught.value.problems
    assert line.startswith("Pulumi.dev.yaml: line 3, column ")
    assert "SENTINEL" not in line
    assert "apiKey" not in line


def test_rejects_a_config_that_is_not_a_mapping(tmp_path):
    path = write_stack(tmp_path, ["app-secrets:prefix"])

    with pytest.raises(InputError) as caught:
        read_stack_file(path)

    assert caught.value.problems == ["Pulumi.dev.yaml: config: must be a mapping of key -> value"]


@pytest.mark.parametrize("text", ["", "encryptionsalt: abc\n", "config:\n"])
def test_a_file_without_config_has_none(tmp_path, text):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text, encoding="utf-8")

    stack_file = read_stack_file(path)

    assert (stack_file.config, stack_file.secret_keys, stack_file.region) == ({}, frozenset(), None)


def test_stack_config_strips_the_namespace_and_carries_the_region(tmp_path):
    path = write_stack(
        tmp_path,
        {
            "aws:region": "eu-west-1",
            "app-secrets:prefix": "acme",
            "app-secrets:smtpPassword": {"secure": CIPHERTEXT},
            "other:secret": {"secure": CIPHERTEXT},
            "other:key": "x",
        },
        stack="prod",
    )

    assert read_stack_file(path).stack_config() == StackConfig(
        file="Pulumi.prod.yaml",
        values={"prefix": "acme"},
        secret_keys=frozenset({"smtpPassword"}),
        region="eu-west-1",
    )


def test_committed_stack_files_hold_no_plain_value_keys():
    for stack in ("dev", "prod"):
        config = read_stack_file(PROJECT_DIR / f"Pulumi.{stack}.yaml").stack_config()

        assert config.region
        assert config.values["prefix"]
        assert not set(config.values) & config.secret_keys
