"""The `postgres-alternating-users` strategy: rotations switch between a role and its `_clone`."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rotation.exceptions import DatabaseLoginError, InvalidSecretValueError
from rotation.postgres import (
    Session,
    can_login,
    check_pending_login,
    create_login_role,
    grant_role,
    lock_role,
    role_exists,
    set_password,
    try_login,
)
from rotation.postgres_secret import (
    check_role_name,
    different_fields,
    parse_credentials,
    parse_secret_object,
    with_login,
)
from rotation.rds import RdsClientFactory, is_replica, new_rds_client, read_master
from rotation.secrets_manager import (
    AWSCURRENT,
    AWSPENDING,
    check_still_pending,
    generate_password,
    get_secret_string,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.postgres_secret import PostgresCredentials
    from rotation.settings import PasswordPolicy

logger = logging.getLogger(__name__)

CLONE_SUFFIX = "_clone"
MASTER_ARN_FIELD = "masterarn"
# The two users live in the same database; only the username and the password alternate.
SAME_DATABASE_FIELDS = ("host", "port", "dbname")
# The master logs in to the same server, in the database of the user it manages.
SAME_SERVER_FIELDS = ("host", "port")

MSG_NO_CURRENT = (
    "createSecret: secret %s has no AWSCURRENT value: put the PostgreSQL login, with masterarn, "
    "as its first value before its first rotation"
)
MSG_MASTER_ARN_MISSING = "%s: field %r must be the ARN of the master secret, got %s"
MSG_NOT_THE_OTHER_USER = (
    "setSecret: secret %s version %s: AWSPENDING must log in as the other user of AWSCURRENT "
    "and differ only in username and password, but differs in %s"
)
MSG_PENDING_WORKS = "setSecret: secret %s version %s: role %s already has the pending password"
MSG_CURRENT_REFUSED = (
    "setSecret: secret %s version %s: PostgreSQL at %s refused role %s with AWSCURRENT; "
    "only a working login is rotated"
)
MSG_MASTER_ELSEWHERE = (
    "setSecret: secret %s version %s: master secret %s is for another server (%s differs)"
)
MSG_MASTER_NOT_PRIMARY = (
    "setSecret: secret %s version %s: master secret %s is for another server: host %s is "
    "neither its host %s nor, as RDS describes them, a read replica of its database"
)
MSG_MASTER_OF_REPLICA = (
    "setSecret: secret %s version %s: host %s is a read replica of the database of master "
    "secret %s: the roles are changed on %s"
)
MSG_MASTER_REFUSED = (
    "setSecret: secret %s version %s: PostgreSQL at %s refused the master role %s of secret %s"
)
MSG_PASSWORD_SET = (
    "setSecret: secret %s version %s: set the password of role %s with master secret %s"
)


def base_username(username: str) -> str:
    """The role both users of a pair are named after: `app` for `app` and `app_clone`."""
    return username.removesuffix(CLONE_SUFFIX)


def alternate_username(username: str) -> str:
    """`app` -> `app_clone`, `app_clone` -> `app`."""
    if username.endswith(CLONE_SUFFIX):
        return username.removesuffix(CLONE_SUFFIX)
    return username + CLONE_SUFFIX


@dataclass(frozen=True)
class PostgresAlternatingUsersStrategy:
    """Rotates between a role and `<role>_clone`, so that AWSPREVIOUS keeps working.

    Each rotation sets a new password on the user that AWSCURRENT does not use, logged in with
    the master secret named by the `masterarn` field (the same JSON shape, a role that is a
    superuser or has CREATEROLE). Programs holding the old value keep working until the rotation
    after next.

    The first rotation creates the clone: `CREATE ROLE <role>_clone WITH LOGIN PASSWORD ...`,
    then `GRANT <role> TO <role>_clone`, as AWS's template does. Membership gives the clone every
    privilege of the role, including those granted later, without copying grants one by one.
    It does not give the role's attributes (CREATEDB, ...) or make the clone own the role's
    objects, and objects the clone creates belong to the clone. PostgreSQL 16 and later let a
    CREATEROLE master grant the role only if it holds the role WITH ADMIN OPTION.
    """

    password_policy: PasswordPolicy
    rds_client: RdsClientFactory = field(default=new_rds_client, repr=False, compare=False)
    """Builds the RDS client setSecret uses for a master secret RDS manages, or a user whose host
    is not the master's (a read replica), and only then. @default `boto3.client("rds")` in the
    function's region; AWS_ENDPOINT_URL_RDS points it elsewhere."""

    def create_pending_value(
        self, *, client: BaseClient, secret_arn: str, current_value: str | None
    ) -> str:
        """AWSCURRENT with the other username and a new random password."""
        if current_value is None:
            raise InvalidSecretValueError(MSG_NO_CURRENT % secret_arn)
        source = f"secret {secret_arn} {AWSCURRENT}"
        current = parse_credentials(current_value, source=source)
        current_object = parse_secret_object(current_value, source=source)
        parse_master_arn(current_object, source=source)
        username = alternate_username(current.username)
        check_role_name(username, source=source)
        return with_login(
            current_object,
            username=username,
            password=generate_password(client, self.password_policy),
        )

    def set_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Set the pending password on the other user, creating `<role>_clone` if missing.

        If the pending password already works, an earlier attempt set it: nothing to do. The
        AWSCURRENT login must work, so that editing the secret cannot point the master's power
        at a role the secret never controlled. The change is committed under an advisory lock on
        the pair of users, after checking that `token` is still AWSPENDING.
        """
        pending, current, current_master_arn = _read_logins(
            client, secret_arn=secret_arn, token=token
        )
        if can_login(pending):
            logger.info(MSG_PENDING_WORKS, secret_arn, token, pending.username)
            return
        if not can_login(current):
            raise DatabaseLoginError(
                MSG_CURRENT_REFUSED % (secret_arn, token, current.address, current.username)
            )
        with (
            _login_as_master(
                client,
                master_arn=current_master_arn,
                current=current,
                secret_arn=secret_arn,
                token=token,
                rds_client=self.rds_client,
            ) as session,
            session.transaction(),
        ):
            # Both users of the pair share one lock: a rotation that another one overtook must
            # not set the password of the user that the other one made current.
            lock_role(session, base_username(pending.username))
            check_still_pending(client, secret_id=secret_arn, token=token, step="setSecret")
            _set_user_password(session, pending=pending)
        logger.info(MSG_PASSWORD_SET, secret_arn, token, pending.username, current_master_arn)

    def test_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Log in as the other user with the pending password and run `SELECT NOW()`."""
        check_pending_login(client, secret_arn=secret_arn, token=token)


