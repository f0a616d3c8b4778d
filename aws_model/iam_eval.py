"""Decide whether IAM policies allow a request, following AWS evaluation logic in one account."""

from __future__ import annotations

import enum
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "SECRETSMANAGER_ACTIONS",
    "SECRET_RESOURCE_ACTIONS",
    "STAR_RESOURCE_ACTIONS",
    "ContextValue",
    "Decision",
    "PolicyError",
    "Request",
    "UnsupportedConditionOperatorError",
    "allowed_actions",
    "evaluate",
    "parse_policy",
]

# Every secretsmanager IAM action, as listed in parliament's iam_definition.json (a test checks it).
SECRETSMANAGER_ACTIONS: tuple[str, ...] = (
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:ListSecrets",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:ValidateResourcePolicy",
)
# Actions without resource-level permissions: a policy must grant them on Resource "*".
STAR_RESOURCE_ACTIONS: tuple[str, ...] = (
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:ListSecrets",
)
# Actions that apply to one secret's ARN (resource type "Secret").
SECRET_RESOURCE_ACTIONS: tuple[str, ...] = tuple(
    action for action in SECRETSMANAGER_ACTIONS if action not in STAR_RESOURCE_ACTIONS
)

_STAR_RESOURCE_ACTIONS_BY_KEY = {action.lower(): action for action in STAR_RESOURCE_ACTIONS}

ContextValue = str | bool | int | Sequence[str] | None
PolicyDocument = Mapping[str, Any]

_VERSION_WITH_VARIABLES = "2012-10-17"
_VERSIONS = (_VERSION_WITH_VARIABLES, "2008-10-17")
_POLICY_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource"}
    | {"NotResource", "Condition"}
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated")
_SET_OPERATORS = ("ForAnyValue", "ForAllValues")


class PolicyError(ValueError):
    """A policy document is malformed; the message names the element and the value received."""


class UnsupportedConditionOperatorError(PolicyError):
    """A Condition uses an operator that this evaluator does not implement."""


class Decision(enum.Enum):
    """The outcome of evaluating one request."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


@dataclass(frozen=True, kw_only=True)
class Request:
    """One API call: who, what, on which resource, and the request context."""

    principal_arn: str
    """The caller: an IAM role or user ARN, a role session ARN, or a service principal name."""
    action: str
    """For example ``secretsmanager:GetSecretValue``; matched case-insensitively."""
    resource_arn: str
    """The secret's ARN, or ``"*"`` for actions in STAR_RESOURCE_ACTIONS."""
    context: Mapping[str, ContextValue]
    """Condition keys (case-insensitive names). A key left out, or None, is *missing*."""


# --- condition operators -------------------------------------------------------------------


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def matches(value: str, wanted: str) -> bool:
        try:
            return compare(float(value), float(wanted))
        except ValueError:
            return False  # A context value that is not a number never matches.

    return matches


# Positive operators: (context value, policy value) -> bool. Policy values are ORed.
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.casefold() == wanted.casefold(),
    "StringLike": lambda value, wanted: _glob(wanted).fullmatch(value) is not None,
    # AWS documents ArnEquals and ArnLike identically: both accept * and ? per ARN segment.
    "ArnEquals": lambda value, wanted: _arn_matches(wanted, value),
    "ArnLike": lambda value, wanted: _arn_matches(wanted, value),
    "Bool": lambda value, wanted: value.lower() == wanted.lower(),
    "NumericEquals": _numeric(operator.eq),
    "NumericLessThan": _numeric(operator.lt),
    "NumericLessThanEquals": _numeric(operator.le),
    "NumericGreaterThan": _numeric(operator.gt),
    "NumericGreaterThanEquals": _numeric(operator.ge),
}
# Negated operators are true when no policy value matches, and when the key is missing.
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}
# Operators whose policy values are patterns: a variable's value must not act as a wildcard there.
_PATTERN_OPERATORS = frozenset({"StringLike", "ArnEquals", "ArnLike"})
_SUPPORTED_OPERATORS = ", ".join(sorted([*_POSITIVE, *_NEGATED, "Null"]))


