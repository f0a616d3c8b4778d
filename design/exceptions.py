"""Exceptions of the design layer."""

from __future__ import annotations

from inputs.exceptions import InputError


class PolicyTooLargeError(ValueError):
    """The secrets granted to one role do not fit IAM's limits."""


class DefinitionTooLargeError(ValueError):
    """A state machine definition does not fit Step Functions' limit."""


class SharingError(InputError):
    """A secret is shared with a principal of the account the provider deploys to."""
