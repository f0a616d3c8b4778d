"""Tests for policies.logs: log groups encrypted with a CMK, a year of retention in prod."""

from __future__ import annotations

from typing import Any

import pytest

from policies.logs import LOG_GROUP, log_group_encrypted, prod_log_retention
from policies.model import Opaque, Resource

KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def _group(**props: Any) -> Resource:
    return Resource(
        type=LOG_GROUP, urn="urn:pulumi:prod::app-secrets::logs", name="logs", props=props
    )


@pytest.mark.parametrize("key", [KEY, Opaque.UNKNOWN])
def test_an_encrypted_log_group_passes(key: Any) -> None:
    assert log_group_encrypted(_group(kmsKeyId=key)) == []


@pytest.mark.parametrize("props", [{}, {"kmsKeyId": ""}, {"kmsKeyId": None}])
def test_fails_a_log_group_without_a_customer_managed_key(props: dict[str, Any]) -> None:
    [violation] = log_group_encrypted(_group(**props))

    assert violation.rule == "log-group-encrypted-with-cmk"
    assert "kms_key_id" in violation.fix


@pytest.mark.parametrize(
    "props",
    [
        {"tags": {"Environment": "prod"}, "retentionInDays": 365},
        {"tags": {"Environment": "prod"}, "retentionInDays": 3653},
        {"tags": {"Environment": "prod"}, "retentionInDays": 0},
        {"tags": {"Environment": "prod"}, "retentionInDays": Opaque.UNKNOWN},
        {"tags": {"Environment": "dev"}, "retentionInDays": 30},
    ],
)
def test_prod_groups_kept_a_year_and_other_environments_pass(props: dict[str, Any]) -> None:
    assert prod_log_retention(_group(**props)) == []


@pytest.mark.parametrize("days", [30, 364, None])
def test_fails_a_prod_log_group_kept_less_than_a_year(days: Any) -> None:
    props: dict[str, Any] = {"tags": {"Environment": "prod"}}
    if days is not None:
        props["retentionInDays"] = days

    [violation] = prod_log_retention(_group(**props))

    assert violation.rule == "prod-log-retention-one-year"
    assert "365" in violation.message
