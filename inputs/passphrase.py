"""Pulumi's passphrase secrets provider: a stack file's `secure:` values, decrypted in memory.

The format, from pulumi/pulumi (`sdk/go/common/resource/config/crypt.go`,
`pkg/secrets/passphrase/manager.go`):

- `encryptionsalt: v1:<base64 salt>:v1:<base64 nonce>:<base64 ciphertext>`, the ciphertext
  being "pulumi" encrypted with the stack's key: it tells a wrong passphrase from a right one;
- each value `secure: v1:<base64 12-byte nonce>:<base64 AES-256-GCM ciphertext and tag>`;
- the key: PBKDF2-HMAC-SHA256 of the passphrase and the salt, 1,000,000 iterations, 32 bytes.

The passphrase comes from PULUMI_CONFIG_PASSPHRASE (set, even empty), else from the file that
PULUMI_CONFIG_PASSPHRASE_FILE names (surrounding white space removed), as the Pulumi CLI reads
them. Nothing here logs, prints or stores a passphrase, key or value.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

PASSPHRASE_VARIABLE = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_VARIABLE = "PULUMI_CONFIG_PASSPHRASE_FILE"
PASSPHRASE_PROVIDER = "passphrase"
VERSION = "v1"
ITERATIONS = 1_000_000
KEY_BYTES = 32
NONCE_BYTES = 12
CHECK_PLAINTEXT = "pulumi"


class PassphraseError(Exception):
    """The passphrase cannot be read, or does not match the stack's encryptionsalt."""


class UndecryptableValueError(Exception):
    """A `secure:` value is malformed, tampered with, or encrypted with another key."""


@dataclass(frozen=True)
class PassphraseCrypter:
    """The stack's AES-256-GCM key; its repr leaves the key out."""

    key: bytes = field(repr=False)

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext of a `secure:` value. Raises UndecryptableValueError."""
        parts = ciphertext.split(":")
        if len(parts) != 3 or parts[0] != VERSION:
            raise UndecryptableValueError(f"not a {VERSION}:NONCE:CIPHERTEXT value")
        try:
            nonce = base64.b64decode(parts[1], validate=True)
            sealed = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise UndecryptableValueError("its nonce or ciphertext is not base64") from None
        if len(nonce) != NONCE_BYTES:
            raise UndecryptableValueError(f"its nonce is not {NONCE_BYTES} bytes")
        try:
            plaintext = AESGCM(self.key).decrypt(nonce, sealed, None)
        except InvalidTag:
            raise UndecryptableValueError("it does not authenticate with this key") from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise UndecryptableValueError("its plaintext is not UTF-8") from None


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """PBKDF2-HMAC-SHA256, 1,000,000 iterations, 32 bytes: Pulumi's key for a passphrase."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=ITERATIONS)
    return kdf.derive(passphrase.encode("utf-8"))


def crypter_from_salt(encryption_salt: str, passphrase: str) -> PassphraseCrypter:
    """The stack's crypter, once the passphrase decrypts the salt's check value to "pulumi".

    Raises PassphraseError for a malformed salt or a passphrase that does not match it.
    """
    parts = encryption_salt.split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise PassphraseError(f"encryptionsalt is not {VERSION}:SALT:CHECK")
    try:
        salt = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise PassphraseError("encryptionsalt's salt is not base64") from None
    crypter = PassphraseCrypter(derive_key(passphrase, salt))
    try:
        check = crypter.decrypt(parts[2])
    except UndecryptableValueError:
        check = None
    if check != CHECK_PLAINTEXT:
        raise PassphraseError("the passphrase does not match encryptionsalt")
    return crypter


def read_passphrase(environ: Mapping[str, str]) -> str | None:
    """The passphrase the Pulumi CLI would use without prompting, or None if none is given.

    Raises PassphraseError when PULUMI_CONFIG_PASSPHRASE_FILE names a file that cannot be read.
    """
    if PASSPHRASE_VARIABLE in environ:
        return environ[PASSPHRASE_VARIABLE]
    file_name = environ.get(PASSPHRASE_FILE_VARIABLE)
    if not file_name:
        return None
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PassphraseError(
            f"{PASSPHRASE_FILE_VARIABLE} names {file_name!r}, which cannot be read "
            f"({type(exc).__name__})"
        ) from None


def passphrase_source(environ: Mapping[str, str]) -> str:
    """Which variable the passphrase came from, for messages."""
    return PASSPHRASE_VARIABLE if PASSPHRASE_VARIABLE in environ else PASSPHRASE_FILE_VARIABLE