@dataclass(frozen=True)
class _Condition:
    operator: str
    base: str
    negated: bool
    if_exists: bool
    set_operator: str | None
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Statement:
    where: str
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    principals: tuple[tuple[str, str], ...] | None
    not_principal: bool
    conditions: tuple[_Condition, ...]
    uses_variables: bool


@dataclass(frozen=True)
class _PolicySet:
    identity: tuple[_Statement, ...]
    resource: tuple[_Statement, ...]
    boundary: tuple[_Statement, ...] | None


class _Grant(enum.IntEnum):
    """What a resource-policy Allow gives the caller, weakest first."""

    NONE = (
        0  # Does not name the caller, or names only its account (delegates to identity policies).
    )
    ROLE = 1  # Names the role ARN: limited by an implicit deny in the permissions boundary.
    DIRECT = 2  # Names the user, the session or "*": not limited by identity policies or boundary.


class _Match(enum.Enum):
    WILDCARD = "wildcard"
    EXACT = "exact"
    ACCOUNT = "account"


class _UnresolvedVariable(Exception):
    """A policy variable has no value in the request context, so its statement does not apply."""


# --- public API ----------------------------------------------------------------------------


def parse_policy(document: str | PolicyDocument) -> PolicyDocument:
    """Return the policy as a mapping; raise PolicyError naming the first malformed element."""
    loaded = _load_json(document, "policy")
    _parse_statements(loaded, "policy")
    return loaded


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None = None,
    permissions_boundary: str | PolicyDocument | None = None,
) -> Decision:
    """Decide one request the way AWS does for a principal and resource in the same account."""
    policies = _load_policy_set(identity_policies, resource_policy, permissions_boundary)
    return _decide(request, policies)


def allowed_actions(
    actions: Iterable[str],
    *,
    principal_arn: str,
    resource_arn: str,
    context: Mapping[str, ContextValue],
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None = None,
    permissions_boundary: str | PolicyDocument | None = None,
) -> list[str]:
    """Return, sorted, the actions that evaluate to ALLOW for this principal on this resource.

    Only actions that some Allow statement names are decided: the others are denied implicitly.
    """
    policies = _load_policy_set(identity_policies, resource_policy, permissions_boundary)
    normalized = _normalize_context(context)
    allows = [s for s in (*policies.identity, *policies.resource) if s.effect == "Allow"]

    def is_allowed(action: str) -> bool:
        if not any(_action_matches(statement, action) for statement in allows):
            return False
        request = Request(
            principal_arn=principal_arn, action=action, resource_arn=resource_arn, context=context
        )
        return _decide(request, policies, normalized) is Decision.ALLOW

    return sorted({action for action in actions if is_allowed(action)})


# --- evaluation ----------------------------------------------------------------------------


def _decide(request: Request, policies: _PolicySet, context: _Context | None = None) -> Decision:
    _check_request(request)
    if context is None:
        context = _normalize_context(request.context)

    def applies(statement: _Statement) -> bool:
        return _statement_applies(statement, request, context)

    has_boundary = policies.boundary is not None
    boundary = policies.boundary or ()
    if any(s.effect == "Deny" and applies(s) for s in (*policies.identity, *boundary)) or any(
        s.effect == "Deny"
        and _deny_reaches(s, request.principal_arn, has_boundary=has_boundary)
        and applies(s)
        for s in policies.resource
    ):
        return Decision.EXPLICIT_DENY

    identity_allows = any(s.effect == "Allow" and applies(s) for s in policies.identity)
    boundary_allows = not has_boundary or any(s.effect == "Allow" and applies(s) for s in boundary)
    grant = max(
        (
            _resource_grant(s, request.principal_arn)
            for s in policies.resource
            if s.effect == "Allow" and applies(s)
        ),
        default=_Grant.NONE,
    )
    if grant is _Grant.DIRECT or (boundary_allows and (identity_allows or grant is _Grant.ROLE)):
        return Decision.ALLOW
    return Decision.IMPLICIT_DENY


def _statement_applies(statement: _Statement, request: Request, context: _Context) -> bool:
    try:
        return (
            _action_matches(statement, request.action)
            and _resource_matches(statement, request.resource_arn, context)
            and all(
                _condition_holds(condition, context, uses_variables=statement.uses_variables)
                for condition in statement.conditions
            )
        )
    except _UnresolvedVariable:
        return False


