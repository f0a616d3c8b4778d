"""Exact grants packed within IAM's inline and managed policy limits, never with a wildcard."""

from __future__ import annotations

import json

import pytest

from design.exceptions import PolicyTooLargeError
from design.grant_layout import estimated_arn_length, layout_grants, role_layout
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, compact, document, kms_via_secrets_manager


def names(count: int) -> list[str]:
    return [f"acme/prod/svc-secret-{index:04d}" for index in range(count)]


def fixed(account, key_arn):
    return [kms_via_secrets_manager(key_arn, account.region)]


def test_estimate_is_never_below_the_real_arn():
    name = "acme/prod/" + "x" * 200
    real = f"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:{name}-AbCdEf"

    assert estimated_arn_length(name) >= len(json.dumps(real)) + 1


def test_small_grants_stay_inline():
    layout = layout_grants(names(5), fixed_inline_size=300)

    assert layout.inline == tuple(names(5))
    assert layout.managed == ()


def test_three_hundred_secrets_spill_into_managed_policies_each_listed_once():
    layout = layout_grants(names(300), fixed_inline_size=300, managed_slots=9)

    placed = list(layout.inline) + [name for chunk in layout.managed for name in chunk]
    assert sorted(placed) == names(300)
    assert 1 <= len(layout.managed) <= 9
    assert sum(estimated_arn_length(name) for name in layout.inline) <= INLINE_LIMIT - 300
    for chunk in layout.managed:
        assert sum(estimated_arn_length(name) for name in chunk) <= MANAGED_LIMIT


def test_fails_when_iam_cannot_hold_the_grants():
    with pytest.raises(
        PolicyTooLargeError, match=r"2000 secrets need \d+ managed policies; IAM allows 9"
    ):
        layout_grants(names(2000), fixed_inline_size=300, managed_slots=9)


def test_role_layout_sizes_the_fixed_statements_at_the_widest_account():
    # GIVEN as many secrets as fit inline with nothing else in the policy
    count = len(layout_grants(names(300), fixed_inline_size=0).inline)
    seen = []

    def recorded(account, key_arn):
        seen.append((account, key_arn))
        return fixed(account, key_arn)

    # WHEN the role also has its fixed statements
    layout = role_layout(names(count), fixed=recorded, aws_managed=0)

    # THEN they are sized at the longest partition, region and key ARN, and take their room
    [(account, key_arn)] = seen
    real_key = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/" + "0" * 36
    assert account.partition == "aws-us-gov"
    assert len(account.region) >= len("ap-southeast-5") and len(key_arn) >= len(real_key)
    fixed_size = len(compact(document(fixed(account, key_arn))))
    assert layout == layout_grants(names(count), fixed_inline_size=fixed_size)
    assert layout.managed != ()


def test_role_layout_counts_the_aws_managed_policies_against_the_slots():
    layout = role_layout(names(300), fixed=fixed, aws_managed=1)
    slots = len(layout.managed)

    with pytest.raises(PolicyTooLargeError, match=f"IAM allows {slots - 1} more on this role"):
        role_layout(names(300), fixed=fixed, aws_managed=11 - slots)


def test_rejects_more_secrets_than_a_role_can_hold():
    with pytest.raises(PolicyTooLargeError):
        role_layout(names(1500), fixed=fixed, aws_managed=1)
