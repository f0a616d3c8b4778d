"""The guard, the dispatch and finishSecret, against moto's Secrets Manager."""

from __future__ import annotations

import logging
import uuid

import pytest

from rotation import steps
from rotation.exceptions import (
    InvalidEventError,
    InvalidSecretValueError,
    RotationNotEnabledError,
    VersionNotPendingError,
)
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import PasswordPolicy
from rotation.token_secret import TokenStrategy
from tests.rotation.rotation_service import ALL_STEPS, RotationService

STRATEGY = TokenStrategy(
    PasswordPolicy(password_length=32, exclude_characters="", exclude_punctuation=False)
)
OLD_VALUE = "old-value-0123456789"
EVENT = {"SecretId": "arn:secret", "ClientRequestToken": "token", "Step": "createSecret"}


def test_parse_event_reads_the_three_fields() -> None:
    assert steps.parse_event(EVENT) == steps.RotationEvent(
        secret_arn="arn:secret", token="token", step="createSecret"
    )


@pytest.mark.parametrize("field", ["SecretId", "ClientRequestToken", "Step"])
def test_rejects_an_event_without(field: str) -> None:
    event = {key: value for key, value in EVENT.items() if key != field}

    with pytest.raises(InvalidEventError, match=f"event: {field} must be a non-empty string"):
        steps.parse_event(event)


def test_rejects_an_unknown_step() -> None:
    with pytest.raises(
        InvalidEventError,
        match="Step must be one of createSecret, setSecret, testSecret, finishSecret, got 'undo'",
    ):
        steps.parse_event({**EVENT, "Step": "undo"})


def test_steps_are_dispatched_by_name() -> None:
    assert list(steps.STEPS) == list(ALL_STEPS)


def test_rejects_an_unknown_token(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    rotation_service.start(secret_arn)
    unknown_token = str(uuid.uuid4())

    with pytest.raises(VersionNotPendingError, match=f"has no version {unknown_token}"):
        rotation_service.invoke(
            STRATEGY, secret_arn=secret_arn, token=unknown_token, step=steps.CREATE_SECRET
        )


def test_rejects_a_secret_whose_rotation_was_turned_off(
    rotation_service: RotationService,
) -> None:
    # GIVEN a rotation that started, then rotation turned off
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.start(secret_arn)
    rotation_service.client.cancel_rotate_secret(SecretId=secret_arn)

    # WHEN its first step runs THEN the guard stops it and nothing is staged
    with pytest.raises(RotationNotEnabledError, match="does not have rotation enabled"):
        rotation_service.invoke(
            STRATEGY, secret_arn=secret_arn, token=token, step=steps.CREATE_SECRET
        )
    assert rotation_service.value(secret_arn, AWSCURRENT) == OLD_VALUE


def test_rejects_a_secret_never_set_up_for_rotation(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret(OLD_VALUE, rotation_enabled=False)
    current_version = rotation_service.client.get_secret_value(
        SecretId=secret_arn, VersionStage=AWSCURRENT
    )["VersionId"]

    with pytest.raises(RotationNotEnabledError):
        rotation_service.invoke(
            STRATEGY, secret_arn=secret_arn, token=current_version, step=steps.SET_SECRET
        )


def test_rejects_a_token_that_is_not_pending(rotation_service: RotationService) -> None:
    # GIVEN the token of a finished rotation, now AWSPREVIOUS after a second one
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    first = rotation_service.rotate(STRATEGY, secret_arn)
    rotation_service.rotate(STRATEGY, secret_arn)
    assert rotation_service.stages(secret_arn)[first] == [AWSPREVIOUS]

    with pytest.raises(VersionNotPendingError, match=f"version {first} is not staged AWSPENDING"):
        rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=first, step=steps.SET_SECRET)


@pytest.mark.parametrize("step", ALL_STEPS)
def test_a_step_for_the_current_version_does_nothing(
    rotation_service: RotationService, step: str
) -> None:
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.rotate(STRATEGY, secret_arn)
    stages_before = rotation_service.stages(secret_arn)
    value_before = rotation_service.value(secret_arn, AWSCURRENT)

    rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=step)

    assert rotation_service.stages(secret_arn) == stages_before
    assert rotation_service.value(secret_arn, AWSCURRENT) == value_before


def test_create_secret_keeps_an_existing_pending_value(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.rotate(STRATEGY, secret_arn, step_names=(steps.CREATE_SECRET,))
    pending = rotation_service.value(secret_arn, AWSPENDING, version_id=token)

    rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=steps.CREATE_SECRET)

    assert rotation_service.value(secret_arn, AWSPENDING, version_id=token) == pending


def test_finish_secret_leaves_no_pending_label(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.rotate(STRATEGY, secret_arn)

    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]


def test_retried_finish_removes_the_pending_label_left_behind(
    rotation_service: RotationService,
) -> None:
    # GIVEN a finishSecret that moved AWSCURRENT and died before it removed AWSPENDING
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.rotate(STRATEGY, secret_arn, step_names=ALL_STEPS[:3])
    old_version = rotation_service.client.get_secret_value(
        SecretId=secret_arn, VersionStage=AWSCURRENT
    )["VersionId"]
    rotation_service.client.update_secret_version_stage(
        SecretId=secret_arn,
        VersionStage=AWSCURRENT,
        MoveToVersionId=token,
        RemoveFromVersionId=old_version,
    )
    assert sorted(rotation_service.stages(secret_arn)[token]) == [AWSCURRENT, AWSPENDING]

    # WHEN Secrets Manager retries finishSecret
    rotation_service.invoke(STRATEGY, secret_arn=secret_arn, token=token, step=steps.FINISH_SECRET)

    # THEN the version is AWSCURRENT only, and the old one AWSPREVIOUS
    assert rotation_service.stages(secret_arn) == {
        token: [AWSCURRENT],
        old_version: [AWSPREVIOUS],
    }


