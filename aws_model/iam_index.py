"""Many requests at once: iam_eval's decisions for each principal and resource, indexed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .iam_conditions import condition_holds
from .iam_eval import (
    _STAR_RESOURCE_ACTIONS_BY_KEY,
    _check_resource_level,
    _check_same_account,
    _deny_reaches,
    _Grant,
    _load_policy_set,
    _resource_grant,
)
from .iam_patterns import Context, UnresolvedVariable
from .iam_policy import (
    PolicyDocument,
    Statement,
    action_matches,
    literal_resource_matches,
    resource_matches,
    resources_use_context,
)

__all__ = ["PrincipalPolicies", "RequestIndex"]


@dataclass(frozen=True)
class _Indexed:
    """A statement with what can be known of it before a request: which of the index's actions
    it names (a bit each), and, without policy variables, which of its resources it matches."""

    statement: Statement
    action_bits: int
    matched: frozenset[str] | None
    """None: the Resource holds policy variables, so it is matched per request context."""


@dataclass(frozen=True)
class _StatementSet:
    """Identity policies, or a permissions boundary: their statements that name an action."""

    entries: tuple[_Indexed, ...]
    fixed: Mapping[str, tuple[int, int]]
    """Resource ARN -> (denied, allowed) bits of the statements without Condition or policy
    variables: those apply to a resource whatever the request context."""
    contextual: tuple[_Indexed, ...]
    """The other statements, decided per request."""
    allow_bits: int
    """The actions that some Allow names."""

    def decided(self, resource_arn: str, context: Context) -> tuple[int, int]:
        """(denied, allowed) bits of the statements that apply to this request."""
        denied, allowed = self.fixed.get(resource_arn, (0, 0))
        for entry in self.contextual:
            if _applies(entry, resource_arn, context):
                if entry.statement.effect == "Deny":
                    denied |= entry.action_bits
                else:
                    allowed |= entry.action_bits
        return denied, allowed


@dataclass(frozen=True)
class PrincipalPolicies:
    """One principal's identity policies and permissions boundary, indexed once."""

    principal_arn: str
    identity: _StatementSet
    boundary: _StatementSet | None
    """None: the principal has no permissions boundary."""


