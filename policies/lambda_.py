"""Rules for Lambda permissions that let Secrets Manager invoke the rotation function."""

from __future__ import annotations

from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque

PERMISSION = "aws:lambda/permission:Permission"
SECRETS_MANAGER_PRINCIPAL = "secretsmanager.amazonaws.com"


def rotation_permission_source_account(resource: Resource) -> list[Violation]:
    if resource.type != PERMISSION:
        return []
    if resource.props.get("principal") != SECRETS_MANAGER_PRINCIPAL:
        return []
    account = resource.props.get("sourceAccount")
    if is_opaque(account) or (isinstance(account, str) and account.strip()):
        return []
    return [
        ROTATION_PERMISSION_SOURCE_ACCOUNT.violation(
            resource.urn,
            message="Secrets Manager may invoke the function on behalf of any account "
            "(no sourceAccount): the confused-deputy problem.",
            fix="Set source_account to this stack's account id (aws.get_caller_identity()).",
        )
    ]


ROTATION_PERMISSION_SOURCE_ACCOUNT = Rule(
    name="rotation-permission-source-account",
    control="confused deputy",
    description=(
        "Confused deputy (AWS guidance for service principals; Security Hub Lambda.1 asks it "
        "only of S3): a lambda Permission for principal secretsmanager.amazonaws.com sets "
        "sourceAccount, so only this account's secrets can invoke the rotation function."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=rotation_permission_source_account,
)


FUNCTION = "aws:lambda/function:Function"


def lambda_concurrency_limited(resource: Resource) -> list[Violation]:
    if resource.type != FUNCTION:
        return []
    reserved = resource.props.get("reservedConcurrentExecutions")
    if is_opaque(reserved) or (isinstance(reserved, int) and reserved > 0):
        return []
    return [
        LAMBDA_CONCURRENCY_LIMITED.violation(
            resource.urn,
            message="The function has no reserved concurrency: a flood of invocations can "
            "take the whole account's concurrency, and nothing bounds how many run at once.",
            fix="Set reserved_concurrent_executions to a small positive number.",
        )
    ]


LAMBDA_CONCURRENCY_LIMITED = Rule(
    name="lambda-concurrency-limited",
    control="CKV_AWS_115",
    description=(
        "CKV_AWS_115: every Lambda function sets reservedConcurrentExecutions to a positive "
        "number (0 would disable it)."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=lambda_concurrency_limited,
)