def test_logs_name_the_step_the_secret_and_the_version(
    rotation_service: RotationService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="rotation")
    secret_arn = rotation_service.create_secret(OLD_VALUE)

    token = rotation_service.rotate(STRATEGY, secret_arn)

    messages = [
        record.getMessage() for record in caplog.records if record.name.startswith("rotation")
    ]
    for step in ALL_STEPS:
        assert f"{step}: started for secret {secret_arn} version {token}" in messages
        assert f"{step}: finished for secret {secret_arn} version {token}" in messages
    assert all(
        isinstance(record.args, tuple) and record.args
        for record in caplog.records
        if record.name.startswith("rotation")
    )


def test_parse_event_reads_the_rotation_token() -> None:
    rotation_token = str(uuid.uuid4())

    event = steps.parse_event({**EVENT, "RotationToken": rotation_token})

    assert event.rotation_token == rotation_token


@pytest.mark.parametrize("rotation_token", ["", 42])
def test_rejects_a_rotation_token_that_is_not_a_string(rotation_token: object) -> None:
    with pytest.raises(InvalidEventError, match="RotationToken must be a non-empty string"):
        steps.parse_event({**EVENT, "RotationToken": rotation_token})


@pytest.mark.parametrize("with_rotation_token", [True, False])
def test_create_secret_forwards_the_rotation_token(
    rotation_service: RotationService, with_rotation_token: bool
) -> None:
    # GIVEN an event that carries a RotationToken (or an older one without)
    secret_arn = rotation_service.create_secret(OLD_VALUE)
    token = rotation_service.start(secret_arn)
    rotation_token = str(uuid.uuid4())
    sent: list[dict] = []
    client = rotation_service.client
    event_name = "provide-client-params.secrets-manager.PutSecretValue"
    client.meta.events.register(
        event_name, lambda params, **_: sent.append(dict(params)), unique_id="capture"
    )
    event = {"SecretId": secret_arn, "ClientRequestToken": token, "Step": steps.CREATE_SECRET}
    if with_rotation_token:
        event["RotationToken"] = rotation_token
    try:
        steps.run_step(client=client, strategy=STRATEGY, event=event)
    finally:
        client.meta.events.unregister(event_name, unique_id="capture")

    # THEN PutSecretValue passes it on, as Secrets Manager requires of an assumed-role rotation
    [request] = sent
    if with_rotation_token:
        assert request["RotationToken"] == rotation_token
    else:
        assert "RotationToken" not in request


@pytest.fixture
def moto_moves_a_first_awscurrent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let moto attach AWSCURRENT to a secret's first version without RemoveFromVersionId.

    UpdateSecretVersionStage needs RemoveFromVersionId only when another version carries the
    label (AWS's API reference); moto assumes one always does and fails with an IndexError. Its
    server runs in this process, so the backend method is wrapped for this test only.
    """
    from moto.secretsmanager.models import SecretsManagerBackend

    original = SecretsManagerBackend.update_secret_version_stage

    def update_secret_version_stage(
        self, secret_id, version_stage, remove_from_version_id, move_to_version_id
    ):
        secret = self.secrets[secret_id]
        no_current = not any(
            AWSCURRENT in version["version_stages"] for version in secret.versions.values()
        )
        if version_stage == AWSCURRENT and not remove_from_version_id and no_current:
            secret.versions[move_to_version_id]["version_stages"].append(AWSCURRENT)
            secret.set_default_version_id(move_to_version_id)
            return secret.arn, secret.name
        return original(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)

    monkeypatch.setattr(
        SecretsManagerBackend, "update_secret_version_stage", update_secret_version_stage
    )


@pytest.mark.usefixtures("moto_moves_a_first_awscurrent")
def test_a_secret_without_a_value_gets_its_first_one_from_rotation(
    rotation_service: RotationService,
) -> None:
    # GIVEN a secret that has no value at all (a generated token the stack leaves to rotation)
    secret_arn = rotation_service.create_secret(None)
    assert rotation_service.stages(secret_arn) == {}

    # WHEN the rotation that SecretRotation starts with rotate_immediately runs
    token = rotation_service.rotate(STRATEGY, secret_arn)

    # THEN its value is AWSCURRENT, with no AWSPREVIOUS, and it follows the policy
    assert rotation_service.stages(secret_arn) == {token: [AWSCURRENT]}
    assert len(rotation_service.value(secret_arn, AWSCURRENT)) == 32


@pytest.mark.parametrize("strategy_name", ["postgres-single-user", "postgres-alternating-users"])
def test_a_postgres_secret_without_a_value_is_refused(
    rotation_service: RotationService, strategy_name: str
) -> None:
    from tests.rotation.rotation_cases import STRATEGIES

    secret_arn = rotation_service.create_secret(None)
    token = rotation_service.start(secret_arn)

    with pytest.raises(InvalidSecretValueError, match="has no AWSCURRENT value: put the"):
        rotation_service.invoke(
            STRATEGIES[strategy_name],
            secret_arn=secret_arn,
            token=token,
            step=steps.CREATE_SECRET,
        )
    assert rotation_service.stages(secret_arn) == {token: [AWSPENDING]}