class RequestIndex:
    """The actions and the resources a report asks about, and what it learned of each statement.

    `allowed_actions` answers exactly what `iam_eval.allowed_actions` answers for the same
    request; it only does less work, because the same statements recur for every resource.
    """

    def __init__(
        self,
        actions: Iterable[str],
        resource_policies: Mapping[str, str | PolicyDocument | None],
    ) -> None:
        """`resource_policies`: each resource's ARN and its policy (None: it has none)."""
        self.actions = tuple(dict.fromkeys(actions))
        self._sorted_arns = sorted(resource_policies)
        self._arns = frozenset(self._sorted_arns)
        self._all_bits = (1 << len(self.actions)) - 1
        self._star_bits = sum(
            1 << bit
            for bit, action in enumerate(self.actions)
            if action.lower() in _STAR_RESOURCE_ACTIONS_BY_KEY
        )
        self._statements: dict[Statement, _Indexed] = {}
        self._boundaries: dict[str, _StatementSet] = {}
        self._parsed: dict[str, tuple[_Indexed, ...]] = {}
        self._resource_policy: dict[str, tuple[_Indexed, ...]] = {}
        self._sharing: dict[int, list[str]] = {}
        """The ARNs by the policy they have, keyed by id() of the parsed (shared) statements."""
        for resource_arn, document in resource_policies.items():
            parsed = self._parse_resource_policy(document)
            self._resource_policy[resource_arn] = parsed
            self._sharing.setdefault(id(parsed), []).append(resource_arn)

    def principal(
        self,
        principal_arn: str,
        *,
        identity_policies: Sequence[str | PolicyDocument],
        permissions_boundary: str | PolicyDocument | None = None,
    ) -> PrincipalPolicies:
        """Parse and check the principal's policies once, as iam_eval would for each request."""
        policies = _load_policy_set(
            identity_policies, resource_policy=None, permissions_boundary=permissions_boundary
        )
        boundary = None
        if isinstance(permissions_boundary, str):
            # Most roles share one boundary: index it once.
            if permissions_boundary not in self._boundaries:
                self._boundaries[permissions_boundary] = self._statement_set(policies.boundary)
            boundary = self._boundaries[permissions_boundary]
        elif policies.boundary is not None:
            boundary = self._statement_set(policies.boundary)
        return PrincipalPolicies(
            principal_arn=principal_arn,
            identity=self._statement_set(policies.identity),
            boundary=boundary,
        )

    def reachable(self, principal: PrincipalPolicies) -> frozenset[str]:
        """The resources on which some Allow could apply to the principal: its identity Allows'
        resources, and those whose resource policy grants to it. On every other resource each
        action is denied implicitly, whatever the context."""
        reached: set[str] = set()
        for entry in principal.identity.entries:
            if entry.statement.effect == "Allow":
                reached |= self._arns if entry.matched is None else entry.matched
        for resource_arns in self._sharing.values():
            if any(
                entry.statement.effect == "Allow"
                and _resource_grant(entry.statement, principal.principal_arn) is not _Grant.NONE
                for entry in self._resource_policy[resource_arns[0]]
            ):
                reached.update(resource_arns)
        return frozenset(reached)

    def allowed_actions(
        self,
        principal: PrincipalPolicies,
        *,
        resource_arn: str,
        context: Context,
    ) -> list[str]:
        """The index's actions, sorted, that evaluate to ALLOW: iam_eval's rules over bits.

        `context` is normalized (iam_patterns.normalize_context), so that a caller can build it
        from parts it normalized once. Each statement is matched against the resource and the
        context once, not per action.
        """
        if resource_arn not in self._arns:
            raise ValueError(f"{resource_arn!r} is not one of the index's resources")
        resource = self._resource_policy[resource_arn]
        self._check(principal, resource_arn=resource_arn, resource=resource)
        denied, identity = principal.identity.decided(resource_arn, context)
        boundary = self._all_bits
        if principal.boundary is not None:
            boundary_denied, boundary = principal.boundary.decided(resource_arn, context)
            denied |= boundary_denied
        granted_to_role = granted_directly = 0
        for entry in resource:
            statement = entry.statement
            if not _applies(entry, resource_arn, context):
                continue
            if statement.effect == "Deny":
                if _deny_reaches(
                    statement, principal.principal_arn, has_boundary=principal.boundary is not None
                ):
                    denied |= entry.action_bits
                continue
            grant = _resource_grant(statement, principal.principal_arn)
            if grant is _Grant.DIRECT:
                granted_directly |= entry.action_bits
            elif grant is _Grant.ROLE:
                granted_to_role |= entry.action_bits
        allowed = (granted_directly | (boundary & (identity | granted_to_role))) & ~denied
        return sorted(action for bit, action in enumerate(self.actions) if allowed >> bit & 1)

    def _check(
        self, principal: PrincipalPolicies, *, resource_arn: str, resource: tuple[_Indexed, ...]
    ) -> None:
        """iam_eval's request checks, in its order, for the actions some Allow names: those are
        the ones it decides (and checks); it denies the others without looking."""
        named = principal.identity.allow_bits
        for entry in resource:
            if entry.statement.effect == "Allow":
                named |= entry.action_bits
        if not named & self._star_bits:
            if named:
                _check_same_account(principal.principal_arn, resource_arn)
            return
        checked_accounts = False
        for bit, action in enumerate(self.actions):
            if named >> bit & 1:
                _check_resource_level(action, resource_arn)
                if not checked_accounts:
                    _check_same_account(principal.principal_arn, resource_arn)
                    checked_accounts = True

    def _relevant(self, statements: Iterable[Statement]) -> tuple[_Indexed, ...]:
        """The statements that name at least one of the index's actions; the others never apply."""
        indexed = (self._indexed(statement) for statement in statements)
        return tuple(entry for entry in indexed if entry.action_bits)

    def _statement_set(self, statements: Iterable[Statement]) -> _StatementSet:
        entries = self._relevant(statements)
        fixed: dict[str, tuple[int, int]] = {}
        contextual = []
        for entry in entries:
            if entry.matched is None or entry.statement.conditions:
                contextual.append(entry)
                continue
            is_deny = entry.statement.effect == "Deny"
            for resource_arn in entry.matched:
                denied, allowed = fixed.get(resource_arn, (0, 0))
                if is_deny:
                    fixed[resource_arn] = (denied | entry.action_bits, allowed)
                else:
                    fixed[resource_arn] = (denied, allowed | entry.action_bits)
        allow_bits = 0
        for entry in entries:
            if entry.statement.effect == "Allow":
                allow_bits |= entry.action_bits
        return _StatementSet(
            entries=entries, fixed=fixed, contextual=tuple(contextual), allow_bits=allow_bits
        )

    def _indexed(self, statement: Statement) -> _Indexed:
        if statement not in self._statements:
            bits = sum(
                1 << bit
                for bit, action in enumerate(self.actions)
                if action_matches(statement, action)
            )
            matched = (
                None
                if resources_use_context(statement) or not bits
                else literal_resource_matches(statement, self._sorted_arns)
            )
            self._statements[statement] = _Indexed(statement, bits, matched)
        return self._statements[statement]

    def _parse_resource_policy(self, document: str | PolicyDocument | None) -> tuple[_Indexed, ...]:
        """Parsed and checked once per document text: a stack gives many secrets the same."""
        if document is None:
            return ()
        if isinstance(document, str) and document in self._parsed:
            return self._parsed[document]
        parsed = _load_policy_set((), resource_policy=document, permissions_boundary=None)
        relevant = self._relevant(parsed.resource)
        if isinstance(document, str):
            self._parsed[document] = relevant
        return relevant


def _applies(entry: _Indexed, resource_arn: str, context: Context) -> bool:
    """iam_eval's `_statement_applies` without the action, which the bits already hold."""
    statement = entry.statement
    try:
        if entry.matched is None:
            if not resource_matches(statement, resource_arn, context=context):
                return False
        elif resource_arn not in entry.matched:
            return False
        return all(
            condition_holds(condition, context, uses_variables=statement.uses_variables)
            for condition in statement.conditions
        )
    except UnresolvedVariable:
        return False
