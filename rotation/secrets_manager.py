"""Small wrappers over the Secrets Manager calls that the steps and strategies share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from rotation.exceptions import InvalidSecretValueError, VersionNotPendingError

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.settings import PasswordPolicy

AWSCURRENT = "AWSCURRENT"
AWSPENDING = "AWSPENDING"
AWSPREVIOUS = "AWSPREVIOUS"

MSG_NO_LONGER_PENDING = (
    "%s: secret %s version %s is no longer the pending version (its stages are %s): another "
    "rotation took over, so nothing was changed"
)
MSG_NOT_A_STRING = (
    "secret %s version %s has no SecretString: only string secrets can be rotated by this function"
)


def get_secret_string(
    client: BaseClient, *, secret_id: str, stage: str, version_id: str | None = None
) -> str:
    """Return the SecretString of the version that has `stage` (and is `version_id`, if given).

    The stage is always sent: GetSecretValue without one reads the "default" version, and moto's
    default can lag behind AWSCURRENT once the labels have moved.
    """
    request: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
    if version_id is not None:
        request["VersionId"] = version_id
    response = client.get_secret_value(**request)
    if "SecretString" not in response:
        raise InvalidSecretValueError(MSG_NOT_A_STRING % (secret_id, response["VersionId"]))
    return response["SecretString"]


def find_secret_string(
    client: BaseClient, *, secret_id: str, stage: str, version_id: str | None = None
) -> str | None:
    """Like get_secret_string, but None when no version has that stage or it has no value yet."""
    try:
        return get_secret_string(client, secret_id=secret_id, stage=stage, version_id=version_id)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def put_pending_value(
    client: BaseClient,
    *,
    secret_id: str,
    token: str,
    secret_string: str,
    rotation_token: str | None = None,
) -> None:
    """Store `secret_string` as the version `token`, staged AWSPENDING only.

    `rotation_token` is the event's RotationToken, passed on when present: Secrets Manager needs
    it to accept the value from a function that rotates through an assumed role or across
    accounts.
    """
    request: dict[str, Any] = {
        "SecretId": secret_id,
        "ClientRequestToken": token,
        "SecretString": secret_string,
        "VersionStages": [AWSPENDING],
    }
    if rotation_token is not None:
        request["RotationToken"] = rotation_token
    client.put_secret_value(**request)


def check_still_pending(client: BaseClient, *, secret_id: str, token: str, step: str) -> None:
    """Raise VersionNotPendingError unless `token` is still AWSPENDING (and not AWSCURRENT).

    Called under the database's advisory lock, right before a password change is committed: a
    rotation that was paused while another one ran to the end must not overwrite the password
    that the other one made current.
    """
    versions = client.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})
    stages = versions.get(token, [])
    if AWSPENDING not in stages or AWSCURRENT in stages:
        raise VersionNotPendingError(MSG_NO_LONGER_PENDING % (step, secret_id, token, stages))


def recent_unlabelled_versions(client: BaseClient, *, secret_id: str, limit: int) -> list[str]:
    """The ids of the `limit` newest versions that carry no staging label, newest first.

    Secrets Manager keeps such versions until a secret has more than 100 versions, then deletes
    the oldest unlabelled ones (never one created in the last 24 hours), so a value that lost
    its label mid-rotation can still be read by its id.
    """
    versions: list[dict[str, Any]] = []
    request: dict[str, Any] = {"SecretId": secret_id, "IncludeDeprecated": True}
    while True:  # boto3 has no paginator for ListSecretVersionIds
        page = client.list_secret_version_ids(**request)
        versions.extend(page.get("Versions", []))
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    unlabelled = [version for version in versions if not version.get("VersionStages")]
    unlabelled.sort(key=lambda version: version["CreatedDate"], reverse=True)
    return [version["VersionId"] for version in unlabelled[:limit]]


def get_version_string(client: BaseClient, *, secret_id: str, version_id: str) -> str | None:
    """The SecretString of the version `version_id`, whatever its labels; None if it has none."""
    try:
        response = client.get_secret_value(SecretId=secret_id, VersionId=version_id)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise
    return response.get("SecretString")


def generate_password(client: BaseClient, policy: PasswordPolicy) -> str:
    """Ask Secrets Manager for a random value that follows `policy`.

    Every argument AWS's rotation templates pass is sent, defaults included: GetRandomPassword's
    own defaults then never decide what a value holds.
    """
    response = client.get_random_password(
        PasswordLength=policy.password_length,
        ExcludeCharacters=policy.exclude_characters,
        ExcludeNumbers=policy.exclude_numbers,
        ExcludePunctuation=policy.exclude_punctuation,
        ExcludeUppercase=policy.exclude_uppercase,
        ExcludeLowercase=policy.exclude_lowercase,
        RequireEachIncludedType=policy.require_each_included_type,
    )
    return response["RandomPassword"]


def version_with_stage(versions: dict[str, list[str]], stage: str) -> str | None:
    """The version id that carries `stage` in DescribeSecret's VersionIdsToStages, if any."""
    return next((version for version, stages in versions.items() if stage in stages), None)
