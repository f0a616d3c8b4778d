"""The registry of every guardrail rule, and `evaluate`, which runs them all."""

from __future__ import annotations

from collections.abc import Sequence

from . import ecs, iam, kms, lambda_, logs, resource_level, secret_policy, secretsmanager, trust
from .model import Resource, Rule, Violation, violation_order

RULES: tuple[Rule, ...] = (
    # Secrets Manager
    secretsmanager.SECRET_ENCRYPTED_WITH_CMK,
    secretsmanager.SECRET_HAS_REQUIRED_TAGS,
    secretsmanager.PROD_SECRET_DELETION_SAFEGUARD,
    secretsmanager.SECRET_ROTATION_WITHIN_90_DAYS,
    secretsmanager.ROTATED_SECRET_HAS_ROTATION,
    secretsmanager.SECRET_ROTATION_RECOMMENDED,
    secret_policy.SECRET_POLICY_NOT_PUBLIC,
    # IAM identity policies
    iam.IAM_NO_WILDCARD_ACTIONS,
    iam.IAM_SECRETS_SCOPED_TO_ARNS,
    iam.IAM_NO_KMS_DECRYPT_ON_ALL_KEYS,
    resource_level.NO_STAR_FOR_RESTRICTABLE_ACTIONS,
    # IAM trust policies
    trust.TRUST_NO_PUBLIC_PRINCIPAL,
    trust.GITHUB_OIDC_TRUST_PINNED,
    # KMS, ECS, Lambda
    kms.KMS_KEY_ROTATION_ENABLED,
    ecs.NO_CREDENTIALS_IN_CONTAINER_ENVIRONMENT,
    ecs.READ_ONLY_ROOT_FILESYSTEM,
    ecs.NOT_PRIVILEGED,
    lambda_.ROTATION_PERMISSION_SOURCE_ACCOUNT,
    lambda_.LAMBDA_CONCURRENCY_LIMITED,
    # CloudWatch Logs
    logs.LOG_GROUP_ENCRYPTED,
    logs.PROD_LOG_RETENTION,
)


def rule_named(name: str) -> Rule:
    for rule in RULES:
        if rule.name == name:
            return rule
    raise KeyError(f"no guardrail rule named {name!r}; known: {[rule.name for rule in RULES]}")


def evaluate(resources: Sequence[Resource]) -> list[Violation]:
    """Every violation of every rule: mandatory first, then by URN, rule and message."""
    return sorted(
        (violation for rule in RULES for violation in rule.run(resources)),
        key=violation_order,
    )
