"""The rotation protocol: a guard, then one idempotent function per step, dispatched by name."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from rotation.exceptions import InvalidEventError, RotationNotEnabledError, VersionNotPendingError
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPENDING,
    find_secret_string,
    get_secret_string,
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


@dataclass(frozen=True)
class RotationEvent:
    """The fields of the event Secrets Manager sends for each step."""

    secret_arn: str
    token: str
    step: str


class StepFunction(Protocol):
    """The shape of the four step functions, so that they can sit in one dict."""

    def __call__(
        self, *, client: BaseClient, strategy: RotationStrategy, secret_arn: str, token: str
    ) -> None: ...


def run_step(*, client: BaseClient, strategy: RotationStrategy, event: Mapping[str, Any]) -> None:
    """Handle one rotation event: check the version's stages, then run the step it names."""
    rotation_event = parse_event(event)
    step, secret_arn, token = rotation_event.step, rotation_event.secret_arn, rotation_event.token
    if not check_version_stages(client, step=step, secret_arn=secret_arn, token=token):
        return
    logger.info(MSG_STEP_STARTED, step, secret_arn, token)
    STEPS[step](client=client, strategy=strategy, secret_arn=secret_arn, token=token)
    logger.info(MSG_STEP_FINISHED, step, secret_arn, token)


def parse_event(event: Mapping[str, Any]) -> RotationEvent:
    """Validate the event's SecretId, ClientRequestToken and Step."""
    fields = {}
    for key in ("SecretId", "ClientRequestToken", "Step"):
        value = event.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidEventError(MSG_EVENT_FIELD_MISSING % (key, type(value).__name__))
        fields[key] = value
    if fields["Step"] not in STEPS:
        raise InvalidEventError(MSG_EVENT_UNKNOWN_STEP % (", ".join(STEPS), fields["Step"]))
    return RotationEvent(
        secret_arn=fields["SecretId"], token=fields["ClientRequestToken"], step=fields["Step"]
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


def create_secret(
    *, client: BaseClient, strategy: RotationStrategy, secret_arn: str, token: str
) -> None:
    """Store a new value as the AWSPENDING version `token`, unless it already has one."""
    current_value = get_secret_string(client, secret_id=secret_arn, stage=AWSCURRENT)
    pending_value = find_secret_string(
        client, secret_id=secret_arn, stage=AWSPENDING, version_id=token
    )
    if pending_value is not None:
        logger.info(MSG_PENDING_KEPT, CREATE_SECRET, secret_arn, token)
        return
    pending_value = strategy.create_pending_value(
        client=client, secret_arn=secret_arn, current_value=current_value
    )
    put_pending_value(client, secret_id=secret_arn, token=token, secret_string=pending_value)
    logger.info(MSG_PENDING_STORED, CREATE_SECRET, secret_arn, token)


def set_secret(
    *, client: BaseClient, strategy: RotationStrategy, secret_arn: str, token: str
) -> None:
    """Make the system that uses the secret accept the pending value."""
    strategy.set_pending_value(client=client, secret_arn=secret_arn, token=token)


def test_secret(
    *, client: BaseClient, strategy: RotationStrategy, secret_arn: str, token: str
) -> None:
    """Check that the pending value works in that system."""
    strategy.test_pending_value(client=client, secret_arn=secret_arn, token=token)


def finish_secret(
    *, client: BaseClient, strategy: RotationStrategy, secret_arn: str, token: str
) -> None:
    """Move AWSCURRENT to `token`, then remove its AWSPENDING label.

    AWS's templates stop after the first call and leave AWSPENDING on the new AWSCURRENT version.
    The order matters: if the function dies between the two calls, the retry's guard finds the
    version AWSCURRENT and removes the AWSPENDING it still carries.
    """
    versions = client.describe_secret(SecretId=secret_arn)["VersionIdsToStages"]
    current_version = version_with_stage(versions, AWSCURRENT)
    request = {"SecretId": secret_arn, "VersionStage": AWSCURRENT, "MoveToVersionId": token}
    if current_version is not None:
        request["RemoveFromVersionId"] = current_version
    client.update_secret_version_stage(**request)
    logger.info(MSG_CURRENT_MOVED, FINISH_SECRET, secret_arn, token, current_version)
    _remove_pending_stage(client, secret_arn=secret_arn, token=token)


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
