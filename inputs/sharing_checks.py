"""Checks of `share_with`: exact principals of other accounts, in environments the secret is in."""

from __future__ import annotations

import re

from inputs.catalog import Catalog, SecretSpec
from inputs.problems import problem
from inputs.stack_settings import StackSettings

Problems = list[tuple[str, str]]
"""(catalog path, message) pairs, as in inputs/catalog_checks.py."""

SHARED_PRINCIPAL = re.compile(
    r"^arn:(?P<partition>aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?):iam::(?P<account>\d{12}):"
    r"(?P<resource>root|role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$"
)
"""An IAM role's ARN (with its path, if any) or an account root's: what a secret is shared with."""

MSG_WILDCARD = "must name exactly one role or account, without wildcards (* or ?), got {value!r}"
MSG_NOT_PRINCIPAL = (
    "must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME) or an account root "
    "(arn:aws:iam::ACCOUNT:root) of another account, got {value!r}"
)
MSG_OWN_ACCOUNT = (
    "{value!r} is in the stack's own account {account}: grant its principals through "
    "services: (env or runtime_read) instead"
)


def sharing_problems(catalog: Catalog) -> Problems:
    """Every secret's `share_with`: known environments the secret exists in, exact principals."""
    problems: Problems = []
    for name, spec in catalog.secrets.items():
        problems += _secret_sharing_problems(f"secrets.{name}.share_with", spec, catalog=catalog)
    return problems


def own_account_problems(catalog: Catalog, *, environment: str, account_id: str) -> Problems:
    """Principals of the stack's own account, where the account is known before deploying."""
    return [
        (
            f"secrets.{name}.share_with.{environment}.{index}",
            MSG_OWN_ACCOUNT.format(value=arn, account=account_id),
        )
        for name, spec in catalog.secrets_in(environment).items()
        for index, arn in enumerate(spec.share_with.get(environment, ()))
        if principal_account(arn) == account_id
    ]


def shared_account_problems(
    catalog: Catalog, settings: StackSettings, *, catalog_file: str, account_id: str | None = None
) -> list[str]:
    """`share_with` names no principal of the stack's own account: `account_id` (the offline
    plan's assumed one) or `accountId`, where known; otherwise the program checks it against the
    provider's account (design/sharing.py)."""
    account_id = account_id or settings.account_id
    if not account_id:
        return []
    return [
        problem(catalog_file, path, message)
        for path, message in own_account_problems(
            catalog, environment=settings.environment, account_id=account_id
        )
    ]


def principal_account(arn: str) -> str | None:
    """The account of a valid shared principal, or None."""
    found = SHARED_PRINCIPAL.fullmatch(arn)
    return found["account"] if found else None


def _secret_sharing_problems(path: str, spec: SecretSpec, *, catalog: Catalog) -> Problems:
    problems: Problems = []
    known = set(catalog.environments)
    for environment, arns in spec.share_with.items():
        where = f"{path}.{environment}"
        if known and environment not in known:
            allowed = ", ".join(sorted(known))
            problems.append((where, f"unknown environment {environment!r}; known: {allowed}"))
        elif not spec.exists_in(environment):
            problems.append(
                (
                    where,
                    f"the secret does not exist in environment {environment!r} "
                    f"(only_in: {', '.join(spec.only_in or [])}); remove it or add it to only_in",
                )
            )
        if not arns:
            problems.append((where, "must name at least one principal"))
        problems += _principal_problems(where, arns)
    return problems


def _principal_problems(path: str, arns: list[str]) -> Problems:
    problems: Problems = []
    seen: set[str] = set()
    for index, arn in enumerate(arns):
        where = f"{path}.{index}"
        if "*" in arn or "?" in arn:
            problems.append((where, MSG_WILDCARD.format(value=arn)))
        elif not SHARED_PRINCIPAL.fullmatch(arn):
            problems.append((where, MSG_NOT_PRINCIPAL.format(value=arn)))
        elif arn in seen:
            problems.append((where, f"lists {arn!r} twice"))
        seen.add(arn)
    return problems
