"""IAM policy documents: parsing statements, and matching their actions and resources."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .exceptions import PolicyError
from .iam_conditions import Condition, parse_conditions
from .iam_patterns import Context, arn_matches, escape_backslashes, substitute, written_wildcard

PolicyDocument = Mapping[str, Any]

_VERSION_WITH_VARIABLES = "2012-10-17"
_VERSIONS = (_VERSION_WITH_VARIABLES, "2008-10-17")
_POLICY_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource"}
    | {"NotResource", "Condition"}
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated")


@dataclass(frozen=True)
class Statement:
    """One statement, checked against the IAM policy grammar."""

    where: str
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    principals: tuple[tuple[str, str], ...] | None
    not_principal: bool
    conditions: tuple[Condition, ...]
    uses_variables: bool


def parse_policy(document: str | PolicyDocument) -> PolicyDocument:
    """Return the policy as a mapping; raise PolicyError naming the first malformed element."""
    loaded = _load_json(document, "policy")
    _parse_statements(loaded, "policy")
    return loaded


def parse_document(document: str | PolicyDocument, where: str) -> tuple[Statement, ...]:
    if isinstance(document, str):
        return _parse_text(document, where)
    return _parse_statements(_load_json(document, where), where)


@lru_cache(maxsize=4096)
def _parse_text(document: str, where: str) -> tuple[Statement, ...]:
    """Parsed once per text: a report evaluates the same documents for many secrets."""
    return _parse_statements(_load_json(document, where), where)


def _load_json(document: str | PolicyDocument, where: str) -> PolicyDocument:
    loaded: object = document
    if isinstance(document, str):
        try:
            loaded = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{where}: not valid JSON: {exc}") from exc
    if not isinstance(loaded, Mapping):
        raise PolicyError(f"{where}: must be a JSON object, got {type(loaded).__name__}")
    return loaded


def _parse_statements(document: PolicyDocument, where: str) -> tuple[Statement, ...]:
    unknown = sorted(set(document) - _POLICY_ELEMENTS)
    if unknown:
        raise PolicyError(
            f"{where}: unknown element {unknown[0]!r}; allowed: Version, Id, Statement"
        )
    # AWS treats a policy without Version as 2008-10-17, where ${...} is literal text.
    version = document.get("Version", "2008-10-17")
    if version not in _VERSIONS:
        raise PolicyError(
            f"{where}.Version: must be one of {', '.join(_VERSIONS)}, got {version!r}"
        )
    if "Statement" not in document:
        raise PolicyError(f"{where}: missing Statement")
    raw = document["Statement"]
    statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(statements, list) or not statements:
        raise PolicyError(
            f"{where}.Statement: must be an object or a non-empty list of objects, got {raw!r}"
        )
    uses_variables = version == _VERSION_WITH_VARIABLES
    return tuple(
        _parse_statement(statement, f"{where}.Statement[{index}]", uses_variables=uses_variables)
        for index, statement in enumerate(statements)
    )


def _parse_statement(raw: object, where: str, *, uses_variables: bool) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _STATEMENT_ELEMENTS)
    if unknown:
        allowed = ", ".join(sorted(_STATEMENT_ELEMENTS))
        raise PolicyError(f"{where}: unknown element {unknown[0]!r}; allowed: {allowed}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'{where}.Effect: must be "Allow" or "Deny", got {effect!r}')
    actions, not_action = _one_of(raw, "Action", negated="NotAction", where=where)
    for action in actions:
        if action != "*" and not re.fullmatch(r"[A-Za-z0-9-]+:[^:]+", action):
            raise PolicyError(
                f"{where}: action must look like 'service:Action' or '*', got {action!r}"
            )
    resources, not_resource = _one_of(raw, "Resource", negated="NotResource", where=where)
    principals, not_principal = _parse_principal(raw, where)
    return Statement(
        where=where,
        effect=effect,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=parse_conditions(raw.get("Condition", {}), f"{where}.Condition"),
        uses_variables=uses_variables,
    )


def _one_of(
    raw: Mapping[str, Any], name: str, *, negated: str, where: str
) -> tuple[tuple[str, ...], bool]:
    present = [element for element in (name, negated) if element in raw]
    if len(present) != 1:
        got = " and ".join(present) or "neither"
        raise PolicyError(f"{where}: needs exactly one of {name} or {negated}, got {got}")
    element = present[0]
    return _strings(raw[element], f"{where}.{element}"), element == negated


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise PolicyError(f"{where}: must be a string or a non-empty list of strings, got {value!r}")


def _parse_principal(
    raw: Mapping[str, Any], where: str
) -> tuple[tuple[tuple[str, str], ...] | None, bool]:
    present = [element for element in ("Principal", "NotPrincipal") if element in raw]
    if not present:
        return None, False
    if len(present) == 2:
        raise PolicyError(f"{where}: needs at most one of Principal or NotPrincipal, got both")
    element = present[0]
    value = raw[element]
    if value == "*":
        return (("AWS", "*"),), element == "NotPrincipal"
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f'{where}.{element}: must be "*" or an object like {{"AWS": ...}}')
    entries: list[tuple[str, str]] = []
    for principal_type, identifiers in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            raise PolicyError(
                f"{where}.{element}: unsupported principal type {principal_type!r}; "
                f"supported: {', '.join(_PRINCIPAL_TYPES)}"
            )
        entries += [
            (principal_type, identifier)
            for identifier in _strings(identifiers, f"{where}.{element}.{principal_type}")
        ]
    return tuple(entries), element == "NotPrincipal"


def action_matches(statement: Statement, action: str) -> bool:
    return _actions_match(statement.actions, action) != statement.not_action


@lru_cache(maxsize=4096)
def _names_variables(patterns: tuple[str, ...]) -> bool:
    return any("${" in pattern for pattern in patterns)


@lru_cache(maxsize=65536)
def _literal_resources_match(patterns: tuple[str, ...], resource_arn: str) -> bool:
    """Cached: without policy variables the answer depends on the patterns and the ARN only, and
    a report asks it of every action a role might take on a secret."""
    exact, wildcards = _split_patterns(patterns)
    return resource_arn in exact or any(
        arn_matches(escape_backslashes(pattern), resource_arn) for pattern in wildcards
    )


@lru_cache(maxsize=4096)
def _split_patterns(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The patterns with no `*`, `?` or backslash, which match exactly their own text, as a set;
    and the others, which need a match each. A role's exact grants can list hundreds of ARNs."""
    exact = frozenset(p for p in patterns if not any(char in p for char in "*?\\"))
    return exact, tuple(p for p in patterns if p not in exact)


