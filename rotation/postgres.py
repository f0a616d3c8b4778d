"""PostgreSQL logins read from secrets, pg8000 sessions, and the role statements rotation runs."""

from __future__ import annotations

import base64
import logging
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import pg8000.native
from pg8000.exceptions import DatabaseError, InterfaceError
from scramp import ScramException, ScramMechanism

from rotation.exceptions import (
    DatabaseCommandError,
    DatabaseLoginError,
    DatabaseUnavailableError,
    InvalidSecretValueError,
)
from rotation.postgres_secret import (
    PostgresCredentials,
    read_credentials,
)
from rotation.secrets_manager import AWSPENDING
from rotation.tls import SslSetting, describe_tls_failure, ssl_context

if TYPE_CHECKING:
    from botocore.client import BaseClient

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
APPLICATION_NAME = "app-secrets-rotation"
# PostgreSQL truncates longer identifiers, so a longer role name would not be the one we log in as.
LOGIN_REFUSED_SQLSTATES = frozenset({"28P01", "28000"})
# PostgreSQL's own default for scram_iterations.
SCRAM_ITERATIONS = 4096
REDACTED = "[REDACTED]"

MSG_UNREACHABLE = "cannot reach PostgreSQL at %s:%s as role %s: %s"
MSG_TLS_FAILED = (
    "cannot reach PostgreSQL at %s:%s as role %s over verified TLS: %s;"
    ' set "ssl": false in the secret to connect without TLS (docs/rotation.md, TLS to the database)'
)
MSG_SSL_IGNORED = (
    "the secret's field 'ssl' must be true or false, got %s: connecting with verified TLS,"
    " the default"
)
MSG_LOGIN_FAILED = "PostgreSQL at %s:%s did not let role %s log in: %s"
MSG_COMMAND_FAILED = "PostgreSQL at %s:%s, as role %s: %s failed: %s"
MSG_NOT_SASLPREP = "%s: the password has a character that SASLprep prohibits, so no SCRAM verifier"
MSG_PENDING_REFUSED = "testSecret: secret %s version %s: PostgreSQL at %s refused role %s"
MSG_PENDING_TESTED = "secret %s version %s: role %s logged in with AWSPENDING and ran SELECT NOW()"
LOCK_NAMESPACE = "app-secrets-rotation:"


