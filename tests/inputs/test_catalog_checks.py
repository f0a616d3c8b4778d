"""Cross-entry checks: value sources, references, rotation, environments, Fargate sizes."""

from __future__ import annotations

import pytest

from inputs.catalog import Catalog, SecretSpec, ServiceSpec
from inputs.catalog_checks import catalog_problems
from inputs.catalog_reader import parse_catalog
from inputs.exceptions import InputError


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def test_a_valid_catalog_has_no_problems(catalog_data):
    assert catalog_problems(parse_catalog(catalog_data, file="catalog.yaml")) == []


def test_problems_are_paths_and_messages_without_the_file():
    catalog = Catalog.model_construct(
        environments=["dev"],
        secrets={"a": SecretSpec(description="x")},
        services={"api": ServiceSpec(runtime_read=["ghost"])},
    )

    assert catalog_problems(catalog) == [
        (
            "secrets.a",
            "needs exactly one value source of generate, config, external, fields; got none",
        ),
        ("services.api.runtime_read", "unknown secret 'ghost'"),
    ]


def test_references_to_invalid_secrets_are_not_reported_again():
    catalog = Catalog.model_construct(
        environments=["dev"],
        secrets={},
        services={"api": ServiceSpec(env={"TOKEN": "broken"}, runtime_read=["broken"])},
    )

    assert catalog_problems(catalog, invalid_secrets={"broken"}) == []


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


def test_rejects_bad_json_keys_and_empty_fields(catalog_data):
    catalog_data["secrets"]["app-config"]["fields"]["bad key"] = {"value": "x"}
    catalog_data["secrets"]["empty"] = {"description": "x", "fields": {}}

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.app-config.fields.bad key: bad JSON key: must be 1-128 letters, "
        "digits and _.-"
    ) in problems
    assert "catalog.yaml: secrets.empty.fields: must hold at least one field" in problems


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


def test_rejects_a_json_key_in_runtime_read(catalog_data):
    catalog_data["services"]["api"]["runtime_read"] = ["app-config:SMTP_HOST"]

    assert problems_of(catalog_data) == [
        "catalog.yaml: services.api.runtime_read: runtime_read takes secret names, "
        "got 'app-config:SMTP_HOST'"
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
            # accept_restart_gap: the api receives it through env (tests/inputs/test_consumer_checks.py)
            {"every_days": 30, "strategy": "postgres-single-user", "accept_restart_gap": True},
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


def test_rejects_alternating_users_without_a_master(catalog_data):
    catalog_data["secrets"]["db"] = {
        "description": "Database credentials",
        "external": True,
        "rotation": {"every_days": 30, "strategy": "postgres-alternating-users"},
    }

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.db.rotation.master: is required for postgres-alternating-users"
    ]


def test_reports_both_schedules_and_a_bad_one(catalog_data):
    catalog_data["secrets"]["admin-token"]["rotation"] = {
        "every_days": 30,
        "schedule": "weekly",
        "strategy": "token",
    }

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.rotation: needs exactly one of every_days (1-1000) or schedule",
        "catalog.yaml: secrets.admin-token.rotation.schedule: must be rate(N hours|days) or cron(...), got 'weekly'",
    ]


@pytest.mark.parametrize("schedule", ["rate(4 hours)", "rate(10 days)", "cron(0 8 1 * ? *)"])
def test_accepts_schedule_expressions(catalog_data, schedule):
    catalog_data["secrets"]["admin-token"]["rotation"] = {"schedule": schedule, "strategy": "token"}

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.secrets["admin-token"].rotation.schedule == schedule


def test_rejects_token_rotation_of_a_json_secret(catalog_data):
    catalog_data["secrets"]["app-config"]["fields"]["SMTP_PASSWORD"] = {"generate": {}}
    catalog_data["secrets"]["app-config"]["rotation"] = {"every_days": 30, "strategy": "token"}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.app-config.rotation.strategy: token rotates string secrets; "
        "this secret has fields"
    ]


def db_secret(**overrides) -> dict:
    fields = {
        "engine": {"value": "postgres"},
        "host": {"value": "db.internal"},
        "port": {"value": 5432},
        "username": {"value": "app"},
        "password": {"generate": {"length": 32, "exclude_characters": "/@\"'"}},
        "dbname": {"value": "app"},
    }
    return {"description": "Database credentials", "fields": fields, **overrides}


def test_accepts_postgres_rotation_on_a_complete_json_secret(catalog_data):
    catalog_data["secrets"]["db"] = db_secret(
        rotation={
            "every_days": 30,
            "strategy": "postgres-alternating-users",
            "master": "stripe-webhook-secret",
        }
    )

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.secrets["db"].rotation.master == "stripe-webhook-secret"


def test_rejects_an_unknown_master(catalog_data):
    catalog_data["secrets"]["db"] = db_secret(
        rotation={"every_days": 30, "strategy": "postgres-alternating-users", "master": "ghost"}
    )

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.db.rotation.master: unknown secret 'ghost'"
    ]


def test_rejects_postgres_rotation_of_a_password_that_is_not_generated(catalog_data):
    catalog_data["secrets"]["db"] = db_secret(
        rotation={"every_days": 30, "strategy": "postgres-single-user"}
    )
    catalog_data["secrets"]["db"]["fields"]["password"] = {"config": "dbPassword"}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.db.rotation.strategy: the password field must be generated to rotate"
    ]


def test_rejects_postgres_rotation_without_the_connection_fields(catalog_data):
    catalog_data["secrets"]["app-config"]["rotation"] = {
        "every_days": 30,
        "strategy": "postgres-single-user",
        "accept_restart_gap": True,  # the api receives it through env: test_consumer_checks.py
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


def test_rejects_an_empty_only_in(catalog_data):
    catalog_data["services"]["api"]["only_in"] = []

    assert problems_of(catalog_data) == [
        "catalog.yaml: services.api.only_in: must name at least one environment"
    ]


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


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        (256, 4096, "task.memory: with cpu 256 must be one of 512, 1024, 2048, got 4096"),
        (256, 1536, "task.memory: with cpu 256 must be one of 512, 1024, 2048, got 1536"),
        (512, 8192, "task.memory: with cpu 512 must be 1024-4096 in steps of 1024, got 8192"),
        (8192, 18432, "task.memory: with cpu 8192 must be 16384-61440 in steps of 4096, got 18432"),
        (
            300,
            512,
            "task.cpu: must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, got 300",
        ),
    ],
)
def test_rejects_fargate_sizes_that_do_not_exist(catalog_data, cpu, memory, expected):
    catalog_data["services"]["api"]["task"] = {"image": "nginx", "cpu": cpu, "memory": memory}

    assert problems_of(catalog_data) == [f"catalog.yaml: services.api.{expected}"]


@pytest.mark.parametrize(("cpu", "memory"), [(256, 2048), (1024, 3072), (16384, 122880)])
def test_accepts_fargate_sizes(catalog_data, cpu, memory):
    catalog_data["services"]["api"]["task"] = {"image": "nginx", "cpu": cpu, "memory": memory}

    assert parse_catalog(catalog_data, file="catalog.yaml").services["api"].task.memory == memory


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
