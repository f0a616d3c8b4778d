"""Which catalog entry each .env variable becomes, and why: the words and vendor key formats."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from inputs.catalog import Catalog, SecretSpec
from secretsctl.import_env_dotenv import EnvVariable
from secretsctl.import_env_words import (
    APP_OWNED_WORDS,
    EMBEDDED_WORDS,
    ISSUED_WORDS,
    PARTY_WORDS,
    PUBLIC_WORDS,
    REGENERABLE_WORDS,
    SECRET_WORDS,
    SETTING_WORDS,
    VENDORS,
    WEAK_WORDS,
    is_jwt,
    looks_random,
    name_words,
    vendor_of_value,
)

GENERATE, CONFIG, EXTERNAL = "generate", "config", "external"

SECRET_STRING_LIMIT = 65_536
"""Secrets Manager's largest secret value (SecretString), in bytes."""
STORED = frozenset({CONFIG, EXTERNAL})
"""The kinds whose .env value ends up in Secrets Manager, so must fit in it."""
_URL_WITH_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@")


@dataclass(frozen=True)
class Proposal:
    variable: EnvVariable
    kind: str | None
    """generate, config or external; None when skipped."""
    reason: str
    secret_name: str = ""
    config_key: str = ""
    declared_as: str | None = None
    """The source of the catalog's existing entry of that name, if any."""
    problem: str = ""
    """Why the value cannot be put (it is too long): the entry is not added, nor the value put."""
    elsewhere: tuple[str, ...] = ()
    """The environments of the catalog's entry, when this stack's environment is not one."""
    looks_secret: bool = False
    """Skipped, yet the value looks secret: never to be advised into a task's environment."""

    @property
    def source(self) -> str | None:
        """The kind the secret has once imported: the catalog's, else the proposed one."""
        return self.declared_as or self.kind

    @property
    def is_new(self) -> bool:
        return self.kind is not None and self.declared_as is None and not self.problem

    @property
    def puts_value(self) -> bool:
        """Only external secrets of this environment take the .env value in AWS."""
        return self.source == EXTERNAL and not (self.problem or self.elsewhere)


def catalog_name(variable: str) -> str:
    """`OPENAI_API_KEY` -> `openai-api-key`."""
    return variable.strip("_").lower().replace("_", "-")


def config_key(variable: str) -> str:
    """`OPENAI_API_KEY` -> `openaiApiKey`, the stack config key of a `config:` secret."""
    words = [word for word in variable.lower().split("_") if word]
    return words[0] + "".join(word.capitalize() for word in words[1:])


def classify(variable: EnvVariable) -> tuple[str | None, str]:
    """The kind of secret a variable holds, and why; (None, why) when it is not a secret.

    1. A vendor's key format (the whole value): config - the vendor issued it, so it is kept
       (encrypted) in the stack config.
    2. Empty; no secret word in the name (a weak one, SESSION, COOKIE, JWT, counts only with a
       random-looking value); a public key; a setting of a secret (..._TTL, ..._ID): skipped,
       unless the value is a JWT or key material.
    3. A vendor's name in the name: config.
    4. A JWT, key material or another system's credentials (a URL with a password, a DSN, a
       PEM block, several lines): external - put as is, never regenerated.
    5. Issued by another party (PARTNER, VENDOR, CLIENT, ...; an access, refresh or bearer
       token, a licence or private key; an API key or token not marked as the app's own):
       external.
    6. A password, secret, key, token, salt or signing key the application owns: generate -
       drawn anew by `pulumi up`.
    7. Anything else that looks secret: external.
    """
    value = variable.value
    if not value:
        return None, "empty value"
    vendor = vendor_of_value(value)
    if vendor:
        return CONFIG, f"third-party: the value has the format of {vendor}'s keys"
    words = name_words(variable.name)
    material = _material(value)
    skipped = None if material else _not_secret(variable.name, words=words, value=value)
    if skipped:
        return None, skipped
    return _kind(words, material)


def _material(value: str) -> str | None:
    """Why the value itself is a secret, whatever the name says; None when it does not say."""
    if is_jwt(value):
        return "a signed token (JWT), issued elsewhere: kept as is"
    if _URL_WITH_PASSWORD.match(value):
        return "holds another system's credentials (a URL with a password)"
    if "-----BEGIN" in value or "\n" in value:
        return "key material (a PEM block or several lines)"
    return None