def _action_matches(statement: _Statement, action: str) -> bool:
    return _actions_match(statement.actions, action) != statement.not_action


@lru_cache(maxsize=65536)
def _actions_match(patterns: tuple[str, ...], action: str) -> bool:
    """Cached: a report asks the same statement about the same action for every secret."""
    return any(
        _glob(_escape_backslashes(pattern), ignore_case=True).fullmatch(action)
        for pattern in patterns
    )


def _resource_matches(statement: _Statement, resource_arn: str, context: _Context) -> bool:
    # Resolve every entry first, so an unresolvable variable disables the statement whatever
    # its position in the list.
    patterns = [
        _substitute(pattern, context, as_pattern=True, enabled=statement.uses_variables)
        for pattern in statement.resources
    ]
    matched = any(_arn_matches(pattern, resource_arn) for pattern in patterns)
    return matched != statement.not_resource


def _condition_holds(condition: _Condition, context: _Context, *, uses_variables: bool) -> bool:
    wanted = [
        _substitute(
            value,
            context,
            as_pattern=condition.base in _PATTERN_OPERATORS,
            enabled=uses_variables,
        )
        for value in condition.values
    ]
    present = context.get(condition.key)
    values = () if present is None else (present,) if isinstance(present, str) else present
    if condition.base == "Null":
        return any((value.lower() == "true") == (not values) for value in wanted)
    if not values:
        if condition.if_exists or condition.set_operator == "ForAllValues":
            return True
        return condition.negated and condition.set_operator is None

    match = _POSITIVE[condition.base]

    def satisfied(value: str) -> bool:
        return any(match(value, policy_value) for policy_value in wanted) != condition.negated

    if condition.set_operator == "ForAllValues":
        return all(satisfied(value) for value in values)
    if condition.set_operator == "ForAnyValue":
        return any(satisfied(value) for value in values)
    # A multivalued key without a set operator: the key matches if any of its values matches.
    matched = any(match(value, policy_value) for value in values for policy_value in wanted)
    return matched != condition.negated


# --- principals ----------------------------------------------------------------------------


def _match_levels(statement: _Statement, principal_arn: str) -> set[_Match]:
    """How the statement's (Not)Principal entries identify the caller."""
    caller_account = _account_of(principal_arn)
    levels: set[_Match] = set()
    for principal_type, value in statement.principals or ():
        if principal_type == "AWS" and value == "*":
            levels.add(_Match.WILDCARD)
        elif value == principal_arn:
            levels.add(_Match.EXACT)
        elif (
            principal_type == "AWS"
            and caller_account
            and _account_principal(value) == caller_account
        ):
            levels.add(_Match.ACCOUNT)
    return levels


def _deny_reaches(statement: _Statement, principal_arn: str, *, has_boundary: bool) -> bool:
    levels = _match_levels(statement, principal_arn)
    if not statement.not_principal:
        return bool(levels)
    if has_boundary:
        # AWS: a Deny with NotPrincipal always denies principals that have a permissions boundary.
        return True
    # AWS may check the account before the principal, so an exception needs both listed.
    needs_account = _account_of(principal_arn) is not None
    excluded = _Match.WILDCARD in levels or (
        _Match.EXACT in levels and (_Match.ACCOUNT in levels or not needs_account)
    )
    return not excluded


def _resource_grant(statement: _Statement, principal_arn: str) -> _Grant:
    levels = _match_levels(statement, principal_arn)
    if statement.not_principal:
        return _Grant.NONE if levels else _Grant.DIRECT
    if _Match.WILDCARD in levels:
        return _Grant.DIRECT
    if _Match.EXACT in levels:
        return _Grant.ROLE if _is_role_arn(principal_arn) else _Grant.DIRECT
    return _Grant.NONE


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4]:
        return parts[4]
    return None


def _account_principal(value: str) -> str | None:
    """The account an ``arn:...:iam::ACCOUNT:root`` or bare account-id principal names."""
    if re.fullmatch(r"\d{12}", value):
        return value
    found = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value)
    return found.group(1) if found else None


def _is_role_arn(arn: str) -> bool:
    return re.fullmatch(r"arn:[^:]+:iam::\d{12}:role/.+", arn) is not None


