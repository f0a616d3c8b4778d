"""verify's view of policy documents: a secret's resource policy, and documents compared as IAM."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from design.arns import Account
from design.sharing import shared_secret_resource_policy

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


def expected_policy(secret_arn: str, *, shared_with: Sequence[str] = ()) -> dict | None:
    """The stack's policy for the secret (DenyOutsideAccount, and the `shared_with` principals'
    read: design/sharing.py), or None for a foreign ARN."""
    parts = _ARN.match(secret_arn)
    if parts is None:
        return None
    account = Account(
        partition=parts["partition"], region=parts["region"], account_id=parts["account"]
    )
    return shared_secret_resource_policy(account, shared_with)


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


def canonical(document: Any) -> Any:
    """A policy as IAM reads it, to compare two documents: statement order, the Sid, and a
    single value against a one-element list make no difference. JSON text is parsed first.

    A document that is not JSON stays as it is, so it equals only the same text.
    """
    if isinstance(document, str):
        parsed = policy_document(document)
        if parsed is None:
            return document
        document = parsed
    if not isinstance(document, Mapping):
        return document
    statements = sorted(
        json.dumps(_canonical_statement(statement), sort_keys=True)
        for statement in _statements(document)
    )
    return {"Version": document.get("Version"), "Statement": statements}


def allowed_principals(document: Any) -> list[str]:
    """Who the Allow statements of a trust policy name: `AWS:...`, `Service:...`, `*`."""
    found: set[str] = set()
    parsed = policy_document(document) if isinstance(document, str) else document
    for statement in _statements(parsed if isinstance(parsed, Mapping) else {}):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, Mapping):
            found |= {
                f"{kind}:{value}"
                for kind, values in principal.items()
                for value in _strings(values)
            }
        else:
            found |= set(_strings(principal))
    return sorted(found)


def _canonical_statement(statement: Any) -> Any:
    if not isinstance(statement, Mapping):
        return statement
    return {key: _canonical_element(key, value) for key, value in statement.items() if key != "Sid"}


def _canonical_element(key: str, value: Any) -> Any:
    if key == "Condition" and isinstance(value, Mapping):
        return {
            operator: {name: _sorted_texts(values) for name, values in block.items()}
            if isinstance(block, Mapping)
            else block
            for operator, block in value.items()
        }
    if key in ("Principal", "NotPrincipal") and isinstance(value, Mapping):
        return {kind: _sorted_texts(values) for kind, values in value.items()}
    if key in ("Action", "NotAction"):  # IAM matches actions case-insensitively
        return sorted(action.lower() for action in _sorted_texts(value))
    if key in ("Resource", "NotResource"):
        return _sorted_texts(value)
    return value


def _sorted_texts(value: Any) -> list[str]:
    """Values as IAM compares them: a set of strings (`true` and "true" alike)."""
    values = value if isinstance(value, list) else [value]
    return sorted(item if isinstance(item, str) else json.dumps(item) for item in values)


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
