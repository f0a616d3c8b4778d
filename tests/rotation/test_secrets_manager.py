"""The Secrets Manager wrappers, against moto's server."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any

import pytest

from rotation.exceptions import InvalidSecretValueError
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPREVIOUS,
    find_secret_string,
    generate_password,
    get_secret_string,
    version_with_stage,
)
from rotation.settings import PasswordPolicy, load_settings
from tests.rotation.rotation_service import RotationService

GET_RANDOM_PASSWORD = "provide-client-params.secretsmanager.GetRandomPassword"
CLASSES = {
    "EXCLUDE_NUMBERS": string.digits,
    "EXCLUDE_UPPERCASE": string.ascii_uppercase,
    "EXCLUDE_LOWERCASE": string.ascii_lowercase,
    "EXCLUDE_PUNCTUATION": string.punctuation,
}


def test_get_secret_string_reads_the_stage_asked_for(rotation_service: RotationService) -> None:
    # GIVEN a secret whose AWSCURRENT label was moved, as finishSecret moves it
    client = rotation_service.client
    secret_arn = rotation_service.create_secret("first")
    second_version = client.put_secret_value(
        SecretId=secret_arn, SecretString="second", VersionStages=["AWSPENDING"]
    )["VersionId"]
    first_version = client.get_secret_value(SecretId=secret_arn, VersionStage=AWSCURRENT)[
        "VersionId"
    ]
    client.update_secret_version_stage(
        SecretId=secret_arn,
        VersionStage=AWSCURRENT,
        MoveToVersionId=second_version,
        RemoveFromVersionId=first_version,
    )

    # THEN reading by stage sees the move (moto's stage-less read would still return "first")
    assert get_secret_string(client, secret_id=secret_arn, stage=AWSCURRENT) == "second"
    assert get_secret_string(client, secret_id=secret_arn, stage=AWSPREVIOUS) == "first"


def test_find_secret_string_is_none_without_that_stage(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret("only")

    assert (
        find_secret_string(rotation_service.client, secret_id=secret_arn, stage=AWSPREVIOUS) is None
    )


def test_find_secret_string_is_none_for_a_version_without_value(
    rotation_service: RotationService,
) -> None:
    # GIVEN a rotation that started: the token is staged AWSPENDING but has no value yet
    secret_arn = rotation_service.create_secret("only")
    token = rotation_service.start(secret_arn)

    assert (
        find_secret_string(
            rotation_service.client, secret_id=secret_arn, stage="AWSPENDING", version_id=token
        )
        is None
    )


def test_rejects_a_binary_secret(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.client.create_secret(
        Name="rotation-test-binary-secret", SecretBinary=b"\x00\x01"
    )["ARN"]

    with pytest.raises(InvalidSecretValueError, match="has no SecretString"):
        get_secret_string(rotation_service.client, secret_id=secret_arn, stage=AWSCURRENT)


def test_version_with_stage() -> None:
    versions = {"a": ["AWSPREVIOUS"], "b": ["AWSCURRENT", "AWSPENDING"], "c": []}

    assert version_with_stage(versions, "AWSCURRENT") == "b"
    assert version_with_stage(versions, "AWSPENDING") == "b"
    assert version_with_stage(versions, "CUSTOM") is None


# generate_password: what GetRandomPassword is sent, and what moto's server draws from it.


@pytest.fixture
def sent_requests(secretsmanager_client: Any) -> Iterator[list[dict]]:
    """The parameters of every GetRandomPassword call the shared client sends during a test."""
    sent: list[dict] = []

    def record(params: dict, **_: Any) -> None:
        sent.append(dict(params))

    secretsmanager_client.meta.events.register(GET_RANDOM_PASSWORD, record)
    try:
        yield sent
    finally:
        secretsmanager_client.meta.events.unregister(GET_RANDOM_PASSWORD, record)


def test_generate_password_sends_all_seven_arguments(
    secretsmanager_client: Any, sent_requests: list[dict]
) -> None:
    # GIVEN a policy where no argument has GetRandomPassword's default, so none can go missing
    policy = PasswordPolicy(
        password_length=40,
        exclude_characters="abc",
        exclude_punctuation=True,
        exclude_numbers=True,
        exclude_uppercase=True,
        exclude_lowercase=False,
        require_each_included_type=False,
    )

    value = generate_password(secretsmanager_client, policy)

    assert sent_requests == [
        {
            "PasswordLength": 40,
            "ExcludeCharacters": "abc",
            "ExcludePunctuation": True,
            "ExcludeNumbers": True,
            "ExcludeUppercase": True,
            "ExcludeLowercase": False,
            "RequireEachIncludedType": False,
        }
    ]
    assert len(value) == 40
    assert set(value) <= set(string.ascii_lowercase) - set("abc")


@pytest.mark.parametrize("variable", CLASSES)
def test_a_value_drawn_with_a_class_excluded_has_none_of_it(
    secretsmanager_client: Any, variable: str
) -> None:
    # GIVEN the Lambda's environment turning one class off
    settings = load_settings({"STRATEGY": "token", "PASSWORD_LENGTH": "4096", variable: "yes"})

    # WHEN moto's server draws a value long enough to hold every class it allows
    value = generate_password(secretsmanager_client, settings.password_policy)

    # THEN the class is absent and every other class is present
    assert len(value) == 4096
    assert not set(value) & set(CLASSES[variable])
    for other, characters in CLASSES.items():
        if other != variable:
            assert set(value) & set(characters), f"{other} is missing"


def test_a_value_holds_every_included_class_when_each_is_required(
    secretsmanager_client: Any,
) -> None:
    # GIVEN short values from letters and digits: without the requirement, about one in four
    # values of 8 characters would have no digit, so 20 of them would almost surely show it
    policy = PasswordPolicy(password_length=8, exclude_characters="", exclude_punctuation=True)

    values = [generate_password(secretsmanager_client, policy) for _ in range(20)]

    for value in values:
        assert set(value) & set(string.digits)
        assert set(value) & set(string.ascii_uppercase)
        assert set(value) & set(string.ascii_lowercase)