def _check_request(request: Request) -> None:
    """Reject requests AWS cannot make, rather than answer them wrongly."""
    star_action = _STAR_RESOURCE_ACTIONS_BY_KEY.get(request.action.lower())
    if star_action and request.resource_arn != "*":
        raise ValueError(
            f"{star_action} has no resource-level permissions: evaluate it with resource_arn '*', "
            f"got {request.resource_arn!r}"
        )
    principal_account = _account_of(request.principal_arn)
    resource_account = _account_of(request.resource_arn)
    if principal_account and resource_account and principal_account != resource_account:
        raise ValueError(
            f"cross-account requests are not supported: principal {request.principal_arn!r} is in "
            f"account {principal_account}, resource {request.resource_arn!r} in {resource_account}"
        )


# --- patterns and variables ----------------------------------------------------------------

_Context = dict[str, str | tuple[str, ...]]
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=4096)
def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile an IAM wildcard pattern; a backslash makes the next character literal."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@lru_cache(maxsize=65536)
def _arn_matches(pattern: str, arn: str) -> bool:
    """Match each of the six colon-separated ARN segments on its own, as IAM does."""
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if len(pattern_parts) == 6 and len(arn_parts) == 6:
        return all(
            _glob(part).fullmatch(value)
            for part, value in zip(pattern_parts, arn_parts, strict=True)
        )
    return _glob(pattern).fullmatch(arn) is not None


def _escape_backslashes(text: str) -> str:
    return text.replace("\\", "\\\\")


def _escape_value(text: str) -> str:
    return re.sub(r"([\\*?])", r"\\\1", text)


def _substitute(template: str, context: _Context, *, as_pattern: bool, enabled: bool) -> str:
    """Replace ``${key}`` and ``${key, 'default'}`` from the context; literal in Version 2008."""
    literal = _escape_backslashes if as_pattern else str
    if not enabled:
        return literal(template)
    parts: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(template):
        value = _variable_value(found.group(1), context)
        parts += [literal(template[position : found.start()])]
        parts += [_escape_value(value) if as_pattern else value]
        position = found.end()
    parts.append(literal(template[position:]))
    return "".join(parts)


def _variable_value(body: str, context: _Context) -> str:
    if body in _LITERAL_VARIABLES:
        return _LITERAL_VARIABLES[body]
    key, has_default, default = body.partition(",")
    value = context.get(key.strip().lower())
    if isinstance(value, str):
        return value
    default = default.strip()
    if has_default and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    # Missing, or multivalued (AWS does not allow multivalued keys as variables).
    raise _UnresolvedVariable(key)


def _normalize_context(context: Mapping[str, ContextValue]) -> _Context:
    normalized: _Context = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, str | bool | int | float):
            normalized[key.lower()] = _as_text(value, key)
        else:
            normalized[key.lower()] = tuple(_as_text(item, key) for item in value)
    return normalized


def _as_text(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"{where}: must be a string, boolean or number, got {type(value).__name__}")


# --- parsing -------------------------------------------------------------------------------


def _load_policy_set(
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None,
    permissions_boundary: str | PolicyDocument | None,
) -> _PolicySet:
    identity = tuple(
        statement
        for index, document in enumerate(identity_policies)
        for statement in _parse_document(document, f"identity_policies[{index}]")
    )
    boundary = (
        None
        if permissions_boundary is None
        else _parse_document(permissions_boundary, "permissions_boundary")
    )
    for statement in (*identity, *(boundary or ())):
        if statement.principals is not None:
            raise PolicyError(
                f"{statement.where}: identity-based policies and permissions boundaries cannot "
                "contain Principal or NotPrincipal"
            )
    resource = (
        () if resource_policy is None else _parse_document(resource_policy, "resource_policy")
    )
    for statement in resource:
        if statement.principals is None:
            raise PolicyError(f"{statement.where}: a resource-based policy needs Principal")
    return _PolicySet(identity=identity, resource=resource, boundary=boundary)


def _parse_document(document: str | PolicyDocument, where: str) -> tuple[_Statement, ...]:
    if isinstance(document, str):
        return _parse_text(document, where)
    return _parse_statements(_load_json(document, where), where)


