"""The `token` strategy: the secret is a plain random string that its consumers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rotation.secrets_manager import generate_password

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.settings import PasswordPolicy


@dataclass(frozen=True)
class TokenStrategy:
    """Rotates a string secret, such as an API token, to a new GetRandomPassword value.

    setSecret and testSecret have nothing to do: no other system holds the token. The programs
    that use it read the secret from Secrets Manager and see the new value once finishSecret
    makes it AWSCURRENT; the old one stays readable as AWSPREVIOUS until the next rotation.
    """

    password_policy: PasswordPolicy

    def create_pending_value(
        self, *, client: BaseClient, secret_arn: str, current_value: str | None
    ) -> str:
        """A fresh random string; the current value plays no part in it, and may not exist yet:
        a generated token secret gets its first value from its first rotation."""
        return generate_password(client, self.password_policy)

    def set_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Nothing to set: no other system stores the token."""

    def test_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Nothing to test: no other system checks the token."""