def parse_master_arn(secret_object: dict[str, Any], *, source: str) -> str:
    """The `masterarn` field: the ARN of the secret whose role manages the two users."""
    value = secret_object.get(MASTER_ARN_FIELD)
    if not isinstance(value, str) or not value:
        kind = "nothing" if value is None else f"type {type(value).__name__}"
        raise InvalidSecretValueError(MSG_MASTER_ARN_MISSING % (source, MASTER_ARN_FIELD, kind))
    return value


def _read_logins(
    client: BaseClient, *, secret_arn: str, token: str
) -> tuple[PostgresCredentials, PostgresCredentials, str]:
    """AWSPENDING, AWSCURRENT and the master ARN, checked to be the two users of one database."""
    pending_source = f"secret {secret_arn} {AWSPENDING}"
    current_source = f"secret {secret_arn} {AWSCURRENT}"
    pending_string = get_secret_string(
        client, secret_id=secret_arn, stage=AWSPENDING, version_id=token
    )
    current_string = get_secret_string(client, secret_id=secret_arn, stage=AWSCURRENT)
    pending = parse_credentials(pending_string, source=pending_source)
    current = parse_credentials(current_string, source=current_source)
    current_master_arn = parse_master_arn(
        parse_secret_object(current_string, source=current_source), source=current_source
    )
    _check_other_user(
        pending_object=parse_secret_object(pending_string, source=pending_source),
        pending=pending,
        current=current,
        current_master_arn=current_master_arn,
        secret_arn=secret_arn,
        token=token,
    )
    return pending, current, current_master_arn


def _check_other_user(
    *,
    pending_object: dict[str, Any],
    pending: PostgresCredentials,
    current: PostgresCredentials,
    current_master_arn: str,
    secret_arn: str,
    token: str,
) -> None:
    fields = different_fields(pending, current, names=SAME_DATABASE_FIELDS)
    if pending.username != alternate_username(current.username):
        fields.append("username")
    if pending_object.get(MASTER_ARN_FIELD) != current_master_arn:
        fields.append(MASTER_ARN_FIELD)
    if fields:
        raise InvalidSecretValueError(
            MSG_NOT_THE_OTHER_USER % (secret_arn, token, ", ".join(fields))
        )


def _login_as_master(
    client: BaseClient,
    *,
    master_arn: str,
    current: PostgresCredentials,
    secret_arn: str,
    token: str,
    rds_client: RdsClientFactory = new_rds_client,
) -> Session:
    """A session as the master, on the master's server, in the user's database.

    The master secret may be one RDS manages (only username and password: RDS gives its host).
    The user's host must be the master's, on the same port, or, as in AWS's multi-user template,
    a read replica of the master's database: the roles are then changed on the master's server,
    and reach the replica by replication.
    """
    context = f"setSecret: secret {secret_arn} version {token}"
    rds = functools.cache(rds_client)
    master_login = read_master(client, secret_id=master_arn, rds_client=rds, context=context)
    master = master_login.credentials
    fields = different_fields(master, current, names=SAME_SERVER_FIELDS)
    if "host" in fields:
        if not is_replica(rds, host=current.host, master=master_login, context=context):
            raise InvalidSecretValueError(
                MSG_MASTER_NOT_PRIMARY % (secret_arn, token, master_arn, current.host, master.host)
            )
        logger.info(MSG_MASTER_OF_REPLICA, secret_arn, token, current.host, master_arn, master.host)
    elif fields:
        raise InvalidSecretValueError(
            MSG_MASTER_ELSEWHERE % (secret_arn, token, master_arn, ", ".join(fields))
        )
    session = try_login(replace(master, dbname=current.dbname))
    if session is None:
        raise DatabaseLoginError(
            MSG_MASTER_REFUSED % (secret_arn, token, master.address, master.username, master_arn)
        )
    return session


def _set_user_password(session: Session, *, pending: PostgresCredentials) -> None:
    if not pending.username.endswith(CLONE_SUFFIX):
        # The original role is never created here: it is the one the secret started with.
        set_password(session, role=pending.username, password=pending.password)
        return
    if role_exists(session, pending.username):
        set_password(session, role=pending.username, password=pending.password)
    else:
        create_login_role(session, role=pending.username, password=pending.password)
    # Also when the clone already existed: it repairs a membership that someone revoked.
    grant_role(session, role=alternate_username(pending.username), member=pending.username)
