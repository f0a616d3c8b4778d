"""The `postgres-single-user` strategy: one PostgreSQL role gets a new password each rotation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rotation.exceptions import DatabaseLoginError, InvalidSecretValueError
from rotation.postgres import (
    Session,
    can_login,
    check_pending_login,
    lock_role,
    set_password,
    try_login,
)
from rotation.postgres_secret import (
    different_fields,
    find_credentials,
    parse_credentials,
    parse_secret_object,
    read_credentials,
    with_login,
)
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    check_still_pending,
    generate_password,
    get_version_string,
    recent_unlabelled_versions,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.postgres_secret import PostgresCredentials
    from rotation.settings import PasswordPolicy

logger = logging.getLogger(__name__)

# A rotation changes the password and nothing else about the login.
SAME_LOGIN_FIELDS = ("host", "port", "dbname", "username")
RECOVERY_VERSIONS = 5
"""How many of the newest unlabelled versions setSecret tries when no labelled one logs in."""

MSG_LOGIN_CHANGED = (
    "setSecret: secret %s version %s: %s differs from AWSPENDING in %s; "
    "a single-user rotation only changes the password"
)
MSG_PENDING_WORKS = "setSecret: secret %s version %s: role %s already has the pending password"
MSG_PREVIOUS_SKIPPED = "setSecret: secret %s version %s: AWSPREVIOUS is another login, not tried"
MSG_NO_LOGIN_WORKS = (
    "setSecret: secret %s version %s: PostgreSQL at %s refused role %s "
    "with AWSPENDING, AWSCURRENT, AWSPREVIOUS and the %s newest unlabelled versions"
)
MSG_NO_CURRENT = (
    "createSecret: secret %s has no AWSCURRENT value: put the PostgreSQL login as its first value "
    "before its first rotation"
)
MSG_UNLABELLED_SKIPPED = "setSecret: secret %s version %s: unlabelled version %s is %s, not tried"
MSG_RECOVERED = (
    "setSecret: secret %s version %s: AWSCURRENT and AWSPREVIOUS no longer log in; recovered the "
    "login from unlabelled version %s (a rotation that set its password and lost AWSPENDING)"
)
MSG_PASSWORD_SET = "setSecret: secret %s version %s: set the password of role %s, logged in as %s"


@dataclass(frozen=True)
class PostgresSingleUserStrategy:
    """Rotates the password of the role the secret logs in as, by that role itself.

    While the rotation runs, the old password stops working at setSecret and programs still
    holding AWSCURRENT fail until finishSecret; use `postgres-alternating-users` to avoid that.
    """

    password_policy: PasswordPolicy

    def create_pending_value(
        self, *, client: BaseClient, secret_arn: str, current_value: str | None
    ) -> str:
        """AWSCURRENT with a new random password."""
        if current_value is None:
            raise InvalidSecretValueError(MSG_NO_CURRENT % secret_arn)
        source = f"secret {secret_arn} {AWSCURRENT}"
        current = parse_credentials(current_value, source=source)
        return with_login(
            parse_secret_object(current_value, source=source),
            username=current.username,
            password=generate_password(client, self.password_policy),
        )

    def set_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """ALTER ROLE to the pending password, logged in with the newest login that still works.

        If the pending password already works, an earlier attempt set it: nothing to do. Else
        the role logs in with AWSCURRENT, then AWSPREVIOUS (a database restored from a backup),
        then the RECOVERY_VERSIONS newest unlabelled versions with the same login: a rotation
        that set its password and then lost AWSPENDING (a new token, CancelRotateSecret) left
        the only working password there. The change is committed under an advisory lock on the
        role, after checking that `token` is still AWSPENDING, so a rotation that another one
        overtook changes nothing.
        """
        pending = read_credentials(client, secret_id=secret_arn, stage=AWSPENDING, version_id=token)
        current = read_credentials(client, secret_id=secret_arn, stage=AWSCURRENT)
        _check_same_login(pending, current, label=AWSCURRENT, secret_arn=secret_arn, token=token)
        if can_login(pending):
            logger.info(MSG_PENDING_WORKS, secret_arn, token, pending.username)
            return
        session, label = _login_with_a_working_version(
            client, pending=pending, current=current, secret_arn=secret_arn, token=token
        )
        with session, session.transaction():
            lock_role(session, pending.username)
            check_still_pending(client, secret_id=secret_arn, token=token, step="setSecret")
            set_password(session, role=pending.username, password=pending.password)
        logger.info(MSG_PASSWORD_SET, secret_arn, token, pending.username, label)

    def test_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Log in with the pending password and run `SELECT NOW()`."""
        check_pending_login(client, secret_arn=secret_arn, token=token)


def _login_with_a_working_version(
    client: BaseClient,
    *,
    pending: PostgresCredentials,
    current: PostgresCredentials,
    secret_arn: str,
    token: str,
) -> tuple[Session, str]:
    """A session as the role, and the label (or version id) whose password opened it."""
    session = try_login(current)
    if session is not None:
        return session, AWSCURRENT
    previous = find_credentials(client, secret_id=secret_arn, stage=AWSPREVIOUS)
    if previous is not None and different_fields(pending, previous, names=SAME_LOGIN_FIELDS):
        logger.info(MSG_PREVIOUS_SKIPPED, secret_arn, token)
    elif previous is not None:
        session = try_login(previous)
        if session is not None:
            return session, AWSPREVIOUS
    for version_id in recent_unlabelled_versions(
        client, secret_id=secret_arn, limit=RECOVERY_VERSIONS
    ):
        candidate = _unlabelled_login(
            client, pending=pending, secret_arn=secret_arn, token=token, version_id=version_id
        )
        session = try_login(candidate) if candidate is not None else None
        if session is not None:
            logger.warning(MSG_RECOVERED, secret_arn, token, version_id)
            return session, f"unlabelled version {version_id}"
    raise DatabaseLoginError(
        MSG_NO_LOGIN_WORKS
        % (secret_arn, token, pending.address, pending.username, RECOVERY_VERSIONS)
    )


def _unlabelled_login(
    client: BaseClient,
    *,
    pending: PostgresCredentials,
    secret_arn: str,
    token: str,
    version_id: str,
) -> PostgresCredentials | None:
    """The version's login if it is the same login as AWSPENDING, else None (and why, logged)."""
    secret_string = get_version_string(client, secret_id=secret_arn, version_id=version_id)
    if secret_string is None:
        logger.info(MSG_UNLABELLED_SKIPPED, secret_arn, token, version_id, "not a string")
        return None
    try:
        candidate = parse_credentials(secret_string, source=f"secret {secret_arn} {version_id}")
    except InvalidSecretValueError:
        logger.info(MSG_UNLABELLED_SKIPPED, secret_arn, token, version_id, "not a login")
        return None
    if different_fields(pending, candidate, names=SAME_LOGIN_FIELDS):
        logger.info(MSG_UNLABELLED_SKIPPED, secret_arn, token, version_id, "another login")
        return None
    return candidate


def _check_same_login(
    pending: PostgresCredentials,
    other: PostgresCredentials,
    *,
    label: str,
    secret_arn: str,
    token: str,
) -> None:
    # Someone who can edit the secret must not be able to turn the rotation against another role.
    fields = different_fields(pending, other, names=SAME_LOGIN_FIELDS)
    if fields:
        raise InvalidSecretValueError(
            MSG_LOGIN_CHANGED % (secret_arn, token, label, ", ".join(fields))
        )
