"""An encrypter in Pulumi's passphrase format, written apart from the project's decrypter.

It follows pulumi/pulumi `pkg/secrets/passphrase/manager.go` (NewPassphraseSecretsManager) and
`sdk/go/common/resource/config/crypt.go` (symmetricCrypter.EncryptValue), with hashlib's PBKDF2
rather than the project's, so that a mistake shared by both cannot pass unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@dataclass(frozen=True)
class PassphraseStack:
    """A stack's `encryptionsalt` and the key that encrypts its `secure:` values."""

    encryption_salt: str
    key: bytes = field(repr=False)

    @classmethod
    def new(cls, passphrase: str, *, salt: bytes | None = None) -> PassphraseStack:
        salt = salt if salt is not None else os.urandom(8)
        key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, 1_000_000, 32)
        check = encrypt(key, "pulumi")
        return cls(encryption_salt=f"v1:{_b64(salt)}:{check}", key=key)

    def secure(self, plaintext: str) -> str:
        return encrypt(self.key, plaintext)


def encrypt(key: bytes, plaintext: str) -> str:
    nonce = os.urandom(12)
    return f"v1:{_b64(nonce)}:{_b64(AESGCM(key).encrypt(nonce, plaintext.encode(), None))}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