@lru_cache(maxsize=65536)
def _actions_match(patterns: tuple[str, ...], action: str) -> bool:
    """Cached: a report asks the same statement about the same action for every secret."""
    return any(
        written_wildcard(pattern, ignore_case=True).fullmatch(action) for pattern in patterns
    )


def resources_use_context(statement: Statement) -> bool:
    """Whether the statement's Resource entries hold policy variables, resolved per request."""
    return statement.uses_variables and _names_variables(statement.resources)


def literal_resource_matches(statement: Statement, sorted_arns: Sequence[str]) -> frozenset[str]:
    """The ARNs of `sorted_arns` (sorted) on which the statement's Resource (or NotResource)
    lets it apply, as `resource_matches` decides each; only for statements without variables.

    A wildcard entry can match only ARNs that start with its text before the first `*` or `?`,
    so it is tried against that sorted range alone, not against every ARN.
    """
    if resources_use_context(statement):
        raise ValueError(f"{statement.where}: its Resource depends on the request context")
    exact, wildcards = _split_patterns(statement.resources)
    matched = {arn for arn in exact if _contains(sorted_arns, arn)}
    for pattern in wildcards:
        compiled = escape_backslashes(pattern)
        matched.update(
            arn
            for arn in _starting_with(sorted_arns, re.split(r"[*?]", pattern, maxsplit=1)[0])
            if arn_matches(compiled, arn)
        )
    if statement.not_resource:
        return frozenset(arn for arn in sorted_arns if arn not in matched)
    return frozenset(matched)


def _contains(sorted_arns: Sequence[str], arn: str) -> bool:
    position = bisect.bisect_left(sorted_arns, arn)
    return position < len(sorted_arns) and sorted_arns[position] == arn


def _starting_with(sorted_arns: Sequence[str], prefix: str) -> Sequence[str]:
    start = bisect.bisect_left(sorted_arns, prefix)
    end = start
    while end < len(sorted_arns) and sorted_arns[end].startswith(prefix):
        end += 1
    return sorted_arns[start:end]


def resource_matches(statement: Statement, resource_arn: str, *, context: Context) -> bool:
    if not resources_use_context(statement):
        return _literal_resources_match(statement.resources, resource_arn) != statement.not_resource
    # Resolve every entry first, so an unresolvable variable disables the statement whatever
    # its position in the list.
    patterns = [
        substitute(pattern, context, as_pattern=True, enabled=statement.uses_variables)
        for pattern in statement.resources
    ]
    matched = any(arn_matches(pattern, resource_arn) for pattern in patterns)
    return matched != statement.not_resource
