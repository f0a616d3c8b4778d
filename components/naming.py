"""Names and tag sets: pure functions of the stack settings and the catalog."""

from __future__ import annotations

from components.catalog import SecretSpec
from components.settings import StackSettings

MANAGED_BY = "pulumi"
SECRET_NAME_LIMIT = 512


def secret_full_name(settings: StackSettings, name: str) -> str:
    """`{prefix}/{env}/{name}`: one path per stack, so IAM can scope by it."""
    return f"{settings.secret_path}{name}"


def key_alias(settings: StackSettings) -> str:
    return f"alias/{settings.prefix}-{settings.environment}-secrets"


def resource_prefix(settings: StackSettings) -> str:
    """`{prefix}-{env}`, the stem of role, family and log group names."""
    return f"{settings.prefix}-{settings.environment}"


def _identity_tags(settings: StackSettings) -> dict[str, str]:
    return {
        "Project": settings.prefix,
        "Environment": settings.environment,
        "ManagedBy": MANAGED_BY,
    }


def standard_tags(settings: StackSettings) -> dict[str, str]:
    """The tags every resource carries: the stack's own, then Project, Environment, ManagedBy."""
    return {**settings.tags, **_identity_tags(settings)}


def secret_tags(settings: StackSettings, spec: SecretSpec) -> dict[str, str]:
    """Standard + stack + the secret's own tags, and `RotationStrategy` on a rotated secret.

    The catalog rejects the reserved keys, so neither the stack nor the secret can override
    them.
    """
    tags = {**settings.tags, **spec.tags, **_identity_tags(settings)}
    if spec.rotation is not None:
        tags["RotationStrategy"] = spec.rotation.strategy
    return tags