def _not_secret(name: str, *, words: frozenset[str], value: str) -> str | None:
    """Why a variable is plain configuration; None when its name looks secret."""
    if words & PUBLIC_WORDS:
        return "a public or publishable key, not a secret"
    last = name.upper().strip("_").rsplit("_", 1)[-1]
    if last in SETTING_WORDS and words & (SECRET_WORDS | WEAK_WORDS):
        return f"a setting of a secret (..._{last}), not the secret itself"
    if words & SECRET_WORDS or (words & WEAK_WORDS and looks_random(value)):
        return None
    return "not secret-looking (no PASSWORD, SECRET, TOKEN, KEY, ... in the name)"


def _kind(words: frozenset[str], material: str | None) -> tuple[str, str]:
    vendor = next((VENDORS[word] for word in sorted(words) if word in VENDORS), None)
    if vendor:
        return CONFIG, f"third-party: a {vendor} credential"
    if material:
        return EXTERNAL, material
    if words & EMBEDDED_WORDS:
        return EXTERNAL, "holds another system's credentials or key material"
    party = words & PARTY_WORDS
    if party:
        return EXTERNAL, f"issued by another party ({', '.join(sorted(party))}): kept as is"
    if words & ISSUED_WORDS:
        return EXTERNAL, (
            "an access, refresh or bearer token, a licence or a private key: issued or "
            "registered elsewhere, kept as is"
        )
    if "API" in words and not words & APP_OWNED_WORDS:
        return EXTERNAL, (
            "an API key or token, issued by whoever runs the API: kept as is "
            "(make it generate if the application issues it)"
        )
    if words & REGENERABLE_WORDS:
        return GENERATE, "a value the application owns: pulumi up draws a new one"
    return EXTERNAL, "a secret neither drawn here nor issued by a known vendor"


def propose(
    variables: Sequence[EnvVariable], catalog: Catalog, *, environment: str
) -> list[Proposal]:
    """One proposal per variable: an entry to add, one the catalog has, or a skip and why."""
    named: dict[str, EnvVariable] = {}
    return [
        _proposal(variable, catalog=catalog, environment=environment, named=named)
        for variable in variables
    ]


def _proposal(
    variable: EnvVariable, *, catalog: Catalog, environment: str, named: dict[str, EnvVariable]
) -> Proposal:
    """The proposal for one variable; `named` holds the catalog names taken so far."""
    kind, reason = classify(variable)
    name = catalog_name(variable.name)
    existing = catalog.secrets.get(name)
    if kind is None and existing is not None and variable.value:
        kind, reason = existing.source, "declared in the catalog"
    if kind is not None and name in named:
        first = named[name]
        reason = f"same catalog name {name} as {first.name} (line {first.line})"
        return Proposal(variable=variable, kind=None, reason=reason, looks_secret=True)
    if kind is None:
        return _skipped(variable, reason=reason)
    named[name] = variable
    return Proposal(
        variable=variable,
        kind=kind,
        reason=reason,
        secret_name=name,
        config_key=config_key(variable.name) if kind == CONFIG else "",
        declared_as=existing.source if existing is not None else None,
        problem=_problem(variable, source=existing.source if existing is not None else kind),
        elsewhere=_elsewhere(existing, environment=environment),
    )


def _skipped(variable: EnvVariable, *, reason: str) -> Proposal:
    """A skip; one whose value looks random is flagged, so that no task's environment gets it."""
    public = name_words(variable.name) & PUBLIC_WORDS
    if public or not looks_random(variable.value):
        return Proposal(variable=variable, kind=None, reason=reason)
    reason = f"{reason}; but the value looks random"
    return Proposal(variable=variable, kind=None, reason=reason, looks_secret=True)


def _problem(variable: EnvVariable, *, source: str) -> str:
    """Why Secrets Manager cannot hold the value; empty when it can, or never holds it."""
    if source in STORED and len(variable.value.encode()) > SECRET_STRING_LIMIT:
        return f"longer than Secrets Manager's {SECRET_STRING_LIMIT:,} bytes for a value"
    return ""


def _elsewhere(existing: SecretSpec | None, *, environment: str) -> tuple[str, ...]:
    """The environments of a declared entry that does not exist in `environment`."""
    if existing is None or existing.exists_in(environment):
        return ()
    return tuple(existing.only_in or ())
