"""The catalog: the committed file loads, and every kind of bad input is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inputs.catalog import load_catalog, parse_catalog, split_reference
from inputs.exceptions import InputError

PROJECT_DIR = Path(__file__).resolve().parents[2]


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def test_committed_catalog_loads():
    catalog = load_catalog(PROJECT_DIR / "catalog.yaml")

    assert catalog.environments == ["dev", "prod"]
    assert {"admin-token", "openai-api-key", "stripe-webhook-secret", "app-config"} <= set(
        catalog.secrets
    )
    assert catalog.secrets["app-config"].source == "fields"
    assert catalog.secrets["stripe-webhook-secret"].source == "external"


def test_valid_catalog_parses_with_defaults(catalog_data):
    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    generate = catalog.secrets["app-config"].fields["REDIS_PASSWORD"].generate
    assert (generate.length, generate.special, generate.generation) == (32, True, 1)
    assert catalog.services["api"].task is None
    assert list(catalog.secrets_in("dev")) == [
        "admin-token",
        "openai-api-key",
        "stripe-webhook-secret",
        "app-config",
    ]
    assert "prod-only" in catalog.secrets_in("prod")


def test_config_uses_name_the_path(catalog_data):
    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.config_uses() == [
        ("openaiApiKey", "openai-api-key", "secrets.openai-api-key"),
        ("smtpPassword", "app-config", "secrets.app-config.fields.SMTP_PASSWORD"),
    ]


def test_split_reference():
    assert split_reference("app-config:REDIS_PASSWORD") == ("app-config", "REDIS_PASSWORD")
    assert split_reference("admin-token") == ("admin-token", None)


def test_rejects_unknown_keys_naming_what_is_allowed(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"]["lenght"] = 12
    catalog_data["secrets"]["admin-token"]["owner"] = "me"
    catalog_data["extra"] = 1

    problems = problems_of(catalog_data)

    assert "catalog.yaml: extra: unknown key; allowed: environments, secrets, services" in problems
    assert (
        "catalog.yaml: secrets.admin-token.generate.lenght: unknown key; "
        "allowed: length, special, exclude_characters, generation"
    ) in problems
    assert any(
        line.startswith(
            "catalog.yaml: secrets.admin-token.owner: unknown key; allowed: description"
        )
        for line in problems
    )


def test_rejects_bad_names(catalog_data):
    catalog_data["secrets"]["bad name!"] = {"description": "x", "external": True}
    catalog_data["services"]["Bad_Service"] = {}
    catalog_data["services"]["api"]["env"]["1BAD"] = "admin-token"

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.bad name!: bad name: must be 1-256 letters, digits and /_+=.@-"
        in problems
    )
    assert any(line.startswith("catalog.yaml: services.Bad_Service: bad name") for line in problems)
    assert any(line.startswith("catalog.yaml: services.api.env.1BAD") for line in problems)


def test_rejects_missing_description(catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.description: is required"
    ]


@pytest.mark.parametrize(
    ("body", "got"),
    [
        ({"description": "x"}, "none"),
        ({"description": "x", "generate": {"length": 12}, "config": "someKey"}, "generate, config"),
        ({"description": "x", "config": "someKey", "external": True}, "config, external"),
    ],
)
def test_rejects_zero_or_two_value_sources(catalog_data, body, got):
    catalog_data["secrets"]["broken"] = body

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.broken: needs exactly one value source of generate, config, "
        f"external, fields; got {got}"
    ]


def test_rejects_field_with_two_sources(catalog_data):
    catalog_data["secrets"]["app-config"]["fields"]["SMTP_HOST"]["config"] = "smtpHost"

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.app-config.fields.SMTP_HOST: needs exactly one of generate, config, value; "
        "got config, value"
    ]


@pytest.mark.parametrize("length", [0, 7, 4097])
def test_rejects_lengths_out_of_range(catalog_data, length):
    catalog_data["secrets"]["admin-token"]["generate"]["length"] = length

    assert problems_of(catalog_data) == [
        f"catalog.yaml: secrets.admin-token.generate.length: must be between 8 and 4096, got {length}"
    ]


def test_rejects_wrong_types_saying_what_was_received(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"]["length"] = "64"
    catalog_data["secrets"]["admin-token"]["generate"]["special"] = "no"

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.admin-token.generate.length: must be a whole number, got '64'"
        in problems
    )
    assert (
        "catalog.yaml: secrets.admin-token.generate.special: must be true or false, got 'no'"
        in problems
    )


def test_rejects_excluding_letters(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"]["exclude_characters"] = "l1!"

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.generate.exclude_characters: can only exclude punctuation "
        "(!@#$%&*()-_=+[]{}<>:?); got '1l'"
    ]


def test_rejects_env_reference_to_unknown_secret_or_field(catalog_data):
    catalog_data["services"]["api"]["env"]["MISSING"] = "no-such-secret"
    catalog_data["services"]["api"]["env"]["NO_FIELD"] = "app-config:NOPE"
    catalog_data["services"]["api"]["runtime_read"].append("ghost")

    problems = problems_of(catalog_data)

    assert "catalog.yaml: services.api.env.MISSING: unknown secret 'no-such-secret'" in problems
    assert (
        "catalog.yaml: services.api.env.NO_FIELD: 'app-config' has no field 'NOPE'; "
        "fields: REDIS_PASSWORD, SMTP_PASSWORD, SMTP_HOST"
    ) in problems
    assert "catalog.yaml: services.api.runtime_read: unknown secret 'ghost'" in problems


def test_rejects_json_key_reference_on_a_string_secret(catalog_data):
    catalog_data["services"]["api"]["env"]["ADMIN_TOKEN"] = "admin-token:value"

    assert problems_of(catalog_data) == [
        "catalog.yaml: services.api.env.ADMIN_TOKEN: 'admin-token' is not a JSON secret (no fields), "
        "so it has no key 'value'"
    ]


def test_rejects_rotation_on_a_config_secret(catalog_data):
    catalog_data["secrets"]["openai-api-key"]["rotation"] = {"every_days": 30, "strategy": "token"}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.openai-api-key.rotation: a config: value is owned by the stack config "
        "and cannot rotate; use generate or external"
    ]


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        (
            {"strategy": "token"},
            "secrets.admin-token.rotation: needs exactly one of every_days (1-1000) or schedule",
        ),
        (
            {"every_days": 0, "strategy": "token"},
            "secrets.admin-token.rotation.every_days: must be between 1 and 1000, got 0",
        ),
        (
            {"every_days": 30, "strategy": "weekly"},
            "secrets.admin-token.rotation.strategy: must be one of 'token', 'postgres-single-user' or 'postgres-alternating-users', got 'weekly'",
        ),
        (
            {"schedule": "every monday", "strategy": "token"},
            "secrets.admin-token.rotation.schedule: must be rate(N hours|days) or cron(...), got 'every monday'",
        ),
        (
            {"every_days": 30, "strategy": "postgres-single-user"},
            "secrets.admin-token.rotation.strategy: postgres strategies rotate a JSON secret (fields) or an external one",
        ),
        (
            {"every_days": 30, "strategy": "token", "master": "admin-token"},
            "secrets.admin-token.rotation.master: only postgres-alternating-users takes a master secret",
        ),
    ],
)
def test_rejects_bad_rotation_blocks(catalog_data, rotation, expected):
    catalog_data["secrets"]["admin-token"]["rotation"] = rotation

    assert problems_of(catalog_data) == [f"catalog.yaml: {expected}"]


def test_accepts_postgres_rotation_on_a_complete_json_secret(catalog_data):
    catalog_data["secrets"]["db"] = {
        "description": "Database credentials",
        "fields": {
            "engine": {"value": "postgres"},
            "host": {"value": "db.internal"},
            "port": {"value": 5432},
            "username": {"value": "app"},
            "password": {"generate": {"length": 32, "exclude_characters": "/@\"'"}},
            "dbname": {"value": "app"},
        },
        "rotation": {
            "every_days": 30,
            "strategy": "postgres-alternating-users",
            "master": "stripe-webhook-secret",
        },
    }

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.secrets["db"].rotation.master == "stripe-webhook-secret"


def test_rejects_postgres_rotation_without_the_connection_fields(catalog_data):
    catalog_data["secrets"]["app-config"]["rotation"] = {
        "every_days": 30,
        "strategy": "postgres-single-user",
    }

    problems = problems_of(catalog_data)

    assert problems == [
        "catalog.yaml: secrets.app-config.rotation.strategy: the secret lacks fields: engine, host, port, "
        "username, password, dbname"
    ]


def test_rejects_only_in_naming_no_known_environment(catalog_data):
    catalog_data["secrets"]["prod-only"]["only_in"] = ["production"]

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.prod-only.only_in: unknown environment 'production'; known: dev, prod"
        in problems
    )


def test_rejects_service_using_a_secret_missing_in_one_of_its_environments(catalog_data):
    catalog_data["services"]["api"]["env"]["SESSION"] = "prod-only"

    assert problems_of(catalog_data) == [
        "catalog.yaml: services.api.env.SESSION: secret 'prod-only' does not exist in environment 'dev' "
        "(only_in: prod); add it to the secret's only_in or limit the service with only_in"
    ]


def test_accepts_service_limited_to_the_secrets_environment(catalog_data):
    catalog_data["services"]["billing"] = {"env": {"SESSION": "prod-only"}, "only_in": ["prod"]}

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert "billing" not in catalog.services_in("dev")


def test_rejects_reserved_and_malformed_tags(catalog_data):
    catalog_data["secrets"]["admin-token"]["tags"] = {"ManagedBy": "me", "aws:owner": "x"}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.tags: tag 'ManagedBy' is set by app-secrets and cannot be "
        "overridden; tag 'aws:owner': keys starting with 'aws:' are reserved by AWS"
    ]


def test_rejects_fargate_sizes_that_do_not_exist(catalog_data):
    catalog_data["services"]["api"]["task"] = {"image": "nginx", "cpu": 256, "memory": 4096}

    assert problems_of(catalog_data) == [
        "catalog.yaml: services.api.task.memory: with cpu 256 must be 512-2048 in steps of 512, got 4096"
    ]


def test_reports_every_problem_at_once(catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_data["secrets"]["app-config"]["fields"]["REDIS_PASSWORD"]["generate"]["length"] = 1
    catalog_data["services"]["api"]["env"]["MISSING"] = "nope"
    catalog_data["environments"] = ["dev", "Prod"]

    problems = problems_of(catalog_data)

    assert len(problems) == 4, problems


def test_load_reports_yaml_errors_with_the_line(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("secrets:\n  a: [unclosed\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load_catalog(path)

    assert caught.value.problems[0].startswith("catalog.yaml: line ")
    assert "not valid YAML" in caught.value.problems[0]


def test_load_reports_a_missing_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path / "nope.yaml")

    assert caught.value.problems == [f"{tmp_path / 'nope.yaml'}: file not found"]


def test_load_rereads_a_changed_file(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog_data), encoding="utf-8")
    assert "admin-token" in load_catalog(path).secrets

    del catalog_data["secrets"]["admin-token"]
    catalog_data["services"]["api"]["env"].pop("ADMIN_TOKEN")
    path.write_text(yaml.safe_dump(catalog_data) + "\n# changed\n", encoding="utf-8")

    assert "admin-token" not in load_catalog(path).secrets


def test_rejects_a_master_missing_from_an_environment_of_its_secret(catalog_data):
    catalog_data["secrets"]["db"] = {
        "description": "Database credentials",
        "external": True,
        "rotation": {
            "every_days": 30,
            "strategy": "postgres-alternating-users",
            "master": "prod-only",
        },
    }

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.db.rotation.master: secret 'prod-only' does not exist in environment 'dev'; "
        "add it to the master's only_in"
    ]
