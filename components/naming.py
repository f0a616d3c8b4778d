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


WORKLOAD_ROLE_PATH_ROOT = "/app-secrets/"
CI_ROLE_PATH = "/app-secrets-ci/"
BOUNDARY_PATH = "/app-secrets-boundary/"
ROLE_NAME_LIMIT = 64


def workload_path(settings: StackSettings) -> str:
    """The IAM path of every role and managed policy the stack's workloads use.

    ci-deploy may manage only this path, so it cannot touch the CI roles or the boundary.
    """
    return f"{WORKLOAD_ROLE_PATH_ROOT}{resource_prefix(settings)}/"


def service_role_name(settings: StackSettings, service: str, kind: str) -> str:
    """`{prefix}-{env}-{service}-exec` or `-task`."""
    return f"{resource_prefix(settings)}-{service}-{kind}"


def service_log_group(settings: StackSettings, service: str) -> str:
    return f"/app-secrets/{resource_prefix(settings)}/{service}"


def rotation_role_name(settings: StackSettings) -> str:
    """`{prefix}-{env}-rotation`: the one role every rotation function of the stack runs as."""
    return f"{resource_prefix(settings)}-rotation"


def rotation_function_name(settings: StackSettings, profile_slug: str) -> str:
    """`{prefix}-{env}-rot-{profile}`, at most 41 + 5 + 16 of Lambda's 64 characters."""
    return f"{resource_prefix(settings)}-rot-{profile_slug}"


def rotation_log_group(function_name: str) -> str:
    """Lambda writes to `/aws/lambda/{function}`; the stack creates it to set retention."""
    return f"/aws/lambda/{function_name}"


def rotation_log_group_pattern(settings: StackSettings) -> str:
    """Matches the log group of every rotation function of the stack, and no other's."""
    return rotation_log_group(rotation_function_name(settings, "*"))


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


BREAK_GLASS_PATH = "/app-secrets-break-glass/"
"""Outside the workload path ci-deploy manages, so CI can neither change nor assume the role."""


def break_glass_role_name(settings: StackSettings) -> str:
    return f"{resource_prefix(settings)}-break-glass"


def alert_topic_name(settings: StackSettings) -> str:
    return f"{resource_prefix(settings)}-secrets-alerts"


def alert_rule_name(settings: StackSettings, kind: str) -> str:
    """`{prefix}-{env}-{kind}`: at most 41 + 1 + 22 characters, within EventBridge's 64."""
    return f"{resource_prefix(settings)}-{kind}"


def trail_name(settings: StackSettings) -> str:
    return f"{resource_prefix(settings)}-secrets-trail"


def trail_bucket_name(settings: StackSettings, account_id: str) -> str:
    """Bucket names are global: the account id makes it unique (at most 60 of S3's 63)."""
    return f"{resource_prefix(settings)}-trail-{account_id}"
