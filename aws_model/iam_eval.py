"""Decide whether IAM policies allow a request, following AWS evaluation logic in one account."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .exceptions import PolicyError
from .iam_actions import STAR_RESOURCE_ACTIONS
from .iam_conditions import condition_holds
from .iam_patterns import Context, ContextValue, UnresolvedVariable, normalize_context
from .iam_policy import PolicyDocument, Statement, action_matches, parse_document, resource_matches

__all__ = ["Decision", "Request", "allowed_actions", "evaluate"]

_STAR_RESOURCE_ACTIONS_BY_KEY = {action.lower(): action for action in STAR_RESOURCE_ACTIONS}


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


@dataclass(frozen=True)
class _PolicySet:
    identity: tuple[Statement, ...]
    resource: tuple[Statement, ...]
    boundary: tuple[Statement, ...] | None


class _Grant(enum.IntEnum):
    """What a resource-policy Allow gives the caller, weakest first."""

    # Does not name the caller, or names only its account (delegates to identity policies).
    NONE = 0
    ROLE = 1  # Names the role ARN: limited by an implicit deny in the permissions boundary.
    DIRECT = 2  # Names the user, the session or "*": not limited by identity policies or boundary.


class _Match(enum.Enum):
    WILDCARD = "wildcard"
    EXACT = "exact"
    ACCOUNT = "account"


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None = None,
    permissions_boundary: str | PolicyDocument | None = None,
) -> Decision:
    """Decide one request the way AWS does for a principal and resource in the same account."""
    policies = _load_policy_set(
        identity_policies,
        resource_policy=resource_policy,
        permissions_boundary=permissions_boundary,
    )
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
    policies = _load_policy_set(
        identity_policies,
        resource_policy=resource_policy,
        permissions_boundary=permissions_boundary,
    )
    normalized = normalize_context(context)
    allows = [s for s in (*policies.identity, *policies.resource) if s.effect == "Allow"]

    def is_allowed(action: str) -> bool:
        if not any(action_matches(statement, action) for statement in allows):
            return False
        request = Request(
            principal_arn=principal_arn, action=action, resource_arn=resource_arn, context=context
        )
        return _decide(request, policies, context=normalized) is Decision.ALLOW

    return sorted({action for action in actions if is_allowed(action)})


def _load_policy_set(
    identity_policies: Sequence[str | PolicyDocument],
    *,
    resource_policy: str | PolicyDocument | None,
    permissions_boundary: str | PolicyDocument | None,
) -> _PolicySet:
    identity = tuple(
        statement
        for index, document in enumerate(identity_policies)
        for statement in parse_document(document, f"identity_policies[{index}]")
    )
    boundary = (
        None
        if permissions_boundary is None
        else parse_document(permissions_boundary, "permissions_boundary")
    )
    for statement in (*identity, *(boundary or ())):
        if statement.principals is not None:
            raise PolicyError(
                f"{statement.where}: identity-based policies and permissions boundaries cannot "
                "contain Principal or NotPrincipal"
            )
    resource = () if resource_policy is None else parse_document(resource_policy, "resource_policy")
    for statement in resource:
        if statement.principals is None:
            raise PolicyError(f"{statement.where}: a resource-based policy needs Principal")
    return _PolicySet(identity=identity, resource=resource, boundary=boundary)


def _explicitly_denied(
    policies: _PolicySet, request: Request, applies: Callable[[Statement], bool]
) -> bool:
    """A Deny that applies, anywhere: identity, boundary, or a resource policy that reaches the
    caller. It wins over every Allow, in the same account or across accounts."""
    has_boundary = policies.boundary is not None
    return any(
        s.effect == "Deny" and applies(s) for s in (*policies.identity, *(policies.boundary or ()))
    ) or any(
        s.effect == "Deny"
        and _deny_reaches(s, request.principal_arn, has_boundary=has_boundary)
        and applies(s)
        for s in policies.resource
    )


def _decide(request: Request, policies: _PolicySet, *, context: Context | None = None) -> Decision:
    _check_request(request)
    if context is None:
        context = normalize_context(request.context)

    def applies(statement: Statement) -> bool:
        return _statement_applies(statement, request, context=context)

    has_boundary = policies.boundary is not None
    boundary = policies.boundary or ()
    if _explicitly_denied(policies, request, applies):
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


def _statement_applies(statement: Statement, request: Request, *, context: Context) -> bool:
    try:
        return (
            action_matches(statement, request.action)
            and resource_matches(statement, request.resource_arn, context=context)
            and all(
                condition_holds(condition, context, uses_variables=statement.uses_variables)
                for condition in statement.conditions
            )
        )
    except UnresolvedVariable:
        return False


def _check_request(request: Request) -> None:
    """Reject requests AWS cannot make, rather than answer them wrongly."""
    _check_resource_level(request.action, request.resource_arn)
    _check_same_account(request.principal_arn, request.resource_arn)


def _check_resource_level(action: str, resource_arn: str) -> None:
    star_action = _STAR_RESOURCE_ACTIONS_BY_KEY.get(action.lower())
    if star_action and resource_arn != "*":
        raise ValueError(
            f"{star_action} has no resource-level permissions: evaluate it with resource_arn '*', "
            f"got {resource_arn!r}"
        )


def _check_same_account(principal_arn: str, resource_arn: str) -> None:
    principal_account = _account_of(principal_arn)
    resource_account = _account_of(resource_arn)
    if principal_account and resource_account and principal_account != resource_account:
        raise ValueError(
            f"cross-account requests are not supported: principal {principal_arn!r} is in "
            f"account {principal_account}, resource {resource_arn!r} in {resource_account}"
        )


# --- principals ----------------------------------------------------------------------------


def _match_levels(statement: Statement, principal_arn: str) -> set[_Match]:
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


def _deny_reaches(statement: Statement, principal_arn: str, *, has_boundary: bool) -> bool:
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


def _resource_grant(statement: Statement, principal_arn: str) -> _Grant:
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
