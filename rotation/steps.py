"""The rotation protocol: a guard, then one idempotent function per step, dispatched by name."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from rotation.exceptions import (
    InvalidEventError,
    InvalidSecretValueError,
    RotationNotEnabledError,
    VersionNotPendingError,
)
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPENDING,
    find_secret_string,
    put_pending_value,
    version_with_stage,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.strategy import RotationStrategy

logger = logging.getLogger(__name__)

CREATE_SECRET = "createSecret"
SET_SECRET = "setSecret"
TEST_SECRET = "testSecret"
FINISH_SECRET = "finishSecret"

MSG_EVENT_FIELD_MISSING = "event: %s must be a non-empty string, got %s"
MSG_EVENT_ROTATION_TOKEN = "event: RotationToken must be a non-empty string when present, got %s"
MSG_EVENT_UNKNOWN_STEP = "event: Step must be one of %s, got %r"
MSG_ROTATION_NOT_ENABLED = "%s: secret %s does not have rotation enabled"
MSG_UNKNOWN_VERSION = "%s: secret %s has no version %s"
MSG_NOT_PENDING = "%s: secret %s version %s is not staged AWSPENDING, its stages are %s"
MSG_ALREADY_CURRENT = "%s: secret %s version %s is already AWSCURRENT, nothing to do"
MSG_LEFTOVER_PENDING_REMOVED = (
    "%s: secret %s version %s was AWSCURRENT and still AWSPENDING, removed AWSPENDING"
)
MSG_STEP_STARTED = "%s: started for secret %s version %s"
MSG_STEP_FINISHED = "%s: finished for secret %s version %s"
MSG_PENDING_KEPT = "%s: secret %s version %s already has a pending value, keeping it"
MSG_PENDING_STORED = "%s: secret %s version %s stored a new pending value"
MSG_CURRENT_MOVED = "%s: secret %s version %s is AWSCURRENT, version %s is AWSPREVIOUS"
MSG_FIRST_VALUE = "%s: secret %s has no AWSCURRENT version yet: version %s will be its first value"
MSG_NO_PENDING_VALUE = (
    "finishSecret: secret %s version %s has no value; createSecret must run first, nothing promoted"
)
MSG_PENDING_VERIFIED = "finishSecret: secret %s version %s passed the strategy's test again"
MSG_FINISHED_ELSEWHERE = (
    "finishSecret: secret %s version %s was made AWSCURRENT by another invocation, nothing to do"
)


@dataclass(frozen=True)
class RotationEvent:
    """The fields of the event Secrets Manager sends for each step."""

    secret_arn: str
    token: str
    step: str
    rotation_token: str | None = None
    """`RotationToken`: Secrets Manager sends it with every step, and PutSecretValue needs it
    back when the function rotates through an assumed role or another account's secret.
    @default None, for older events and hand-made invocations."""


class StepFunction(Protocol):
    """The shape of the four step functions, so that they can sit in one dict."""

    def __call__(
        self, *, client: BaseClient, strategy: RotationStrategy, event: RotationEvent
    ) -> None: ...


def run_step(*, client: BaseClient, strategy: RotationStrategy, event: Mapping[str, Any]) -> None:
    """Handle one rotation event: check the version's stages, then run the step it names."""
    rotation_event = parse_event(event)
    step, secret_arn, token = rotation_event.step, rotation_event.secret_arn, rotation_event.token
    if not check_version_stages(client, step=step, secret_arn=secret_arn, token=token):
        return
    logger.info(MSG_STEP_STARTED, step, secret_arn, token)
    STEPS[step](client=client, strategy=strategy, event=rotation_event)
    logger.info(MSG_STEP_FINISHED, step, secret_arn, token)


def parse_event(event: Mapping[str, Any]) -> RotationEvent:
    """Validate the event's SecretId, ClientRequestToken, Step and optional RotationToken."""
    fields = {}
    for key in ("SecretId", "ClientRequestToken", "Step"):
        value = event.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidEventError(MSG_EVENT_FIELD_MISSING % (key, type(value).__name__))
        fields[key] = value
    if fields["Step"] not in STEPS:
        raise InvalidEventError(MSG_EVENT_UNKNOWN_STEP % (", ".join(STEPS), fields["Step"]))
    rotation_token = event.get("RotationToken")
    if rotation_token is not None and (not isinstance(rotation_token, str) or not rotation_token):
        # Only the type is named: the token is a credential of the rotation.
        raise InvalidEventError(MSG_EVENT_ROTATION_TOKEN % type(rotation_token).__name__)
    return RotationEvent(
        secret_arn=fields["SecretId"],
        token=fields["ClientRequestToken"],
        step=fields["Step"],
        rotation_token=rotation_token,
    )


def check_version_stages(client: BaseClient, *, step: str, secret_arn: str, token: str) -> bool:
    """The guard: True if `step` must run, False if the version is already AWSCURRENT.

    A version that is AWSCURRENT but still AWSPENDING means that an earlier finishSecret moved
    AWSCURRENT and stopped before it removed AWSPENDING; the guard removes the leftover label.
    """
    metadata = client.describe_secret(SecretId=secret_arn)
    # DescribeSecret leaves RotationEnabled out for a secret that was never set up for rotation.
    if not metadata.get("RotationEnabled", False):
        raise RotationNotEnabledError(MSG_ROTATION_NOT_ENABLED % (step, secret_arn))
    versions = metadata.get("VersionIdsToStages", {})
    if token not in versions:
        raise VersionNotPendingError(MSG_UNKNOWN_VERSION % (step, secret_arn, token))
    stages = versions[token]
    if AWSCURRENT in stages:
        if AWSPENDING in stages:
            _remove_pending_stage(client, secret_arn=secret_arn, token=token)
            logger.info(MSG_LEFTOVER_PENDING_REMOVED, step, secret_arn, token)
        logger.info(MSG_ALREADY_CURRENT, step, secret_arn, token)
        return False
    if AWSPENDING not in stages:
        raise VersionNotPendingError(MSG_NOT_PENDING % (step, secret_arn, token, stages))
    return True


