"""The Lambda's environment-variable contract, validated once into immutable settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rotation.exceptions import InvalidSettingError

PASSWORD_LENGTH_DEFAULT = 32
PASSWORD_LENGTH_MIN = 8
# GetRandomPassword's own limits.
PASSWORD_LENGTH_MAX = 4096
EXCLUDE_CHARACTERS_MAX_LENGTH = 4096
# What AWS's PostgreSQL rotation templates leave out: these characters break connection URLs
# (`/`, `@`) and naive quoting (`"`, `'`, `\`) in the programs that read the secret.
POSTGRES_EXCLUDE_CHARACTERS_DEFAULT = "/@\"'\\"

_BOOLEANS = {"true": True, "false": False}


class Strategy(StrEnum):
    """How a new value is made, set and tested; each Lambda function serves one strategy."""

    TOKEN = "token"
    POSTGRES_SINGLE_USER = "postgres-single-user"
    POSTGRES_ALTERNATING_USERS = "postgres-alternating-users"


@dataclass(frozen=True)
class PasswordPolicy:
    """The arguments given to GetRandomPassword for every new value."""

    password_length: int
    """Characters in a new value, 8 to 4096. @default 32"""

    exclude_characters: str
    """Characters a new value never contains. @default `/@"'\\` for postgres, none for token"""

    exclude_punctuation: bool
    """Whether a new value has no punctuation at all. @default False"""


@dataclass(frozen=True)
class Settings:
    """Everything the Lambda reads from its environment."""

    strategy: Strategy
    """What kind of secret this function rotates. Required."""

    password_policy: PasswordPolicy
    """How new values are generated."""

    secrets_manager_endpoint: str | None
    """The Secrets Manager endpoint URL. @default None: boto3's regional endpoint"""


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read and validate the Lambda's environment variables.

    - `STRATEGY` (string, required): `token`, `postgres-single-user` or
      `postgres-alternating-users`.
    - `PASSWORD_LENGTH` (integer, default 32): 8 to 4096; GetRandomPassword allows at most 4096.
    - `EXCLUDE_CHARACTERS` (string, default `/@"'\\` for the postgres strategies, empty for
      `token`): at most 4096 characters; set but empty means exclude nothing.
    - `EXCLUDE_PUNCTUATION` (boolean, default `false`): `true` or `false`, any case.
    - `SECRETS_MANAGER_ENDPOINT` (URL, default unset: boto3's regional endpoint): `https://...` or
      `http://...`; empty means unset.

    Other variables are ignored. Raises InvalidSettingError naming the variable, what it got and
    what is allowed.
    """
    strategy = _strategy(environ.get("STRATEGY"))
    default_exclude = "" if strategy is Strategy.TOKEN else POSTGRES_EXCLUDE_CHARACTERS_DEFAULT
    return Settings(
        strategy=strategy,
        password_policy=PasswordPolicy(
            password_length=_password_length(environ.get("PASSWORD_LENGTH")),
            exclude_characters=_exclude_characters(
                environ.get("EXCLUDE_CHARACTERS"), default=default_exclude
            ),
            exclude_punctuation=_boolean("EXCLUDE_PUNCTUATION", environ.get("EXCLUDE_PUNCTUATION")),
        ),
        secrets_manager_endpoint=_endpoint(environ.get("SECRETS_MANAGER_ENDPOINT")),
    )


def _strategy(value: str | None) -> Strategy:
    allowed = ", ".join(strategy.value for strategy in Strategy)
    if value is None:
        raise InvalidSettingError(f"STRATEGY: is required, one of {allowed}")
    try:
        return Strategy(value)
    except ValueError:
        raise InvalidSettingError(f"STRATEGY: must be one of {allowed}, got {value!r}") from None


def _password_length(value: str | None) -> int:
    if value is None:
        return PASSWORD_LENGTH_DEFAULT
    allowed = f"must be an integer between {PASSWORD_LENGTH_MIN} and {PASSWORD_LENGTH_MAX}"
    try:
        length = int(value)
    except ValueError:
        raise InvalidSettingError(f"PASSWORD_LENGTH: {allowed}, got {value!r}") from None
    if not PASSWORD_LENGTH_MIN <= length <= PASSWORD_LENGTH_MAX:
        raise InvalidSettingError(f"PASSWORD_LENGTH: {allowed}, got {length}")
    return length


def _exclude_characters(value: str | None, *, default: str) -> str:
    if value is None:
        return default
    if len(value) > EXCLUDE_CHARACTERS_MAX_LENGTH:
        raise InvalidSettingError(
            f"EXCLUDE_CHARACTERS: must be at most {EXCLUDE_CHARACTERS_MAX_LENGTH} characters, "
            f"got {len(value)}"
        )
    return value


def _boolean(name: str, value: str | None) -> bool:
    if value is None:
        return False
    try:
        return _BOOLEANS[value.strip().lower()]
    except KeyError:
        raise InvalidSettingError(f"{name}: must be true or false, got {value!r}") from None


def _endpoint(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise InvalidSettingError(
            f"SECRETS_MANAGER_ENDPOINT: must be an https:// or http:// URL, got {value!r}"
        )
    return value
