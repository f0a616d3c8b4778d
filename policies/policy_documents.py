"""Reading IAM policy documents: statements, wildcard matching and what a statement grants."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aws_model.iam_patterns import written_wildcard

from .exceptions import PolicyDocumentError
from .model import Opaque, is_opaque


@dataclass(frozen=True)
class Statement:
    """One statement, with every single-or-list element normalised to a tuple."""

    label: str
    """Where it is, for messages: `statement 2 (sid ReadAppSecrets)`."""
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    """Set when the statement uses NotAction (every action except these)."""
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] | None = None
    principal: Any = None
    not_principal: Any = None
    condition: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


def principal_values(principal: Any) -> list[Any]:
    """Every value of a Principal element: `"*"`, or each ARN, account or service it names."""
    if isinstance(principal, Mapping):
        values: list[Any] = []
        for value in principal.values():
            values.extend(value if isinstance(value, list) else [value])
        return values
    return [principal]


def parse(document: Any) -> list[Statement] | None:
    """The statements of a document given as a JSON string or an already-parsed mapping.

    Returns None when the document is opaque (unknown during preview, or hidden in the plan):
    nothing can be said about it. Raises PolicyDocumentError when it is malformed.
    """
    if document is None or is_opaque(document):
        return None
    if isinstance(document, str):
        return list(_parse_text(document))
    return _parse_mapping(document)


@lru_cache(maxsize=8192)
def _parse_text(document: str) -> tuple[Statement, ...]:
    """A JSON document's statements, parsed once: every rule reads the same policies."""
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError as exc:
        raise PolicyDocumentError(f"not valid JSON ({exc.msg} at char {exc.pos})") from exc
    return tuple(_parse_mapping(parsed))


def _parse_mapping(document: Any) -> list[Statement]:
    if not isinstance(document, Mapping):
        raise PolicyDocumentError(f"not a JSON object (got {type(document).__name__})")
    raw_statements = document.get("Statement")
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyDocumentError(
            f'"Statement" must be an object or a list, got {raw_statements!r}'
        )
    return [_statement(raw, index) for index, raw in enumerate(raw_statements, start=1)]


def _statement(raw: Any, index: int) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyDocumentError(f"statement {index} must be an object, got {raw!r}")
    sid = raw.get("Sid")
    label = f"statement {index}" + (f" (sid {sid})" if isinstance(sid, str) and sid else "")
    condition = raw.get("Condition") or {}
    return Statement(
        label=label,
        effect=str(raw.get("Effect", "")),
        actions=_strings(raw.get("Action")),
        not_actions=_strings(raw["NotAction"]) if "NotAction" in raw else None,
        resources=_strings(raw.get("Resource")),
        not_resources=_strings(raw["NotResource"]) if "NotResource" in raw else None,
        principal=raw.get("Principal"),
        not_principal=raw.get("NotPrincipal"),
        condition=condition if isinstance(condition, Mapping) else {},
    )


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | Opaque):
        value = [value]
    if not isinstance(value, list):
        raise PolicyDocumentError(f"expected a string or a list of strings, got {value!r}")
    # An unknown element is kept as the literal text "[unknown]": it matches no pattern.
    return tuple(item.value if is_opaque(item) else str(item) for item in value)


def matches(wildcard: str, value: str) -> bool:
    """IAM's matching: `*` is any run of characters, `?` is one, case-insensitive.

    A pattern without `*` or `?` is compared as text: a plan names thousands of exact ARNs,
    and compiling each into a regular expression was most of a guardrail run.
    """
    if "*" not in wildcard and "?" not in wildcard:
        return wildcard.lower() == value.lower()
    return written_wildcard(wildcard, ignore_case=True).fullmatch(value) is not None


def granted(statement: Statement, candidates: Iterable[str]) -> list[str]:
    """Which of the candidate actions an Allow statement grants (through Action or NotAction)."""
    if not statement.allows:
        return []
    if statement.not_actions is not None:
        return [
            action
            for action in candidates
            if not any(matches(excluded, action) for excluded in statement.not_actions)
        ]
    return [
        action
        for action in candidates
        if any(matches(pattern, action) for pattern in statement.actions)
    ]


def applies_to_every(statement: Statement, probes: Iterable[str]) -> str | None:
    """The resource element that covers every probe ARN, or None when the scope is narrower.

    NotResource in an Allow means "everything except", so it counts as covering everything.
    Conditions are deliberately not considered (as AWS Config's KMS rules do not).
    """
    if statement.not_resources is not None:
        return f"NotResource {list(statement.not_resources)}"
    probe_list = list(probes)
    for resource in statement.resources:
        if all(matches(resource, probe) for probe in probe_list):
            return resource
    return None
