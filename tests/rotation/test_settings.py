"""The environment-variable contract, read into Settings."""

from __future__ import annotations

import pytest

from rotation.exceptions import InvalidSettingError
from rotation.settings import PasswordPolicy, Settings, Strategy, load_settings


def test_token_defaults() -> None:
    assert load_settings({"STRATEGY": "token"}) == Settings(
        strategy=Strategy.TOKEN,
        password_policy=PasswordPolicy(
            password_length=32, exclude_characters="", exclude_punctuation=False
        ),
        secrets_manager_endpoint=None,
    )


@pytest.mark.parametrize("strategy", ["postgres-single-user", "postgres-alternating-users"])
def test_postgres_defaults_exclude_what_aws_templates_exclude(strategy: str) -> None:
    settings = load_settings({"STRATEGY": strategy})

    assert settings.strategy == Strategy(strategy)
    assert settings.password_policy.exclude_characters == "/@\"'\\"


def test_reads_every_variable() -> None:
    settings = load_settings(
        {
            "STRATEGY": "postgres-single-user",
            "PASSWORD_LENGTH": "64",
            "EXCLUDE_CHARACTERS": "xyz",
            "EXCLUDE_PUNCTUATION": "TRUE",
            "SECRETS_MANAGER_ENDPOINT": "https://secretsmanager.eu-west-1.amazonaws.com",
            "UNRELATED": "ignored",
        }
    )

    assert settings.password_policy == PasswordPolicy(
        password_length=64, exclude_characters="xyz", exclude_punctuation=True
    )
    assert settings.secrets_manager_endpoint == "https://secretsmanager.eu-west-1.amazonaws.com"


def test_set_but_empty_exclude_characters_excludes_nothing() -> None:
    settings = load_settings({"STRATEGY": "postgres-single-user", "EXCLUDE_CHARACTERS": ""})

    assert settings.password_policy.exclude_characters == ""


def test_empty_endpoint_means_the_default_one() -> None:
    assert (
        load_settings(
            {"STRATEGY": "token", "SECRETS_MANAGER_ENDPOINT": ""}
        ).secrets_manager_endpoint
        is None
    )


def test_rejects_a_missing_strategy() -> None:
    with pytest.raises(
        InvalidSettingError,
        match="STRATEGY: is required, one of token, postgres-single-user, postgres-alternating-users",
    ):
        load_settings({})


def test_rejects_an_unknown_strategy() -> None:
    with pytest.raises(InvalidSettingError, match=r"STRATEGY: must be one of .*, got 'mysql'"):
        load_settings({"STRATEGY": "mysql"})


@pytest.mark.parametrize(
    ("value", "got"), [("abc", "'abc'"), ("", "''"), ("7", "7"), ("4097", "4097")]
)
def test_rejects_password_length(value: str, got: str) -> None:
    with pytest.raises(InvalidSettingError) as excinfo:
        load_settings({"STRATEGY": "token", "PASSWORD_LENGTH": value})

    assert str(excinfo.value) == (
        f"PASSWORD_LENGTH: must be an integer between 8 and 4096, got {got}"
    )


def test_rejects_exclude_punctuation_that_is_not_a_boolean() -> None:
    with pytest.raises(
        InvalidSettingError, match="EXCLUDE_PUNCTUATION: must be true or false, got 'yes'"
    ):
        load_settings({"STRATEGY": "token", "EXCLUDE_PUNCTUATION": "yes"})


def test_rejects_too_many_exclude_characters() -> None:
    with pytest.raises(
        InvalidSettingError, match="EXCLUDE_CHARACTERS: must be at most 4096 characters, got 4097"
    ):
        load_settings({"STRATEGY": "token", "EXCLUDE_CHARACTERS": "x" * 4097})


def test_rejects_an_endpoint_that_is_not_a_url() -> None:
    with pytest.raises(
        InvalidSettingError,
        match="SECRETS_MANAGER_ENDPOINT: must be an https:// or http:// URL, got 'secretsmanager'",
    ):
        load_settings({"STRATEGY": "token", "SECRETS_MANAGER_ENDPOINT": "secretsmanager"})
