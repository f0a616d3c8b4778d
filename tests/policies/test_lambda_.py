"""Tests for policies.lambda_: the rotation Lambda's invoke permission."""

from __future__ import annotations

from typing import Any

import pytest

from policies.lambda_ import (
    FUNCTION,
    PERMISSION,
    lambda_concurrency_limited,
    rotation_permission_source_account,
)
from policies.model import Opaque, Resource


def _permission(**props: Any) -> Resource:
    defaults = {"action": "lambda:InvokeFunction", "function": "rotator", **props}
    return Resource(
        type=PERMISSION, urn="urn:pulumi:dev::app-secrets::perm", name="perm", props=defaults
    )


@pytest.mark.parametrize(
    "props",
    [
        {"principal": "secretsmanager.amazonaws.com", "sourceAccount": "123456789012"},
        {"principal": "secretsmanager.amazonaws.com", "sourceAccount": Opaque.UNKNOWN},
        {"principal": "events.amazonaws.com"},
    ],
)
def test_permission_limited_to_this_account_passes(props: dict[str, Any]) -> None:
    assert rotation_permission_source_account(_permission(**props)) == []


@pytest.mark.parametrize("account", [None, "", "  "])
def test_fails_secrets_manager_permission_without_source_account(account: Any) -> None:
    props = {"principal": "secretsmanager.amazonaws.com"}
    if account is not None:
        props["sourceAccount"] = account

    [violation] = rotation_permission_source_account(_permission(**props))

    assert "confused-deputy" in violation.message
    assert violation.rule == "rotation-permission-source-account" and violation.mandatory


def _function(**props: Any) -> Resource:
    return Resource(type=FUNCTION, urn="urn:pulumi:dev::app-secrets::fn", name="fn", props=props)


@pytest.mark.parametrize("reserved", [1, 5, Opaque.UNKNOWN])
def test_a_function_with_reserved_concurrency_passes(reserved: Any) -> None:
    assert lambda_concurrency_limited(_function(reservedConcurrentExecutions=reserved)) == []


@pytest.mark.parametrize(
    "props", [{}, {"reservedConcurrentExecutions": -1}, {"reservedConcurrentExecutions": 0}]
)
def test_fails_a_function_without_a_positive_concurrency_limit(props: dict[str, Any]) -> None:
    [violation] = lambda_concurrency_limited(_function(**props))

    assert violation.rule == "lambda-concurrency-limited"
