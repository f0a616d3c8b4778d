"""Rules for IAM role trust policies: nobody public, GitHub OIDC pinned to one repository."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .exceptions import PolicyDocumentError
from .iam import ROLE
from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque
from .policy_documents import Statement, parse, principal_values

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_SUB = f"{GITHUB_OIDC_HOST}:sub"
GITHUB_AUD = f"{GITHUB_OIDC_HOST}:aud"
GITHUB_AUDIENCE = "sts.amazonaws.com"
"""The audience aws-actions/configure-aws-credentials requests."""

PINNING_OPERATOR = "StringEquals"
"""The one operator that pins `sub`: StringLike lets a pattern match what nobody reviewed."""
_GITHUB_KEY = re.compile(
    rf"^{re.escape(GITHUB_OIDC_HOST)}(?:/[^:]+)?:(?P<claim>sub|aud)$", re.IGNORECASE
)
"""`token.actions.githubusercontent.com[/enterprise]:sub` or `:aud`, as IAM names the claims."""
# repo:OWNER/REPO:<context>, every part literal. GitHub's immutable form
# (repo:acme@123/app@456:...) also fits.
_PINNED_SUBJECT = re.compile(r"^repo:(?P<repository>[^/:*?]+/[^/:*?]+):[^*?]+$")


def _trust_statements(resource: Resource) -> tuple[list[Statement], str | None]:
    if resource.type != ROLE:
        return [], None
    try:
        return parse(resource.props.get("assumeRolePolicy")) or [], None
    except PolicyDocumentError as exc:
        return [], f"assumeRolePolicy cannot be checked: {exc}."


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
        elif "*" in principal_values(statement.principal):
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
    """An Allow whose principal is GitHub's OIDC provider, or which tests GitHub's claims.

    The claims give GitHub trust away whatever the principal looks like: a variable, an
    unknown value, or an ARN spelled another way would otherwise hide an unpinned `sub`.
    """
    if not statement.allows:
        return False
    return _federates_github(statement.principal) or any(
        _github_claim(key) for _, key, _ in _conditions(statement)
    )


def _federates_github(principal: Any) -> bool:
    if not isinstance(principal, Mapping):
        return False
    federated = principal.get("Federated")
    providers = federated if isinstance(federated, list) else [federated]
    return any(
        isinstance(provider, str)
        and (provider == GITHUB_OIDC_HOST or provider.endswith(f"oidc-provider/{GITHUB_OIDC_HOST}"))
        for provider in providers
    )


def _github_claim(key: str) -> str | None:
    """`sub` or `aud` when the condition key is one of GitHub's claims."""
    found = _GITHUB_KEY.match(key)
    return found["claim"].lower() if found else None


def _conditions(statement: Statement) -> list[tuple[str, str, list[Any]]]:
    """Every `(operator, key, values)` of the statement's Condition."""
    found = []
    for operator, block in statement.condition.items():
        if not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            found.append((str(operator), str(key), value if isinstance(value, list) else [value]))
    return found


def _claim_tests(statement: Statement, claim: str) -> dict[str, list[Any]]:
    """The values GitHub's claim is tested against, by operator."""
    tests: dict[str, list[Any]] = {}
    for operator, key, values in _conditions(statement):
        if _github_claim(key) == claim:
            tests.setdefault(operator, []).extend(values)
    return tests


def _subject_problems(statement: Statement) -> list[str]:
    tests = _claim_tests(statement, "sub")
    patterns = [
        f"tests {GITHUB_SUB} with {operator}, which matches patterns: use {PINNING_OPERATOR} "
        "with the exact subject"
        for operator in tests
        if "like" in operator.lower()
    ]
    if PINNING_OPERATOR not in tests:
        return patterns or [
            f"does not test {GITHUB_SUB} with {PINNING_OPERATOR}, so any repository's workflow "
            "can assume the role"
        ]
    subjects = [str(value) for value in tests[PINNING_OPERATOR] if not is_opaque(value)]
    return patterns + _pinning_problems(subjects)


def _pinning_problems(subjects: list[str]) -> list[str]:
    """What is wrong with the subjects StringEquals accepts: each literal, one repository."""
    problems = []
    loose = [subject for subject in subjects if not _PINNED_SUBJECT.match(subject)]
    if loose:
        problems.append(
            f"lets {GITHUB_SUB} be {loose}: it must be repo:OWNER/REPO:CONTEXT, every part "
            "literal, with no wildcard"
        )
    pinned = (_PINNED_SUBJECT.match(subject) for subject in subjects)
    repositories = sorted({found["repository"].lower() for found in pinned if found})
    if len(repositories) > 1:
        problems.append(
            f"lets {GITHUB_SUB} name {len(repositories)} repositories "
            f"({', '.join(repositories)}): trust exactly one"
        )
    return problems


def _audience_problems(statement: Statement) -> list[str]:
    audiences = _claim_tests(statement, "aud").get(PINNING_OPERATOR)
    if audiences and all(is_opaque(value) or value == GITHUB_AUDIENCE for value in audiences):
        return []
    got = f"got {audiences}" if audiences else f"no {PINNING_OPERATOR} on it"
    return [f"does not require {GITHUB_AUD} = {GITHUB_AUDIENCE} ({got})"]


def github_oidc_trust_pinned(resource: Resource) -> list[Violation]:
    statements, _ = _trust_statements(resource)  # trust-no-public-principal reports bad JSON
    return [
        GITHUB_OIDC_TRUST_PINNED.violation(
            resource.urn,
            message=f"assumeRolePolicy {statement.label} trusts GitHub Actions but {problem}.",
            fix=f'Use "{PINNING_OPERATOR}": {{"{GITHUB_AUD}": "{GITHUB_AUDIENCE}", '
            f'"{GITHUB_SUB}": "repo:OWNER/REPO:environment:prod"}} (or :ref:refs/heads/main, '
            ":pull_request): one repository, no wildcard, no StringLike.",
        )
        for statement in statements
        if _trusts_github(statement)
        for problem in [*_subject_problems(statement), *_audience_problems(statement)]
    ]


GITHUB_OIDC_TRUST_PINNED = Rule(
    name="github-oidc-trust-pinned",
    control="CKV_AWS_358",
    description=(
        "CKV_AWS_358: a role trust statement that trusts GitHub Actions (the "
        "token.actions.githubusercontent.com provider, or a condition on its :sub or :aud) "
        "tests :sub with StringEquals only, against repo:OWNER/REPO:CONTEXT values of one "
        "repository with no wildcard, and :aud with StringEquals sts.amazonaws.com."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=github_oidc_trust_pinned,
)
