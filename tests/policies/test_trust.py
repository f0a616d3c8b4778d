"""Tests for policies.trust: no public principals, GitHub OIDC pinned to one repository."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.iam import ROLE
from policies.model import Opaque, Resource
from policies.trust import github_oidc_trust_pinned, trust_no_public_principal

GITHUB_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"


def _role(*statements: dict[str, Any]) -> Resource:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(
        type=ROLE,
        urn=f"urn:pulumi:dev::app-secrets::{ROLE}::ci-deploy",
        name="ci-deploy",
        props={"assumeRolePolicy": policy},
    )


def _trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}


def _github(condition: dict[str, Any] | None) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": GITHUB_PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _pinned(sub: Any, operator: str = "StringLike") -> dict[str, Any]:
    condition: dict[str, Any] = {"StringEquals": {AUD: "sts.amazonaws.com"}}
    condition.setdefault(operator, {})[SUB] = sub
    return condition


# --- trust-no-public-principal --------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        {"Service": "ecs-tasks.amazonaws.com"},
        {"Service": ["lambda.amazonaws.com"]},
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"Federated": GITHUB_PROVIDER},
    ],
)
def test_specific_principals_pass(principal: Any) -> None:
    assert trust_no_public_principal(_role(_trust(principal))) == []


def test_public_principal_in_deny_passes() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}

    assert trust_no_public_principal(_role(deny)) == []


def test_unknown_trust_policy_is_not_reported() -> None:
    role = Resource(type=ROLE, urn="u", name="n", props={"assumeRolePolicy": Opaque.UNKNOWN})

    assert trust_no_public_principal(role) == []


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::123456789012:root", "*"]}]
)
def test_rejects_public_principal(principal: Any) -> None:
    [violation] = trust_no_public_principal(_role(_trust(principal)))

    assert "any AWS account can assume the role" in violation.message
    assert violation.rule == "trust-no-public-principal" and violation.mandatory


def test_rejects_not_principal_in_allow() -> None:
    statement = {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:x"}, "Action": "sts:AssumeRole"}

    [violation] = trust_no_public_principal(_role(statement))

    assert "everyone except its NotPrincipal" in violation.message


def test_rejects_unreadable_trust_policy() -> None:
    role = Resource(type=ROLE, urn="u", name="n", props={"assumeRolePolicy": "not json"})

    [violation] = trust_no_public_principal(role)

    assert "assumeRolePolicy cannot be checked" in violation.message


# --- github-oidc-trust-pinned ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "operator"),
    [
        ("repo:acme/app:environment:prod", "StringEquals"),
        ("repo:acme/app:ref:refs/heads/*", "StringLike"),
        (["repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod"], "StringLike"),
        ("repo:acme@123/app@456:environment:prod", "StringEquals"),  # GitHub's immutable form
    ],
)
def test_github_trust_pinned_to_one_repository_passes(sub: Any, operator: str) -> None:
    assert github_oidc_trust_pinned(_role(_github(_pinned(sub, operator)))) == []


def test_condition_keys_are_case_insensitive() -> None:
    condition = {
        "StringEquals": {AUD.upper(): "sts.amazonaws.com"},
        "StringLike": {SUB.upper(): "repo:acme/app:*"},
    }

    assert github_oidc_trust_pinned(_role(_github(condition))) == []


def test_non_github_roles_are_ignored() -> None:
    assert github_oidc_trust_pinned(_role(_trust({"Service": "lambda.amazonaws.com"}))) == []


@pytest.mark.parametrize(
    "sub",
    ["*", "repo:acme/*", "repo:acme/*:*", "repo:*/app:ref:refs/heads/main", "repo:acme/ap?:x"],
)
def test_rejects_wildcard_owner_or_repository(sub: str) -> None:
    [violation] = github_oidc_trust_pinned(_role(_github(_pinned(sub))))

    assert "owner and repository must be literal" in violation.message
    assert violation.rule == "github-oidc-trust-pinned" and violation.mandatory


def test_rejects_github_trust_without_sub_condition() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}}

    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert "any repository's workflow" in violation.message


def test_rejects_sub_tested_with_other_operators() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}, "StringNotEquals": {SUB: "x"}}

    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert f"does not test {SUB}" in violation.message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {SUB: "repo:acme/app:*"}},
        {"StringLike": {SUB: "repo:acme/app:*", AUD: "*"}},
        {"StringEquals": {AUD: "https://github.com/acme"}, "StringLike": {SUB: "repo:acme/app:*"}},
    ],
)
def test_rejects_github_trust_without_sts_audience(condition: dict[str, Any]) -> None:
    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert f"does not require {AUD} = sts.amazonaws.com" in violation.message


def test_rejects_github_trust_without_any_condition_twice() -> None:
    violations = github_oidc_trust_pinned(_role(_github(None)))

    assert len(violations) == 2  # neither sub nor aud
