"""Small wrappers over the Secrets Manager calls that the steps and strategies share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from rotation.exceptions import InvalidSecretValueError

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.settings import PasswordPolicy

AWSCURRENT = "AWSCURRENT"
AWSPENDING = "AWSPENDING"
AWSPREVIOUS = "AWSPREVIOUS"

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
    client: BaseClient, *, secret_id: str, token: str, secret_string: str
) -> None:
    """Store `secret_string` as the version `token`, staged AWSPENDING only."""
    client.put_secret_value(
        SecretId=secret_id,
        ClientRequestToken=token,
        SecretString=secret_string,
        VersionStages=[AWSPENDING],
    )


def generate_password(client: BaseClient, policy: PasswordPolicy) -> str:
    """Ask Secrets Manager for a random value that follows `policy`."""
    response = client.get_random_password(
        PasswordLength=policy.password_length,
        ExcludeCharacters=policy.exclude_characters,
        ExcludePunctuation=policy.exclude_punctuation,
    )
    return response["RandomPassword"]


def version_with_stage(versions: dict[str, list[str]], stage: str) -> str | None:
    """The version id that carries `stage` in DescribeSecret's VersionIdsToStages, if any."""
    return next((version for version, stages in versions.items() if stage in stages), None)
