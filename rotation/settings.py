"""The Lambda's environment-variable contract, validated once into immutable settings."""

from __future__ import annotations

import string
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
# (`:`, `/`, `@`) and naive quoting (`"`, `'`, `\`) in the programs that read the secret.
POSTGRES_EXCLUDE_CHARACTERS_DEFAULT = ":/@\"'\\"

TRUE_SPELLINGS = ("true", "1", "y", "yes")
"""What AWS's templates (`get_environment_bool`) read as true, in any case."""
FALSE_SPELLINGS = ("false", "0", "n", "no")
"""The matching false spellings; AWS reads every value that is not true as false."""
_BOOLEANS = {**dict.fromkeys(TRUE_SPELLINGS, True), **dict.fromkeys(FALSE_SPELLINGS, False)}
CHARACTER_CLASSES = {
    "EXCLUDE_NUMBERS": string.digits,
    "EXCLUDE_UPPERCASE": string.ascii_uppercase,
    "EXCLUDE_LOWERCASE": string.ascii_lowercase,
    "EXCLUDE_PUNCTUATION": string.punctuation,
}
"""GetRandomPassword's character classes: the variable that leaves one out -> its characters."""

MSG_NOT_A_BOOLEAN = (
    "{name}: must be one of {allowed} (AWS's templates read any other value as false; this "
    "function refuses it), got {value!r}"
)
MSG_NO_CHARACTER_CLASS = (
    "{names}: no character class is left to draw from (numbers, uppercase, lowercase and "
    "punctuation are all excluded); allow at least one"
)


class Strategy(StrEnum):
    """How a new value is made, set and tested; each Lambda function serves one strategy."""

    TOKEN = "token"
    POSTGRES_SINGLE_USER = "postgres-single-user"
    POSTGRES_ALTERNATING_USERS = "postgres-alternating-users"


@dataclass(frozen=True)
class PasswordPolicy:
    """The arguments given to GetRandomPassword for every new value, one field per argument.

    The defaults are AWS's templates' (and GetRandomPassword's): every class of character may
    appear, and a new value holds at least one of each class that is not excluded.
    """

    password_length: int
    """Characters in a new value, 8 to 4096 (`PASSWORD_LENGTH`). @default 32"""

    exclude_characters: str
    """Characters a new value never contains (`EXCLUDE_CHARACTERS`).
    @default `:/@"'\\` for postgres, none for token"""

    exclude_punctuation: bool
    """Whether a new value has no punctuation at all (`EXCLUDE_PUNCTUATION`). @default False"""

    exclude_numbers: bool = False
    """Whether a new value has no digits (`EXCLUDE_NUMBERS`). @default False"""

    exclude_uppercase: bool = False
    """Whether a new value has no uppercase letters (`EXCLUDE_UPPERCASE`). @default False"""

    exclude_lowercase: bool = False
    """Whether a new value has no lowercase letters (`EXCLUDE_LOWERCASE`). @default False"""

    require_each_included_type: bool = True
    """Whether a new value holds at least one character of every class not excluded
    (`REQUIRE_EACH_INCLUDED_TYPE`). @default True"""


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
    - `EXCLUDE_CHARACTERS` (string, default `:/@"'\\` for the postgres strategies, as AWS's
      PostgreSQL templates, empty for `token`): at most 4096 characters; set but empty means
      exclude nothing.
    - `EXCLUDE_PUNCTUATION` (boolean, default `false`).
    - `EXCLUDE_NUMBERS` (boolean, default `false`).
    - `EXCLUDE_UPPERCASE` (boolean, default `false`).
    - `EXCLUDE_LOWERCASE` (boolean, default `false`).
    - `REQUIRE_EACH_INCLUDED_TYPE` (boolean, default `true`).
    - `SECRETS_MANAGER_ENDPOINT` (URL, default unset: boto3's regional endpoint): `https://...` or
      `http://...`; empty means unset.

    A boolean is one of AWS's true spellings `true`, `1`, `y`, `yes` or their false ones
    `false`, `0`, `n`, `no`, in any case and with surrounding spaces ignored. AWS's templates
    read every other value as false; this function refuses it, so that a typo cannot silently
    drop a requirement. The settings must leave at least one character class to draw from.

    Other variables are ignored. Raises InvalidSettingError naming the variable, what it got and
    what is allowed.
    """
    strategy = _strategy(environ.get("STRATEGY"))
    default_exclude = "" if strategy is Strategy.TOKEN else POSTGRES_EXCLUDE_CHARACTERS_DEFAULT
    return Settings(
        strategy=strategy,
        password_policy=_password_policy(environ, default_exclude=default_exclude),
        secrets_manager_endpoint=_endpoint(environ.get("SECRETS_MANAGER_ENDPOINT")),
    )


def _password_policy(environ: Mapping[str, str], *, default_exclude: str) -> PasswordPolicy:
    def flag(name: str, *, default: bool = False) -> bool:
        return _boolean(name, environ.get(name), default=default)

    policy = PasswordPolicy(
        password_length=_password_length(environ.get("PASSWORD_LENGTH")),
        exclude_characters=_exclude_characters(
            environ.get("EXCLUDE_CHARACTERS"), default=default_exclude
        ),
        exclude_punctuation=flag("EXCLUDE_PUNCTUATION"),
        exclude_numbers=flag("EXCLUDE_NUMBERS"),
        exclude_uppercase=flag("EXCLUDE_UPPERCASE"),
        exclude_lowercase=flag("EXCLUDE_LOWERCASE"),
        require_each_included_type=flag("REQUIRE_EACH_INCLUDED_TYPE", default=True),
    )
    _check_character_classes(policy)
    return policy


def _check_character_classes(policy: PasswordPolicy) -> None:
    """Refuses a policy that leaves GetRandomPassword no character to draw from.

    A class is left out by its flag, or by EXCLUDE_CHARACTERS holding every one of its
    characters; the message names the variables that left each class out.
    """
    flags = {
        "EXCLUDE_NUMBERS": policy.exclude_numbers,
        "EXCLUDE_UPPERCASE": policy.exclude_uppercase,
        "EXCLUDE_LOWERCASE": policy.exclude_lowercase,
        "EXCLUDE_PUNCTUATION": policy.exclude_punctuation,
    }
    causes: list[str] = []
    for variable, characters in CHARACTER_CLASSES.items():
        if flags[variable]:
            causes.append(variable)
        elif set(characters) <= set(policy.exclude_characters):
            causes.append("EXCLUDE_CHARACTERS")
        else:
            return
    names = ", ".join(dict.fromkeys(causes))
    raise InvalidSettingError(MSG_NO_CHARACTER_CLASS.format(names=names))


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


def _boolean(name: str, value: str | None, *, default: bool) -> bool:
    """AWS's spellings of true and of false; unlike AWS, anything else is refused."""
    if value is None:
        return default
    try:
        return _BOOLEANS[value.strip().lower()]
    except KeyError:
        allowed = ", ".join((*TRUE_SPELLINGS, *FALSE_SPELLINGS))
        raise InvalidSettingError(
            MSG_NOT_A_BOOLEAN.format(name=name, allowed=allowed, value=value)
        ) from None


def _endpoint(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise InvalidSettingError(
            f"SECRETS_MANAGER_ENDPOINT: must be an https:// or http:// URL, got {value!r}"
        )
    return value
