"""Rules for a secret's resource policy: no public principal, and outside the account denied."""

from __future__ import annotations

from collections.abc import Mapping

from .exceptions import PolicyDocumentError
from .model import Enforcement, Kind, Resource, Rule, Violation
from .policy_documents import Statement, parse, principal_values

SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
OUTSIDE_ACCOUNT_KEY = "aws:principalaccount"


def secret_policy_not_public(resource: Resource) -> list[Violation]:
    """Every Allow names exact principals; a Deny on `aws:PrincipalAccount` stops the others.

    A secret shared with another account (share_with) passes: its Allow names exact role or
    root ARNs, and its DenyOutsideAccount keeps the account condition.
    """
    if resource.type != SECRET_POLICY:
        return []
    try:
        statements = parse(resource.props.get("policy"))
    except PolicyDocumentError as exc:
        return [_violation(resource, f"the resource policy cannot be checked: {exc}.")]
    if statements is None:  # unknown in preview
        return []
    found = [
        _violation(resource, message)
        for statement in statements
        if statement.allows and (message := _public(statement))
    ]
    if not any(_denies_outside_account(statement) for statement in statements):
        found.append(
            _violation(
                resource,
                "the resource policy has no Deny of Principal '*' conditioned on "
                "aws:PrincipalAccount: nothing stops other accounts' principals.",
            )
        )
    return found


def _public(statement: Statement) -> str | None:
    if statement.not_principal is not None:
        return f"{statement.label} allows everyone except its NotPrincipal."
    wildcards = [
        value
        for value in principal_values(statement.principal)
        if not isinstance(value, str) or "*" in value or "?" in value
    ]
    if wildcards:
        return (
            f"{statement.label} allows Principal {statement.principal!r}: a wildcard principal "
            "opens the secret to any matching account."
        )
    return None


def _denies_outside_account(statement: Statement) -> bool:
    if statement.effect != "Deny" or principal_values(statement.principal) != ["*"]:
        return False
    return any(
        operator.lower().startswith("stringnotequals")
        and any(key.lower() == OUTSIDE_ACCOUNT_KEY for key in block)
        for operator, block in statement.condition.items()
        if isinstance(block, Mapping)
    )


def _violation(resource: Resource, message: str) -> Violation:
    return SECRET_POLICY_NOT_PUBLIC.violation(
        resource.urn,
        message=message,
        fix=(
            "Keep the stack's policy (design/iam.py secret_resource_policy); to let another "
            "account read a secret, list exact role ARNs under the secret's share_with."
        ),
    )


SECRET_POLICY_NOT_PUBLIC = Rule(
    name="secret-policy-not-public",
    control="cross-account exposure",
    description=(
        "Cross-account exposure: a secret's resource policy allows no wildcard principal and no "
        "NotPrincipal, and denies principals outside the account (aws:PrincipalAccount) but "
        "the exact ones it is shared with."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=secret_policy_not_public,
)
