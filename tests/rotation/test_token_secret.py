"""The `token` strategy, end to end against moto's Secrets Manager."""

from __future__ import annotations

import string

from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from rotation.settings import PasswordPolicy
from rotation.token_secret import TokenStrategy
from tests.rotation.rotation_service import ALL_STEPS, RotationService

DEFAULT_POLICY = PasswordPolicy(
    password_length=32, exclude_characters="", exclude_punctuation=False
)
OLD_TOKEN = "old-token-value-0123456789"


def test_rotation_replaces_the_token(rotation_service: RotationService) -> None:
    # GIVEN a token secret with rotation enabled
    secret_arn = rotation_service.create_secret(OLD_TOKEN)

    # WHEN Secrets Manager runs the four steps
    token = rotation_service.rotate(TokenStrategy(DEFAULT_POLICY), secret_arn)

    # THEN the new version is AWSCURRENT, the old value is AWSPREVIOUS and nothing is pending
    new_value = rotation_service.value(secret_arn, AWSCURRENT)
    assert new_value != OLD_TOKEN
    assert len(new_value) == 32
    stages = rotation_service.stages(secret_arn)
    assert stages[token] == [AWSCURRENT]
    assert rotation_service.value(secret_arn, AWSPREVIOUS) == OLD_TOKEN
    assert not any(AWSPENDING in version_stages for version_stages in stages.values())


def test_new_token_follows_the_password_policy(rotation_service: RotationService) -> None:
    policy = PasswordPolicy(password_length=48, exclude_characters="abc", exclude_punctuation=True)
    secret_arn = rotation_service.create_secret(OLD_TOKEN)

    rotation_service.rotate(TokenStrategy(policy), secret_arn)

    new_value = rotation_service.value(secret_arn, AWSCURRENT)
    assert len(new_value) == 48
    assert not set(new_value) & set("abc")
    assert not set(new_value) & set(string.punctuation)


def test_every_step_twice_rotates_once(rotation_service: RotationService) -> None:
    # GIVEN a rotation whose every invocation is retried once (a timeout, a redelivery)
    secret_arn = rotation_service.create_secret(OLD_TOKEN)
    strategy = TokenStrategy(DEFAULT_POLICY)
    token = rotation_service.start(secret_arn)

    # WHEN each step runs twice, and createSecret's value is read in between
    rotation_service.invoke(strategy, secret_arn=secret_arn, token=token, step=ALL_STEPS[0])
    first_pending = rotation_service.value(secret_arn, AWSPENDING, version_id=token)
    for step in ALL_STEPS:
        rotation_service.invoke(strategy, secret_arn=secret_arn, token=token, step=step)
        rotation_service.invoke(strategy, secret_arn=secret_arn, token=token, step=step)

    # THEN the value createSecret made first is the one that became AWSCURRENT
    assert rotation_service.value(secret_arn, AWSCURRENT) == first_pending
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]
    assert rotation_service.value(secret_arn, AWSPREVIOUS) == OLD_TOKEN


def test_two_rotations_keep_one_previous(rotation_service: RotationService) -> None:
    secret_arn = rotation_service.create_secret(OLD_TOKEN)
    strategy = TokenStrategy(DEFAULT_POLICY)

    first = rotation_service.rotate(strategy, secret_arn)
    first_value = rotation_service.value(secret_arn, AWSCURRENT)
    second = rotation_service.rotate(strategy, secret_arn)

    stages = rotation_service.stages(secret_arn)
    assert stages[second] == [AWSCURRENT]
    assert stages[first] == [AWSPREVIOUS]
    assert rotation_service.value(secret_arn, AWSPREVIOUS) == first_value
    assert rotation_service.value(secret_arn, AWSCURRENT) not in (first_value, OLD_TOKEN)
