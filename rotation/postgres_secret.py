"""A PostgreSQL login as a secret stores it: the JSON value, parsed, checked, rewritten."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rotation.exceptions import InvalidSecretValueError
from rotation.secrets_manager import find_secret_string, get_secret_string
from rotation.tls import SslSetting, read_ssl_value

if TYPE_CHECKING:
    from botocore.client import BaseClient

ENGINE = "postgres"
ENGINES = (ENGINE, "aurora-postgresql")
"""The engines AWS's PostgreSQL rotation templates accept: RDS for PostgreSQL and Aurora."""
DEFAULT_PORT = 5432
DEFAULT_DBNAME = "postgres"
# Long enough for a database across a VPC, short enough to fail well inside a Lambda timeout.
MAX_IDENTIFIER_BYTES = 63
# invalid_password and invalid_authorization_specification: the server refused this login.
MSG_NOT_JSON_OBJECT = "%s: must be a JSON object, got invalid JSON at line %s column %s"
MSG_NOT_AN_OBJECT = "%s: must be a JSON object, got %s"
MSG_FIELD_INVALID = "%s: field %r must be %s, got %s"


@dataclass(frozen=True)
class PostgresCredentials:
    """One login, as stored in a secret; its repr leaves the password out."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    dbname: str
    ssl: SslSetting
    """The `ssl` field. Absent, true or "true" (any case): TLS with the certificate chain and host
    name verified (libpq's verify-full) against the system's CAs (or SSL_CERT_FILE's and
    SSL_CERT_DIR's) and the RDS CA bundle in the package, never plain TCP. False or "false":
    plain TCP, the opt-out. Any other value: the default, as AWS's templates read it, with a
    warning on each connection (`rotation.tls`)."""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_secret_object(secret_string: str, *, source: str) -> dict[str, Any]:
    """The secret's JSON object. `source` names the secret and version in error messages."""
    try:
        value = json.loads(secret_string)
    except json.JSONDecodeError as exc:
        error = InvalidSecretValueError(MSG_NOT_JSON_OBJECT % (source, exc.lineno, exc.colno))
    else:
        error = None
    if error is not None:
        # Raised outside the except block, so that it does not keep the JSONDecodeError as its
        # context: that error holds the whole document, password included.
        raise error
    if not isinstance(value, dict):
        raise InvalidSecretValueError(MSG_NOT_AN_OBJECT % (source, type(value).__name__))
    return value


def parse_credentials(secret_string: str, *, source: str) -> PostgresCredentials:
    """Read engine, host, port, username, password, dbname and ssl from a secret's JSON.

    engine must be "postgres" or "aurora-postgresql"; host, username and password are required;
    port defaults to 5432 and dbname to "postgres", as in AWS's templates. Messages never repeat
    a field's value.
    """
    secret_object = parse_secret_object(secret_string, source=source)
    engine = secret_object.get("engine")
    if engine not in ENGINES:
        allowed = " or ".join(repr(name) for name in ENGINES)
        raise InvalidSecretValueError(
            MSG_FIELD_INVALID % (source, "engine", allowed, _kind(engine))
        )
    return PostgresCredentials(
        host=_text_field(secret_object, "host", source=source),
        port=_port_field(secret_object, source=source),
        username=_text_field(secret_object, "username", source=source),
        password=_text_field(secret_object, "password", source=source),
        dbname=_text_field(secret_object, "dbname", source=source, default=DEFAULT_DBNAME),
        ssl=_ssl_field(secret_object, source=source),
    )


def read_credentials(
    client: BaseClient, *, secret_id: str, stage: str, version_id: str | None = None
) -> PostgresCredentials:
    """The login stored in the version of `secret_id` that has `stage`."""
    secret_string = get_secret_string(
        client, secret_id=secret_id, stage=stage, version_id=version_id
    )
    return parse_credentials(secret_string, source=f"secret {secret_id} {stage}")


def find_credentials(
    client: BaseClient, *, secret_id: str, stage: str
) -> PostgresCredentials | None:
    """Like read_credentials, but None when no version of `secret_id` has `stage`."""
    secret_string = find_secret_string(client, secret_id=secret_id, stage=stage)
    if secret_string is None:
        return None
    return parse_credentials(secret_string, source=f"secret {secret_id} {stage}")


def different_fields(
    first: PostgresCredentials, second: PostgresCredentials, *, names: Iterable[str]
) -> list[str]:
    """The names, among `names`, of the fields in which two logins differ."""
    return [name for name in names if getattr(first, name) != getattr(second, name)]


def with_login(secret_object: dict[str, Any], *, username: str, password: str) -> str:
    """The secret's JSON with another username and password; every other field is kept."""
    return json.dumps({**secret_object, "username": username, "password": password})


def check_role_name(username: str, *, source: str) -> None:
    """Reject a role name that PostgreSQL would truncate."""
    if len(username.encode()) > MAX_IDENTIFIER_BYTES:
        raise InvalidSecretValueError(
            MSG_FIELD_INVALID
            % (
                source,
                "username",
                f"at most {MAX_IDENTIFIER_BYTES} bytes",
                f"{len(username.encode())} bytes",
            )
        )


def _text_field(
    secret_object: dict[str, Any], name: str, *, source: str, default: str | None = None
) -> str:
    value = secret_object.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or not value:
        raise InvalidSecretValueError(
            MSG_FIELD_INVALID % (source, name, "a non-empty string", _kind(value))
        )
    return value


def _port_field(secret_object: dict[str, Any], *, source: str) -> int:
    value = secret_object.get("port", DEFAULT_PORT)
    # AWS's own RDS secrets store the port as a number, hand-written ones often as a string.
    port = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InvalidSecretValueError(
            MSG_FIELD_INVALID % (source, "port", "an integer from 1 to 65535", _kind(value))
        )
    return port


def _ssl_field(secret_object: dict[str, Any], *, source: str) -> SslSetting:
    # Never rejected: a value that is not allowed is read as the default, as AWS's templates read
    # it, so that every secret they rotate rotates here too; try_login warns about it.
    return read_ssl_value(secret_object.get("ssl"))


def _kind(value: object) -> str:
    # Describes a rejected value without repeating a string: it might be the password in the wrong
    # field.
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"type {type(value).__name__}"
