"""The interface every rotation strategy implements; the steps module does all the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from botocore.client import BaseClient


class RotationStrategy(Protocol):
    """Makes the pending value, sets it in the system that uses it, and tests it there.

    The steps module owns everything else: the guard, reading AWSCURRENT, storing the pending
    value, and moving the labels. Each method must be safe to call again after a failure or a
    retried invocation, because Secrets Manager retries a failed step with the same token.
    """

    def create_pending_value(
        self, *, client: BaseClient, secret_arn: str, current_value: str | None
    ) -> str:
        """Return the new SecretString, derived from the AWSCURRENT one (None: the secret has
        no AWSCURRENT version yet; raise InvalidSecretValueError if that is not allowed)."""
        ...

    def set_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Make the system that uses the secret accept the AWSPENDING value of `token`."""
        ...

    def test_pending_value(self, *, client: BaseClient, secret_arn: str, token: str) -> None:
        """Raise unless the AWSPENDING value of `token` works in that system.

        Called by testSecret, and again by finishSecret before it promotes the version."""
        ...
