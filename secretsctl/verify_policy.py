"""verify's view of a secret's resource policy: the stack's, drifted, or open to anyone."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from design.arns import Account
from design.iam import secret_resource_policy

READ_ACTION = "secretsmanager:getsecretvalue"
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):secretsmanager:(?P<region>[^:]+):(?P<account>\d{12}):"
)


def policy_document(text: str) -> dict[str, Any] | None:
    """The policy GetResourcePolicy returned, or None when it is not a JSON object."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def expected_policy(secret_arn: str) -> dict | None:
    """The stack's policy for the secret (DenyOutsideAccount), or None for a foreign ARN."""
    parts = _ARN.match(secret_arn)
    if parts is None:
        return None
    account = Account(
        partition=parts["partition"], region=parts["region"], account_id=parts["account"]
    )
    return secret_resource_policy(account)


def public_statements(document: Mapping[str, Any], *, expected: Mapping[str, Any] | None) -> list:
    """The statements that allow any principal, unless the stack's deny still stops outsiders.

    `Principal: "*"` and `{"AWS": "*"}` mean every AWS account. The stack's DenyOutsideAccount
    statement, while it stands unchanged, limits such an Allow to the account's own principals:
    that is drift, not exposure.
    """
    statements = _statements(document)
    if expected is not None and all(wanted in statements for wanted in _statements(expected)):
        return []
    return [
        statement
        for statement in statements
        if isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and _anyone(statement.get("Principal"))
    ]


def grants_read(statements: list[dict[str, Any]]) -> bool:
    """Whether any of the statements allows secretsmanager:GetSecretValue."""
    for statement in statements:
        if "NotAction" in statement:
            if not _matches(_strings(statement["NotAction"])):
                return True
        elif _matches(_strings(statement.get("Action"))):
            return True
    return False


def _statements(document: Mapping[str, Any]) -> list:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _anyone(principal: Any) -> bool:
    if isinstance(principal, dict):
        principal = principal.get("AWS")
    return "*" in _strings(principal)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value or [] if isinstance(item, str)]


def _matches(patterns: list[str]) -> bool:
    return any(fnmatchcase(READ_ACTION, pattern.lower()) for pattern in patterns)
