"""The errors the rotation Lambda raises; none of their messages ever holds a secret value."""

from __future__ import annotations


class RotationError(Exception):
    """Base class of every error the rotation Lambda raises on purpose."""


class InvalidSettingError(RotationError):
    """A Lambda environment variable is missing or has a value that is not allowed."""


class InvalidEventError(RotationError):
    """The invocation event is not a Secrets Manager rotation event."""


class RotationNotEnabledError(RotationError):
    """The secret does not have rotation turned on."""


class VersionNotPendingError(RotationError):
    """The ClientRequestToken is not a version of the secret staged AWSPENDING."""


class InvalidSecretValueError(RotationError):
    """A secret value does not have the shape the rotation strategy needs."""


class DatabaseUnavailableError(RotationError):
    """The database cannot be reached (network, timeout or TLS failure)."""


class DatabaseLoginError(RotationError):
    """The database rejected every credential the step was allowed to use."""


class DatabaseCommandError(RotationError):
    """A statement failed on the database."""
