"""Decide a request from another account: both accounts' policies must allow it (AWS's rule)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .iam_eval import (
    Decision,
    Request,
    _account_of,
    _explicitly_denied,
    _load_policy_set,
    _Match,
    _match_levels,
    _statement_applies,
)
from .iam_patterns import ContextValue, normalize_context
from .iam_policy import PolicyDocument

__all__ = ["cross_account_allowed_actions", "evaluate_cross_account"]


def evaluate_cross_account(
    request: Request,
    *,
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None,
    permissions_boundary: str | PolicyDocument | None = None,
) -> Decision:
    """A caller of one account on a resource (a secret, a key) of another.

    AWS: the caller's identity policies (within its boundary) must allow the request AND the
    resource's policy must allow it to the caller, by its ARN, its account or `*`; a resource
    policy never suffices alone across accounts. An explicit Deny in any of them wins.
    """
    caller = _account_of(request.principal_arn)
    owner = _account_of(request.resource_arn)
    if not caller or (owner and caller == owner):
        raise ValueError(
            f"not a cross-account request: principal {request.principal_arn!r}, resource "
            f"{request.resource_arn!r}; use aws_model.iam_eval.evaluate"
        )
    policies = _load_policy_set(
        identity_policies,
        resource_policy=resource_policy,
        permissions_boundary=permissions_boundary,
    )
    context = normalize_context(request.context)

    def applies(statement) -> bool:
        return _statement_applies(statement, request, context=context)

    has_boundary = policies.boundary is not None
    boundary = policies.boundary or ()
    if _explicitly_denied(policies, request, applies):
        return Decision.EXPLICIT_DENY
    identity_allows = any(s.effect == "Allow" and applies(s) for s in policies.identity)
    boundary_allows = not has_boundary or any(s.effect == "Allow" and applies(s) for s in boundary)
    resource_allows = any(
        s.effect == "Allow" and _names_caller(s, request.principal_arn) and applies(s)
        for s in policies.resource
    )
    if identity_allows and boundary_allows and resource_allows:
        return Decision.ALLOW
    return Decision.IMPLICIT_DENY


def cross_account_allowed_actions(
    actions: Iterable[str],
    *,
    principal_arn: str,
    resource_arn: str,
    context: Mapping[str, ContextValue],
    identity_policies: Sequence[str | PolicyDocument],
    resource_policy: str | PolicyDocument | None,
) -> list[str]:
    """The actions, sorted, that evaluate to ALLOW for this caller of another account."""
    return sorted(
        {
            action
            for action in actions
            if evaluate_cross_account(
                Request(
                    principal_arn=principal_arn,
                    action=action,
                    resource_arn=resource_arn,
                    context=context,
                ),
                identity_policies=identity_policies,
                resource_policy=resource_policy,
            )
            is Decision.ALLOW
        }
    )


def _names_caller(statement, principal_arn: str) -> bool:
    """Whether a resource-policy Allow names the caller: its ARN, its account's root, or `*`."""
    levels = _match_levels(statement, principal_arn)
    if statement.not_principal:
        return not levels
    return bool(levels & {_Match.WILDCARD, _Match.EXACT, _Match.ACCOUNT})
