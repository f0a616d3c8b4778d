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
