"""The environment-variable contract, read into Settings."""

from __future__ import annotations

import string

import pytest

from rotation.exceptions import InvalidSettingError
from rotation.settings import PasswordPolicy, Settings, Strategy, load_settings

BOOLEAN_VARIABLES = (
    "EXCLUDE_NUMBERS",
    "EXCLUDE_UPPERCASE",
    "EXCLUDE_LOWERCASE",
    "EXCLUDE_PUNCTUATION",
    "REQUIRE_EACH_INCLUDED_TYPE",
)


def policy_flag(policy: PasswordPolicy, variable: str) -> bool:
    """The policy field a boolean variable sets: EXCLUDE_NUMBERS -> exclude_numbers."""
    return getattr(policy, variable.lower())


def test_token_defaults_are_aws_templates_defaults() -> None:
    assert load_settings({"STRATEGY": "token"}) == Settings(
        strategy=Strategy.TOKEN,
        password_policy=PasswordPolicy(
            password_length=32,
            exclude_characters="",
            exclude_punctuation=False,
            exclude_numbers=False,
            exclude_uppercase=False,
            exclude_lowercase=False,
            require_each_included_type=True,
        ),
        secrets_manager_endpoint=None,
    )


@pytest.mark.parametrize("strategy", ["postgres-single-user", "postgres-alternating-users"])
def test_postgres_defaults_exclude_what_aws_templates_exclude(strategy: str) -> None:
    settings = load_settings({"STRATEGY": strategy})

    assert settings.strategy == Strategy(strategy)
    assert settings.password_policy.exclude_characters == ":/@\"'\\"


def test_reads_every_variable() -> None:
    settings = load_settings(
        {
            "STRATEGY": "postgres-single-user",
            "PASSWORD_LENGTH": "64",
            "EXCLUDE_CHARACTERS": "xyz",
            "EXCLUDE_PUNCTUATION": "TRUE",
            "EXCLUDE_NUMBERS": "1",
            "EXCLUDE_UPPERCASE": "y",
            "EXCLUDE_LOWERCASE": "no",
            "REQUIRE_EACH_INCLUDED_TYPE": "false",
            "SECRETS_MANAGER_ENDPOINT": "https://secretsmanager.eu-west-1.amazonaws.com",
            "UNRELATED": "ignored",
        }
    )

    assert settings.password_policy == PasswordPolicy(
        password_length=64,
        exclude_characters="xyz",
        exclude_punctuation=True,
        exclude_numbers=True,
        exclude_uppercase=True,
        exclude_lowercase=False,
        require_each_included_type=False,
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


@pytest.mark.parametrize("variable", BOOLEAN_VARIABLES)
@pytest.mark.parametrize("spelling", ["true", "TRUE", "1", "y", "Y", "yes", " Yes "])
def test_reads_aws_true_spellings(variable: str, spelling: str) -> None:
    settings = load_settings({"STRATEGY": "token", variable: spelling})

    assert policy_flag(settings.password_policy, variable) is True


@pytest.mark.parametrize("variable", BOOLEAN_VARIABLES)
@pytest.mark.parametrize("spelling", ["false", "False", "0", "n", "N", "no", " NO "])
def test_reads_the_matching_false_spellings(variable: str, spelling: str) -> None:
    settings = load_settings({"STRATEGY": "token", variable: spelling})

    assert policy_flag(settings.password_policy, variable) is False


@pytest.mark.parametrize("variable", BOOLEAN_VARIABLES)
@pytest.mark.parametrize("value", ["ture", "", "on", "2", "yes please"])
def test_rejects_a_boolean_that_aws_would_read_as_false(variable: str, value: str) -> None:
    with pytest.raises(InvalidSettingError) as excinfo:
        load_settings({"STRATEGY": "token", variable: value})

    assert str(excinfo.value) == (
        f"{variable}: must be one of true, 1, y, yes, false, 0, n, no (AWS's templates read any "
        f"other value as false; this function refuses it), got {value!r}"
    )


def test_rejects_excluding_every_character_class() -> None:
    with pytest.raises(InvalidSettingError) as excinfo:
        load_settings({"STRATEGY": "token", **dict.fromkeys(BOOLEAN_VARIABLES[:4], "true")})

    assert str(excinfo.value) == (
        "EXCLUDE_NUMBERS, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE, EXCLUDE_PUNCTUATION: no character "
        "class is left to draw from (numbers, uppercase, lowercase and punctuation are all "
        "excluded); allow at least one"
    )


def test_rejects_exclude_characters_that_remove_the_last_class() -> None:
    # GIVEN only punctuation left by the flags, and every punctuation character excluded
    environ = {
        "STRATEGY": "token",
        **dict.fromkeys(BOOLEAN_VARIABLES[:3], "yes"),
        "EXCLUDE_CHARACTERS": string.punctuation,
    }

    with pytest.raises(InvalidSettingError) as excinfo:
        load_settings(environ)

    assert str(excinfo.value).startswith(
        "EXCLUDE_NUMBERS, EXCLUDE_UPPERCASE, EXCLUDE_LOWERCASE, EXCLUDE_CHARACTERS: "
        "no character class is left to draw from"
    )


@pytest.mark.parametrize("kept", BOOLEAN_VARIABLES[:4])
def test_accepts_any_one_class_left(kept: str) -> None:
    excluded = dict.fromkeys((name for name in BOOLEAN_VARIABLES[:4] if name != kept), "true")

    policy = load_settings({"STRATEGY": "token", **excluded}).password_policy

    assert policy_flag(policy, kept) is False


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
