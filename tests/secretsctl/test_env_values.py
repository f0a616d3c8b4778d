"""Which variables `secretsctl env` writes, and each value as ECS's container agent renders it."""

from __future__ import annotations

import json

import pytest

from inputs.catalog import ServiceSpec
from secretsctl.env_values import (
    Reference,
    Variable,
    ecs_value,
    environment_variables,
    go_number,
    runtime_variable,
    service_references,
)
from secretsctl.errors import CommandError
from tests.rotation.secret_leaks import assert_no_secret, exception_text

SECRET = "acme/dev/app-config"
SENTINEL = "SENTINEL-json-4c2e"


def service(**fields) -> ServiceSpec:
    return ServiceSpec.model_validate(fields)


@pytest.mark.parametrize(
    ("secret", "variable"),
    [
        ("openai-api-key", "OPENAI_API_KEY"),
        ("db/master.key@v2", "DB_MASTER_KEY_V2"),
        ("Mixed_Case", "MIXED_CASE"),
        ("1password-token", "_1PASSWORD_TOKEN"),
    ],
)
def test_names_a_runtime_read_secret_after_the_secret(secret, variable):
    assert runtime_variable(secret) == variable


def test_a_service_gets_its_env_entries_and_its_runtime_read_secrets():
    spec = service(
        env={"TOKEN": "admin-token", "REDIS": "app-config:REDIS_PASSWORD"},
        runtime_read=["openai-api-key", "app-config"],
    )

    references, problems = service_references("api", spec)

    assert problems == []
    assert references == {
        "TOKEN": Reference("admin-token"),
        "REDIS": Reference("app-config", "REDIS_PASSWORD"),
        "OPENAI_API_KEY": Reference("openai-api-key"),
        "APP_CONFIG": Reference("app-config"),
    }


def test_a_runtime_read_secret_that_env_gives_whole_keeps_envs_variable():
    spec = service(env={"OPENAI_KEY": "openai-api-key"}, runtime_read=["openai-api-key"])

    references, problems = service_references("api", spec)

    assert (references, problems) == ({"OPENAI_KEY": Reference("openai-api-key")}, [])


def test_rejects_a_runtime_read_variable_that_env_uses_for_another_value():
    spec = service(env={"OPENAI_API_KEY": "admin-token"}, runtime_read=["openai-api-key"])

    _, problems = service_references("api", spec)

    assert problems == [
        "services.api: runtime_read openai-api-key would be OPENAI_API_KEY, which env sets from "
        "admin-token; rename the env variable or the secret"
    ]


def test_rejects_two_runtime_read_secrets_of_one_variable():
    _, problems = service_references("api", service(runtime_read=["api-key", "api.key"]))

    assert problems == [
        "services.api: runtime_read api-key and api.key would both be API_KEY; rename one of them"
    ]


def test_the_union_shares_a_variable_that_services_set_alike():
    services = {
        "api": service(env={"TOKEN": "admin-token"}, runtime_read=["openai-api-key"]),
        "worker": service(runtime_read=["openai-api-key"]),
    }

    assert environment_variables(services) == [
        Variable("OPENAI_API_KEY", Reference("openai-api-key"), ("api", "worker")),
        Variable("TOKEN", Reference("admin-token"), ("api",)),
    ]


def test_rejects_a_variable_two_services_set_differently_naming_both():
    services = {
        "api": service(env={"TOKEN": "admin-token"}),
        "worker": service(env={"TOKEN": "app-config:TOKEN"}, runtime_read=["a-b", "a_b"]),
    }

    with pytest.raises(CommandError) as caught:
        environment_variables(services)

    assert caught.value.status == 2
    assert caught.value.problems == [
        "services.worker: runtime_read a-b and a_b would both be A_B; rename one of them",
        "TOKEN: service api sets it from admin-token, service worker from app-config:TOKEN; "
        "write one service's file with --service",
    ]


# Each expected text is what Go's fmt.Sprintf("%v", v) printed for json.Unmarshal of the
# number into interface{}, as the ECS container agent does (go1.19, checked once by hand).
@pytest.mark.parametrize(
    ("number", "go_text"),
    [
        ("5432", "5432"),
        ("10", "10"),
        ("999999", "999999"),
        ("1000000", "1e+06"),
        ("1234567", "1.234567e+06"),
        ("12345678", "1.2345678e+07"),
        ("1.50", "1.5"),
        ("1e3", "1000"),
        ("123456.7", "123456.7"),
        ("0.0001", "0.0001"),
        ("0.00001", "1e-05"),
        ("3.0e-7", "3e-07"),
        ("-12.5", "-12.5"),
        ("-0", "-0"),
        ("0.0", "0"),
        ("1e21", "1e+21"),
        ("9007199254740993", "9.007199254740992e+15"),
    ],
)
def test_a_number_is_written_as_go_prints_its_float64(number, go_text):
    assert go_number(number) == go_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(SENTINEL, SENTINEL), (True, "true"), (False, "false"), (587, "587"), (2.50, "2.5")],
)
def test_a_json_key_is_rendered_as_ecs_injects_it(value, expected):
    document = json.dumps({"KEY": value, "OTHER": "x"})

    assert ecs_value(document, json_key="KEY", secret_name=SECRET) == expected


def test_a_whole_secret_is_its_secret_string():
    document = json.dumps({"KEY": SENTINEL})

    assert ecs_value(document, json_key=None, secret_name=SECRET) == document


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"OTHER": SENTINEL}, "JSON key KEY: not in AWSCURRENT, so ECS would fail to start"),
        ({"KEY": None, "X": SENTINEL}, "JSON key KEY: is null, which ECS injects as Go's"),
        ({"KEY": {"a": SENTINEL}}, "JSON key KEY: is an object, which ECS injects as Go's"),
        ({"KEY": [SENTINEL]}, "JSON key KEY: is an array, which ECS injects as Go's"),
        ('{"KEY": 1e400, "X": "SENTINEL"}', "JSON key KEY: a number beyond float64's range"),
        (f"not json {SENTINEL}", "AWSCURRENT is not a JSON object, so ECS cannot take a key"),
        (json.dumps([SENTINEL]), "AWSCURRENT is not a JSON object"),
        ('{"KEY": NaN, "X": "SENTINEL"}', "AWSCURRENT is not a JSON object"),
    ],
)
def test_rejects_what_ecs_would_not_inject_without_showing_the_value(document, problem):
    text = document if isinstance(document, str) else json.dumps(document)

    with pytest.raises(CommandError) as caught:
        ecs_value(text, json_key="KEY", secret_name=SECRET)

    assert caught.value.status == 1
    assert str(caught.value).startswith(f"{SECRET}: {problem}")
    assert str(caught.value).endswith("; nothing was written")
    assert_no_secret(exception_text(caught.value), ["SENTINEL"])
