"""A PostgreSQL login as a secret stores it: parsed, checked and rewritten, never quoted."""

from __future__ import annotations

import json

import pytest

from rotation import postgres_secret, tls
from rotation.exceptions import InvalidSecretValueError
from rotation.postgres_secret import PostgresCredentials
from tests.rotation.secret_leaks import assert_no_secret, exception_text

PASSWORD = "Pa55-w0rd-that-must-not-leak"
SECRET = {
    "engine": "postgres",
    "host": "db.internal",
    "port": 6543,
    "username": "app",
    "password": PASSWORD,
    "dbname": "orders",
}


def test_parse_credentials_reads_every_field() -> None:
    credentials = postgres_secret.parse_credentials(
        json.dumps({**SECRET, "ssl": True}), source="test"
    )

    assert credentials == PostgresCredentials(
        host="db.internal",
        port=6543,
        username="app",
        password=PASSWORD,
        dbname="orders",
        ssl=tls.VERIFY_FULL,
    )
    assert credentials.address == "db.internal:6543"


def test_parse_credentials_defaults_as_aws_templates_do() -> None:
    secret = {key: value for key, value in SECRET.items() if key not in ("port", "dbname")}

    credentials = postgres_secret.parse_credentials(json.dumps(secret), source="test")

    assert (credentials.port, credentials.dbname, credentials.ssl) == (
        5432,
        "postgres",
        tls.VERIFY_FULL,
    )


@pytest.mark.parametrize("engine", ["postgres", "aurora-postgresql"])
def test_parse_credentials_accepts_the_engines_of_aws_templates(engine: str) -> None:
    credentials = postgres_secret.parse_credentials(
        json.dumps({**SECRET, "engine": engine}), source="test"
    )

    assert credentials.host == "db.internal"


def test_parse_credentials_accepts_a_port_string() -> None:
    secret = json.dumps({**SECRET, "port": "5433", "ssl": "false"})

    credentials = postgres_secret.parse_credentials(secret, source="test")

    assert (credentials.port, credentials.ssl) == (5433, tls.DISABLE)


def test_parse_credentials_reads_any_other_ssl_value_as_the_default_by_its_kind() -> None:
    credentials = postgres_secret.parse_credentials(
        json.dumps({**SECRET, "ssl": PASSWORD}), source="test"
    )

    assert credentials.ssl == tls.SslSetting(verify_full=True, ignored="a string of 28 characters")
    assert_no_secret(repr(credentials), [PASSWORD])


def test_credentials_repr_leaves_the_password_out() -> None:
    credentials = postgres_secret.parse_credentials(json.dumps(SECRET), source="test")

    assert PASSWORD not in repr(credentials)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"engine": "mysql"},
            "field 'engine' must be 'postgres' or 'aurora-postgresql', got a string of 5 characters",
        ),
        ({"engine": None}, "field 'engine' must be 'postgres' or 'aurora-postgresql', got nothing"),
        ({"host": None}, "field 'host' must be a non-empty string, got nothing"),
        ({"username": ""}, "field 'username' must be a non-empty string, got a string of 0"),
        ({"password": ["x"]}, "field 'password' must be a non-empty string, got type list"),
        ({"port": 0}, "field 'port' must be an integer from 1 to 65535, got 0"),
        ({"port": PASSWORD}, "field 'port' must be an integer from 1 to 65535, got a string"),
    ],
)
def test_rejects_a_secret_with(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSecretValueError, match=f"^secret X AWSCURRENT: {message}") as info:
        postgres_secret.parse_credentials(
            json.dumps({**SECRET, **change}), source="secret X AWSCURRENT"
        )

    assert_no_secret(exception_text(info.value), [PASSWORD])


def test_rejects_invalid_json_without_quoting_it() -> None:
    broken = json.dumps(SECRET)[:-1]

    with pytest.raises(
        InvalidSecretValueError, match="must be a JSON object, got invalid JSON"
    ) as info:
        postgres_secret.parse_credentials(broken, source="test")

    assert info.value.__context__ is None
    assert_no_secret(exception_text(info.value), [PASSWORD])


def test_rejects_json_that_is_not_an_object() -> None:
    with pytest.raises(InvalidSecretValueError, match="must be a JSON object, got list"):
        postgres_secret.parse_credentials(json.dumps([PASSWORD]), source="test")


def test_with_login_keeps_every_other_field() -> None:
    secret_object = {**SECRET, "masterarn": "arn:master", "extra": [1, 2]}

    new_value = json.loads(
        postgres_secret.with_login(secret_object, username="app_clone", password="new")
    )

    assert new_value == {**secret_object, "username": "app_clone", "password": "new"}


def test_rejects_a_role_name_postgres_would_truncate() -> None:
    postgres_secret.check_role_name("a" * 63, source="test")

    with pytest.raises(InvalidSecretValueError, match="at most 63 bytes, got 64 bytes"):
        postgres_secret.check_role_name("a" * 64, source="test")