class Session:
    """An open pg8000 connection and the login it used, so that errors can name both."""

    def __init__(
        self, connection: pg8000.native.Connection, credentials: PostgresCredentials
    ) -> None:
        self.connection = connection
        self.credentials = credentials

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        # A connection that already broke cannot be closed cleanly; that must not hide the
        # error that broke it.
        with suppress(InterfaceError, OSError):
            self.connection.close()

    def run(
        self, sql: str, *, action: str, secret_values: Iterable[str] = (), **params: Any
    ) -> list[list[Any]]:
        """Run one statement; `secret_values` are blanked out of any error it raises."""
        credentials = self.credentials
        try:
            return self.connection.run(sql, **params) or []
        except DatabaseError as exc:
            detail = describe_database_error(
                exc, secret_values=(credentials.password, *secret_values)
            )
        except (InterfaceError, OSError) as exc:
            raise DatabaseUnavailableError(
                MSG_UNREACHABLE
                % (credentials.host, credentials.port, credentials.username, _describe(exc))
            ) from exc
        # Raised outside the except block, so that it does not keep the server's error as its
        # context: that error can quote the statement, and the statement can hold a password.
        raise DatabaseCommandError(
            MSG_COMMAND_FAILED
            % (credentials.host, credentials.port, credentials.username, action, detail)
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit the statements run inside together; after an error none is committed, and
        closing the session rolls them back."""
        self.run("START TRANSACTION", action="START TRANSACTION")
        yield
        self.run("COMMIT", action="COMMIT")


def try_login(credentials: PostgresCredentials) -> Session | None:
    """A session as `credentials`, or None if the server refuses that login.

    Raises DatabaseUnavailableError, naming host:port, if the server cannot be reached within
    CONNECT_TIMEOUT_SECONDS, and DatabaseLoginError for any other refusal (an unknown database).
    """
    try:
        connection = pg8000.native.Connection(
            user=credentials.username,
            password=credentials.password,
            host=credentials.host,
            port=credentials.port,
            database=credentials.dbname,
            timeout=CONNECT_TIMEOUT_SECONDS,
            ssl_context=_ssl_context(credentials.ssl),
            application_name=APPLICATION_NAME,
        )
    except DatabaseError as exc:
        if sqlstate(exc) in LOGIN_REFUSED_SQLSTATES:
            return None
        detail = describe_database_error(exc, secret_values=(credentials.password,))
    except (InterfaceError, OSError) as exc:
        tls_failure = describe_tls_failure(exc)
        raise DatabaseUnavailableError(
            (MSG_UNREACHABLE if tls_failure is None else MSG_TLS_FAILED)
            % (
                credentials.host,
                credentials.port,
                credentials.username,
                redact(tls_failure or _describe(exc), (credentials.password,)),
            )
        ) from exc
    else:
        return Session(connection, credentials)
    # Raised outside the except block, as in Session.run.
    raise DatabaseLoginError(
        MSG_LOGIN_FAILED % (credentials.host, credentials.port, credentials.username, detail)
    )


def can_login(credentials: PostgresCredentials) -> bool:
    """Whether the server accepts `credentials`; it must be reachable."""
    session = try_login(credentials)
    if session is None:
        return False
    session.close()
    return True


def check_pending_login(client: BaseClient, *, secret_arn: str, token: str) -> None:
    """testSecret for both PostgreSQL strategies: log in as AWSPENDING, run `SELECT NOW()`."""
    pending = read_credentials(client, secret_id=secret_arn, stage=AWSPENDING, version_id=token)
    session = try_login(pending)
    if session is None:
        raise DatabaseLoginError(
            MSG_PENDING_REFUSED % (secret_arn, token, pending.address, pending.username)
        )
    with session:
        session.run("SELECT NOW()", action="SELECT NOW()")
    logger.info(MSG_PENDING_TESTED, secret_arn, token, pending.username)


def lock_role(session: Session, role: str) -> None:
    """Take a transaction-level advisory lock keyed by `role`, held until COMMIT or ROLLBACK.

    Two rotations of the same login (a retry beside the first attempt, or a new token while an
    old invocation is still running) then check their token and change the password one after
    the other, never interleaved. The key is a 64-bit hash of the role's name, so it needs no
    role to exist yet (the clone's first rotation creates it).
    """
    session.run(
        "SELECT pg_advisory_xact_lock(hashtextextended(CAST(:key AS text), 0))",
        action="pg_advisory_xact_lock",
        key=LOCK_NAMESPACE + role,
    )


def role_exists(session: Session, role: str) -> bool:
    rows = session.run(
        "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = CAST(:role AS text)",
        action="look up role",
        role=role,
    )
    return bool(rows)


def set_password(session: Session, *, role: str, password: str) -> None:
    """`ALTER ROLE <role> WITH PASSWORD <SCRAM verifier of password>`."""
    _run_with_password(session, "ALTER ROLE %I WITH PASSWORD %L", role=role, password=password)


def create_login_role(session: Session, *, role: str, password: str) -> None:
    """`CREATE ROLE <role> WITH LOGIN PASSWORD <SCRAM verifier of password>`."""
    _run_with_password(
        session, "CREATE ROLE %I WITH LOGIN PASSWORD %L", role=role, password=password
    )


def _run_with_password(session: Session, template: str, *, role: str, password: str) -> None:
    """Runs `template` on the role and the password's verifier; neither reaches an error."""
    verifier = scram_verifier(password, source=f"role {role}")
    _run_formatted(
        session,
        template,
        role,
        verifier,
        action=template.replace("%I", "<role>").replace(" %L", "").replace("<role>", "..."),
        secret_values=(password, verifier),
    )


def grant_role(session: Session, *, role: str, member: str) -> None:
    """`GRANT <role> TO <member>`; granting a membership that exists changes nothing."""
    _run_formatted(session, "GRANT %I TO %I", role, member, action="GRANT", secret_values=())


def scram_verifier(password: str, *, source: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password`.

    Sending the verifier instead of the password keeps the password out of the server's
    statement log (log_statement = ddl logs ALTER ROLE verbatim) and off the wire.
    """
    mechanism = ScramMechanism("SCRAM-SHA-256")
    try:
        salt, stored_key, server_key, iterations = mechanism.make_auth_info(
            password, iteration_count=SCRAM_ITERATIONS
        )
    except ScramException:
        prohibited = True
    else:
        prohibited = False
    if prohibited:
        # Raised outside the except block: scramp's error can quote the offending character.
        raise InvalidSecretValueError(MSG_NOT_SASLPREP % source)
    keys = f"{_base64(stored_key)}:{_base64(server_key)}"
    return f"{mechanism.name}${iterations}:{_base64(salt)}${keys}"


def sqlstate(exc: DatabaseError) -> str | None:
    """The SQLSTATE code of a pg8000 server error, if it has one."""
    return _error_fields(exc).get("C")


def describe_database_error(exc: DatabaseError, *, secret_values: Iterable[str]) -> str:
    """`SQLSTATE <code>: <server message>`, with every one of `secret_values` blanked out.

    Only the code and the primary message are kept; DETAIL, HINT and the statement position,
    which are likelier to quote data, are dropped.
    """
    fields = _error_fields(exc)
    message = fields.get("M", type(exc).__name__)
    return redact(f"SQLSTATE {fields.get('C', 'unknown')}: {message}", secret_values)


def redact(text: str, secret_values: Iterable[str]) -> str:
    """`text` with each non-empty secret value replaced, longest first."""
    for value in sorted((value for value in secret_values if value), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def _run_formatted(
    session: Session, template: str, *args: str, action: str, secret_values: Iterable[str]
) -> None:
    # pg8000 cannot bind parameters in utility statements such as ALTER ROLE, so the server's own
    # format() quotes them (%I an identifier, %L a literal) and the result is run as is.
    placeholders = ", ".join(f"CAST(:arg{index} AS text)" for index in range(len(args)))
    secret_values = tuple(secret_values)
    rows = session.run(
        f"SELECT format(CAST(:template AS text), {placeholders})",
        action=f"quote {action}",
        secret_values=secret_values,
        template=template,
        **{f"arg{index}": arg for index, arg in enumerate(args)},
    )
    session.run(rows[0][0], action=action, secret_values=secret_values)


def _error_fields(exc: DatabaseError) -> dict[str, str]:
    # pg8000 gives a server error's fields as a dict of one-letter codes: C SQLSTATE, M message.
    return exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__
    text = f"{type(exc).__name__}: {exc}"
    if cause is not None:
        text += f" ({type(cause).__name__}: {cause})"
    return text


def _ssl_context(setting: SslSetting) -> ssl.SSLContext | bool:
    # Warned about on every connection, not once per secret read: this is where it matters.
    if setting.ignored is not None:
        logger.warning(MSG_SSL_IGNORED, setting.ignored)
    return ssl_context(setting)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
