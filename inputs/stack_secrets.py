"""A stack file's `secure:` values, decrypted for an offline plan when the passphrase allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from inputs.passphrase import (
    PASSPHRASE_FILE_VARIABLE,
    PASSPHRASE_PROVIDER,
    PASSPHRASE_VARIABLE,
    PassphraseError,
    UndecryptableValueError,
    crypter_from_salt,
    passphrase_source,
    read_passphrase,
)
from inputs.problems import problem
from inputs.stack_settings import NAMESPACE
from inputs.stackfile import StackFile

NO_PASSPHRASE_HINT = (
    f"set {PASSPHRASE_VARIABLE} or {PASSPHRASE_FILE_VARIABLE} to decrypt it with the stack's "
    "passphrase, or pass --placeholders to plan with a placeholder"
)


@dataclass(frozen=True)
class OfflineValues:
    """What an offline command can know of the stack's `secure:` values."""

    values: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Key without the namespace -> the decrypted value; in memory only."""
    problems: tuple[str, ...] = ()
    """A passphrase that does not match, a value that does not decrypt: one line each."""
    reported: frozenset[str] = frozenset()
    """Keys a problem already names (so nothing else reports them again)."""
    hint: str = NO_PASSPHRASE_HINT
    """What would let a command read the values it could not, for its messages."""


def offline_values(stack_file: StackFile, environ: Mapping[str, str]) -> OfflineValues:
    """Decrypt the stack's `app-secrets:` secure values with the passphrase provider, if it can.

    - No secure value, no passphrase in the environment: nothing decrypted; the hint names the
      two variables.
    - Another secrets provider (`secretsprovider: awskms://...`, Pulumi Cloud's, which a stack
      without `encryptionsalt` uses): nothing decrypted; the hint says so.
    - A passphrase that does not match `encryptionsalt`: one problem naming the file.
    - A value that does not decrypt (tampered, or from another stack): a problem naming its key.
    """
    file = stack_file.path.name
    secure = {
        key.removeprefix(f"{NAMESPACE}:"): ciphertext
        for key, ciphertext in stack_file.secure_values.items()
        if key.startswith(f"{NAMESPACE}:")
    }
    if not secure:
        return OfflineValues()
    provider = stack_file.secrets_provider
    if provider not in (None, PASSPHRASE_PROVIDER) or stack_file.encryption_salt is None:
        return OfflineValues(hint=_other_provider_hint(provider))
    try:
        passphrase = read_passphrase(environ)
    except PassphraseError as exc:
        return _unreadable(secure, problem(file, "", str(exc)))
    if passphrase is None:
        return OfflineValues()
    try:
        crypter = crypter_from_salt(stack_file.encryption_salt, passphrase)
    except PassphraseError as exc:
        message = f"the passphrase from {passphrase_source(environ)} does not match encryptionsalt"
        detail = "" if "does not match" in str(exc) else f" ({exc})"
        return _unreadable(secure, problem(file, "encryptionsalt", message + detail))
    values, problems = {}, []
    for key, ciphertext in secure.items():
        try:
            values[key] = crypter.decrypt(ciphertext)
        except UndecryptableValueError as exc:
            problems.append(
                problem(
                    file,
                    f"{NAMESPACE}:{key}",
                    f"cannot be decrypted with the stack's passphrase: {exc} (tampered with, or "
                    "copied from another stack); set it again with pulumi config set --secret",
                )
            )
    reported = frozenset(secure) - frozenset(values)
    return OfflineValues(values=values, problems=tuple(problems), reported=reported)


def _unreadable(secure: Mapping[str, str], line: str) -> OfflineValues:
    return OfflineValues(problems=(line,), reported=frozenset(secure))


def _other_provider_hint(provider: str | None) -> str:
    where = (
        provider.split("://", 1)[0] + "://..." if provider else "Pulumi Cloud's (no encryptionsalt)"
    )
    return (
        f"the stack's secrets provider is {where}, which secretsctl cannot decrypt offline "
        f"(only the passphrase provider, with {PASSPHRASE_VARIABLE}); pass --placeholders to plan "
        "with a placeholder"
    )
