"""How a role's exact secret grants are packed into IAM's inline and managed policy limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from design.arns import Account
from design.exceptions import PolicyTooLargeError
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, MANAGED_PER_ROLE, compact, document

FixedStatements = Callable[[Account, str], list[dict]]
"""Builds a role's other statements from the account and the stack key ARN."""

_LONGEST_ARN_HEAD = "arn:aws-us-gov:secretsmanager:xx-xxxxxxxxx-99:000000000000:secret:"
"""The longest partition and region AWS has: size estimates never fall short of the real ARN."""


def estimated_arn_length(full_name: str) -> int:
    """Characters a secret's ARN takes in a policy: quotes, comma and the 6-character suffix."""
    return len(_LONGEST_ARN_HEAD) + len(full_name) + len("-XXXXXX") + 3


@dataclass(frozen=True)
class GrantLayout:
    """Which secrets go in the role's inline policy and which in each managed policy."""

    inline: tuple[str, ...]
    managed: tuple[tuple[str, ...], ...]


def layout_grants(
    full_names: Sequence[str],
    *,
    fixed_inline_size: int,
    statement_overhead: int = 200,
    managed_slots: int = MANAGED_PER_ROLE,
    copies: Mapping[str, int] | None = None,
) -> GrantLayout:
    """Packs a role's secret ARNs: the inline policy first, then managed policies.

    Every secret stays listed by its exact ARN, so nothing beyond the set is granted. Sizes are
    estimated from the longest possible ARN, so the real documents are never larger. A name in
    `copies` is listed that many times (the primary and its replicas' ARNs).
    """
    inline: list[str] = []
    managed: list[list[str]] = []
    inline_room = INLINE_LIMIT - fixed_inline_size - statement_overhead
    managed_room = 0
    for name in sorted(full_names):
        size = estimated_arn_length(name) * (copies or {}).get(name, 1)
        if size <= inline_room and not managed:
            inline.append(name)
            inline_room -= size
            continue
        if size > managed_room:
            managed.append([])
            managed_room = MANAGED_LIMIT - statement_overhead
        managed[-1].append(name)
        managed_room -= size
    if len(managed) > managed_slots:
        raise PolicyTooLargeError(
            f"{len(full_names)} secrets need {len(managed)} managed policies; "
            f"IAM allows {managed_slots} more on this role"
        )
    return GrantLayout(inline=tuple(inline), managed=tuple(tuple(chunk) for chunk in managed))


_WIDEST_ACCOUNT = Account(partition="aws-us-gov", region="xx-xxxxxxxxx-99", account_id="0" * 12)
_WIDEST_KEY_ARN = "arn:aws-us-gov:kms:xx-xxxxxxxxx-99:000000000000:key/" + "0" * 36


def role_layout(
    full_names: Sequence[str],
    *,
    fixed: FixedStatements | None,
    aws_managed: int,
    copies: Mapping[str, int] | None = None,
) -> GrantLayout:
    """Where each granted ARN goes; raises PolicyTooLargeError when IAM cannot hold them."""
    fixed_size = len(compact(document(fixed(_WIDEST_ACCOUNT, _WIDEST_KEY_ARN)))) if fixed else 0
    return layout_grants(
        full_names,
        fixed_inline_size=fixed_size,
        managed_slots=MANAGED_PER_ROLE - aws_managed,
        copies=copies,
    )