def create_secret(*, client: BaseClient, strategy: RotationStrategy, event: RotationEvent) -> None:
    """Store a new value as the AWSPENDING version `token`, unless it already has one.

    A secret with no AWSCURRENT version yet (a token secret whose first value its rotation makes,
    with `rotate_immediately`) is given to the strategy as `current_value=None`; only strategies
    that need nothing from the current value accept that.
    """
    secret_arn, token = event.secret_arn, event.token
    pending_value = find_secret_string(
        client, secret_id=secret_arn, stage=AWSPENDING, version_id=token
    )
    if pending_value is not None:
        logger.info(MSG_PENDING_KEPT, CREATE_SECRET, secret_arn, token)
        return
    current_value = find_secret_string(client, secret_id=secret_arn, stage=AWSCURRENT)
    if current_value is None:
        logger.info(MSG_FIRST_VALUE, CREATE_SECRET, secret_arn, token)
    pending_value = strategy.create_pending_value(
        client=client, secret_arn=secret_arn, current_value=current_value
    )
    put_pending_value(
        client,
        secret_id=secret_arn,
        token=token,
        secret_string=pending_value,
        rotation_token=event.rotation_token,
    )
    logger.info(MSG_PENDING_STORED, CREATE_SECRET, secret_arn, token)


def set_secret(*, client: BaseClient, strategy: RotationStrategy, event: RotationEvent) -> None:
    """Make the system that uses the secret accept the pending value."""
    strategy.set_pending_value(client=client, secret_arn=event.secret_arn, token=event.token)


def test_secret(*, client: BaseClient, strategy: RotationStrategy, event: RotationEvent) -> None:
    """Check that the pending value works in that system."""
    strategy.test_pending_value(client=client, secret_arn=event.secret_arn, token=event.token)


def finish_secret(*, client: BaseClient, strategy: RotationStrategy, event: RotationEvent) -> None:
    """Check the pending value once more, move AWSCURRENT to it, then remove its AWSPENDING.

    - Nothing is promoted that has no value (finishSecret before createSecret) or that fails the
      strategy's test (for PostgreSQL: does not log in, e.g. finishSecret straight after
      createSecret): every later rotation starts from AWSCURRENT, so a dead AWSCURRENT would
      break them all.
    - A version another invocation already made AWSCURRENT is left alone: Secrets Manager
      retries, and Lambda may run a retry beside the first attempt. Moving AWSCURRENT onto the
      version that has it (RemoveFromVersionId = MoveToVersionId) would strip AWSPREVIOUS from
      the previous version, which for alternating users is the login that still works.
    - AWS's templates stop after moving AWSCURRENT and leave AWSPENDING on the new version.
      The order matters: if the function dies between the two calls, the retry's guard finds the
      version AWSCURRENT and removes the AWSPENDING it still carries.
    """
    secret_arn, token = event.secret_arn, event.token
    if AWSCURRENT not in _stages_of(client, secret_arn=secret_arn, token=token):
        if (
            find_secret_string(client, secret_id=secret_arn, stage=AWSPENDING, version_id=token)
            is None
        ):
            raise InvalidSecretValueError(MSG_NO_PENDING_VALUE % (secret_arn, token))
        strategy.test_pending_value(client=client, secret_arn=secret_arn, token=token)
        logger.info(MSG_PENDING_VERIFIED, secret_arn, token)
        versions = client.describe_secret(SecretId=secret_arn).get("VersionIdsToStages", {})
        current_version = version_with_stage(versions, AWSCURRENT)
        if current_version != token:
            _move_current(
                client, secret_arn=secret_arn, token=token, current_version=current_version
            )
            logger.info(MSG_CURRENT_MOVED, FINISH_SECRET, secret_arn, token, current_version)
    else:
        logger.info(MSG_FINISHED_ELSEWHERE, secret_arn, token)
    if AWSPENDING in _stages_of(client, secret_arn=secret_arn, token=token):
        _remove_pending_stage(client, secret_arn=secret_arn, token=token)


def _move_current(
    client: BaseClient, *, secret_arn: str, token: str, current_version: str | None
) -> None:
    request = {"SecretId": secret_arn, "VersionStage": AWSCURRENT, "MoveToVersionId": token}
    if current_version is not None:
        request["RemoveFromVersionId"] = current_version
    try:
        client.update_secret_version_stage(**request)
    except ClientError:
        # A parallel finishSecret moved AWSCURRENT between our DescribeSecret and this call, so
        # RemoveFromVersionId no longer holds it. That is success if the label is now ours.
        if AWSCURRENT not in _stages_of(client, secret_arn=secret_arn, token=token):
            raise


def _stages_of(client: BaseClient, *, secret_arn: str, token: str) -> list[str]:
    versions = client.describe_secret(SecretId=secret_arn).get("VersionIdsToStages", {})
    return versions.get(token, [])


def _remove_pending_stage(client: BaseClient, *, secret_arn: str, token: str) -> None:
    client.update_secret_version_stage(
        SecretId=secret_arn, VersionStage=AWSPENDING, RemoveFromVersionId=token
    )


STEPS: dict[str, StepFunction] = {
    CREATE_SECRET: create_secret,
    SET_SECRET: set_secret,
    TEST_SECRET: test_secret,
    FINISH_SECRET: finish_secret,
}
