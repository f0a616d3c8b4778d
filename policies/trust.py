"""Rules for IAM role trust policies: nobody public, GitHub OIDC pinned to one repository."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .exceptions import PolicyDocumentError
from .iam import ROLE
from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque
from .policy_documents import Statement, parse

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_SUB = f"{GITHUB_OIDC_HOST}:sub"
GITHUB_AUD = f"{GITHUB_OIDC_HOST}:aud"
GITHUB_AUDIENCE = "sts.amazonaws.com"
"""The audience aws-actions/configure-aws-credentials requests."""

_PINNING_OPERATORS = ("StringEquals", "StringLike")
# repo:OWNER/REPO:<context>. OWNER and REPO are literal; GitHub's immutable form
# (repo:acme@123/app@456:...) also fits. Wildcards may only follow the repository.
_PINNED_SUBJECT = re.compile(r"^repo:[^/:*?]+/[^/:*?]+:.+$")


def _trust_statements(resource: Resource) -> tuple[list[Statement], str | None]:
    if resource.type != ROLE:
        return [], None
    try:
        return parse(resource.props.get("assumeRolePolicy")) or [], None
    except PolicyDocumentError as exc:
        return [], f"assumeRolePolicy cannot be checked: {exc}."


def _principal_values(principal: Any) -> list[Any]:
    if isinstance(principal, Mapping):
        values: list[Any] = []
        for value in principal.values():
            values.extend(value if isinstance(value, list) else [value])
        return values
    return [principal]


def trust_no_public_principal(resource: Resource) -> list[Violation]:
    statements, error = _trust_statements(resource)
    fix = (
        "Name the exact principal: a service (lambda.amazonaws.com, ecs-tasks.amazonaws.com), "
        "a role ARN, or the GitHub OIDC provider with a pinned sub."
    )
    found = []
    if error:
        found.append(TRUST_NO_PUBLIC_PRINCIPAL.violation(resource.urn, message=error, fix=fix))
    for statement in statements:
        if not statement.allows:
            continue
        if statement.not_principal is not None:
            message = f"assumeRolePolicy {statement.label} allows everyone except its NotPrincipal."
        elif "*" in _principal_values(statement.principal):
            message = (
                f"assumeRolePolicy {statement.label} trusts Principal {statement.principal!r}: "
                "any AWS account can assume the role."
            )
        else:
            continue
        found.append(TRUST_NO_PUBLIC_PRINCIPAL.violation(resource.urn, message=message, fix=fix))
    return found


TRUST_NO_PUBLIC_PRINCIPAL = Rule(
    name="trust-no-public-principal",
    control="CKV_AWS_60",
    description=(
        "CKV_AWS_60: no role trust policy Allow has Principal '*' or {'AWS': '*'} (or any '*' "
        "principal), or uses NotPrincipal."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=trust_no_public_principal,
)


def _trusts_github(statement: Statement) -> bool:
    if not statement.allows or not isinstance(statement.principal, Mapping):
        return False
    federated = statement.principal.get("Federated")
    providers = federated if isinstance(federated, list) else [federated]
    return any(
        isinstance(provider, str)
        and (provider == GITHUB_OIDC_HOST or provider.endswith(f"oidc-provider/{GITHUB_OIDC_HOST}"))
        for provider in providers
    )


def _condition_values(statement: Statement, key: str) -> list[Any] | None:
    """Values the condition key is tested against with StringEquals/StringLike; None if never."""
    values: list[Any] | None = None
    for operator in _PINNING_OPERATORS:
        block = statement.condition.get(operator)
        if not isinstance(block, Mapping):
            continue
        for condition_key, value in block.items():
            if str(condition_key).lower() == key.lower():
                values = (values or []) + (value if isinstance(value, list) else [value])
    return values


def _github_problems(statement: Statement) -> list[str]:
    problems = []
    subjects = _condition_values(statement, GITHUB_SUB)
    if not subjects:
        problems.append(
            f"does not test {GITHUB_SUB} with StringEquals/StringLike, so any repository's "
            "workflow can assume the role"
        )
    else:
        loose = [
            value
            for value in subjects
            if not is_opaque(value) and not _PINNED_SUBJECT.match(str(value))
        ]
        if loose:
            problems.append(
                f"lets {GITHUB_SUB} match {loose}: owner and repository must be literal "
                "(repo:OWNER/REPO:...)"
            )
    audiences = _condition_values(statement, GITHUB_AUD)
    if not audiences or any(
        not is_opaque(value) and value != GITHUB_AUDIENCE for value in audiences
    ):
        got = f"got {audiences}" if audiences else "no StringEquals/StringLike on it"
        problems.append(f"does not require {GITHUB_AUD} = {GITHUB_AUDIENCE} ({got})")
    return problems


def github_oidc_trust_pinned(resource: Resource) -> list[Violation]:
    statements, _ = _trust_statements(resource)  # trust-no-public-principal reports bad JSON
    return [
        GITHUB_OIDC_TRUST_PINNED.violation(
            resource.urn,
            message=f"assumeRolePolicy {statement.label} trusts GitHub Actions but {problem}.",
            fix=f'Add "StringEquals": {{"{GITHUB_AUD}": "{GITHUB_AUDIENCE}"}} and '
            f'"StringLike": {{"{GITHUB_SUB}": "repo:OWNER/REPO:environment:prod"}} '
            "(or :ref:refs/heads/main) to the condition.",
        )
        for statement in statements
        if _trusts_github(statement)
        for problem in _github_problems(statement)
    ]


GITHUB_OIDC_TRUST_PINNED = Rule(
    name="github-oidc-trust-pinned",
    control="CKV_AWS_358",
    description=(
        "CKV_AWS_358: a role trusting the GitHub OIDC provider pins "
        "token.actions.githubusercontent.com:sub (StringEquals/StringLike) to "
        "repo:OWNER/REPO:... with no wildcard in OWNER/REPO, and its aud to sts.amazonaws.com."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=github_oidc_trust_pinned,
)