@lru_cache(maxsize=4096)
def _parse_text(document: str, where: str) -> tuple[_Statement, ...]:
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


def _parse_statements(document: PolicyDocument, where: str) -> tuple[_Statement, ...]:
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


def _parse_statement(raw: object, where: str, *, uses_variables: bool) -> _Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _STATEMENT_ELEMENTS)
    if unknown:
        allowed = ", ".join(sorted(_STATEMENT_ELEMENTS))
        raise PolicyError(f"{where}: unknown element {unknown[0]!r}; allowed: {allowed}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'{where}.Effect: must be "Allow" or "Deny", got {effect!r}')
    actions, not_action = _one_of(raw, "Action", "NotAction", where)
    for action in actions:
        if action != "*" and not re.fullmatch(r"[A-Za-z0-9-]+:[^:]+", action):
            raise PolicyError(
                f"{where}: action must look like 'service:Action' or '*', got {action!r}"
            )
    resources, not_resource = _one_of(raw, "Resource", "NotResource", where)
    principals, not_principal = _parse_principal(raw, where)
    return _Statement(
        where=where,
        effect=effect,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=_parse_conditions(raw.get("Condition", {}), f"{where}.Condition"),
        uses_variables=uses_variables,
    )


def _one_of(
    raw: Mapping[str, Any], name: str, negated_name: str, where: str
) -> tuple[tuple[str, ...], bool]:
    present = [element for element in (name, negated_name) if element in raw]
    if len(present) != 1:
        got = " and ".join(present) or "neither"
        raise PolicyError(f"{where}: needs exactly one of {name} or {negated_name}, got {got}")
    element = present[0]
    return _strings(raw[element], f"{where}.{element}"), element == negated_name


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


def _parse_conditions(raw: object, where: str) -> tuple[_Condition, ...]:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: must be an object of operators, got {raw!r}")
    conditions: list[_Condition] = []
    for operator_name, block in raw.items():
        set_operator, base, negated, if_exists = _parse_operator(operator_name, where)
        if not isinstance(block, Mapping) or not block:
            raise PolicyError(
                f"{where}.{operator_name}: must be an object of condition keys, got {block!r}"
            )
        for key, values in block.items():
            key_where = f"{where}.{operator_name}.{key}"
            conditions.append(
                _Condition(
                    operator=operator_name,
                    base=base,
                    negated=negated,
                    if_exists=if_exists,
                    set_operator=set_operator,
                    key=key.lower(),
                    values=_condition_values(values, base, key_where),
                )
            )
    return tuple(conditions)


def _parse_operator(name: str, where: str) -> tuple[str | None, str, bool, bool]:
    """Split ``ForAnyValue:StringLikeIfExists`` into (set operator, base, negated, if_exists)."""
    prefix, _, rest = name.rpartition(":")
    if_exists = rest.endswith("IfExists")
    written = rest.removesuffix("IfExists")
    known = written in _POSITIVE or written in _NEGATED or written == "Null"
    if prefix not in ("", *_SET_OPERATORS) or not known:
        raise UnsupportedConditionOperatorError(
            f"{where}: unsupported condition operator {name!r}; supported: {_SUPPORTED_OPERATORS}, "
            "optionally with an IfExists suffix and a ForAnyValue: or ForAllValues: prefix"
        )
    if written == "Null" and (prefix or if_exists):
        raise UnsupportedConditionOperatorError(
            f"{where}: unsupported condition operator {name!r}; Null takes no prefix or suffix"
        )
    return prefix or None, _NEGATED.get(written, written), written in _NEGATED, if_exists


def _condition_values(values: object, base: str, where: str) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [values]
    if not items or not all(isinstance(item, str | bool | int | float) for item in items):
        raise PolicyError(f"{where}: must be a value or a non-empty list of values, got {values!r}")
    texts = tuple(_as_text(item, where) for item in items)
    for text in texts:
        if "${" in text:
            continue
        if base in ("Null", "Bool") and text.lower() not in ("true", "false"):
            raise PolicyError(f'{where}: {base} takes "true" or "false", got {text!r}')
        if base.startswith("Numeric") and not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise PolicyError(f"{where}: {base} takes numbers, got {text!r}")
    return texts
