"""Rules for CloudWatch log groups: encrypted with a customer-managed key, kept a year in prod."""

from __future__ import annotations

from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROD_RETENTION_DAYS = 365
PRODUCTION = "prod"


def log_group_encrypted(resource: Resource) -> list[Violation]:
    if resource.type != LOG_GROUP:
        return []
    key = resource.props.get("kmsKeyId")
    if is_opaque(key) or (isinstance(key, str) and key.strip()):
        return []
    return [
        LOG_GROUP_ENCRYPTED.violation(
            resource.urn,
            message="The log group is encrypted only with CloudWatch's own key, which anyone "
            "allowed to read the group can use.",
            fix="Set kms_key_id to a customer-managed key whose policy lets "
            "logs.<region>.amazonaws.com use it for this group's ARN.",
        )
    ]


LOG_GROUP_ENCRYPTED = Rule(
    name="log-group-encrypted-with-cmk",
    control="CKV_AWS_158",
    description=(
        "CKV_AWS_158: every CloudWatch log group sets kmsKeyId, a customer-managed KMS key, so "
        "reading its events needs kms:Decrypt on a key the stack controls."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=log_group_encrypted,
)


def prod_log_retention(resource: Resource) -> list[Violation]:
    if resource.type != LOG_GROUP:
        return []
    tags = resource.props.get("tags")
    if not isinstance(tags, dict) or tags.get("Environment") != PRODUCTION:
        return []
    days = resource.props.get("retentionInDays")
    if is_opaque(days) or (isinstance(days, int) and (days == 0 or days >= PROD_RETENTION_DAYS)):
        return []
    return [
        PROD_LOG_RETENTION.violation(
            resource.urn,
            message=f"A prod log group keeps its events {days} days, less than the "
            f"{PROD_RETENTION_DAYS} audits ask for.",
            fix=f"Set logRetentionDays to {PROD_RETENTION_DAYS} or more in the prod stack (the "
            "default there).",
        )
    ]


PROD_LOG_RETENTION = Rule(
    name="prod-log-retention-one-year",
    control="CKV_AWS_338",
    description=(
        "CKV_AWS_338: a log group tagged Environment=prod keeps its events at least 365 days "
        "(retentionInDays 0, never expire, also passes)."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=prod_log_retention,
)
