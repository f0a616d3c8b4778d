"""The Secrets Manager wrappers, against moto's server."""

from __future__ import annotations

import pytest

from rotation.exceptions import InvalidSecretValueError
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPREVIOUS,
    find_secret_string,
    get_secret_string,
    version_with_stage,
)
from tests.rotation.rotation_service import RotationService


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
