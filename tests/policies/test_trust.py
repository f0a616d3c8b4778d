"""Tests for policies.trust: no public principals, GitHub OIDC pinned to one repository."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from design.naming import CI_ROLE_PATH
from policies import evaluate, resources_from_plan
from policies.iam import ROLE
from policies.model import Opaque, Resource
from policies.trust import github_oidc_trust_pinned, trust_no_public_principal
from secretsctl.plan import build_plan

GITHUB_HOST = "token.actions.githubusercontent.com"

GITHUB_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{GITHUB_HOST}"
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


def _pinned(sub: Any) -> dict[str, Any]:
    return {"StringEquals": {AUD: "sts.amazonaws.com", SUB: sub}}


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
    "sub",
    [
        "repo:acme/app:environment:prod",
        "repo:acme/app:ref:refs/heads/main",
        "repo:acme/app:pull_request",
        ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod"],
        "repo:acme@123/app@456:environment:prod",  # GitHub's immutable form
    ],
)
def test_github_trust_pinned_to_one_repository_passes(sub: Any) -> None:
    assert github_oidc_trust_pinned(_role(_github(_pinned(sub)))) == []


def test_condition_keys_are_case_insensitive() -> None:
    condition = {"StringEquals": {AUD.upper(): "sts.amazonaws.com", SUB.upper(): "repo:a/b:c"}}

    assert github_oidc_trust_pinned(_role(_github(condition))) == []


def test_non_github_roles_are_ignored() -> None:
    assert github_oidc_trust_pinned(_role(_trust({"Service": "lambda.amazonaws.com"}))) == []


@pytest.mark.parametrize("operator", ["StringLike", "ForAnyValue:StringLike", "stringlike"])
@pytest.mark.parametrize(
    "sub", ["repo:acme/app:ref:refs/heads/*", "repo:acme/app:pull_request", "repo:*"]
)
def test_rejects_sub_tested_with_string_like(operator: str, sub: str) -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}, operator: {SUB: sub}}

    violations = github_oidc_trust_pinned(_role(_github(condition)))

    assert f"tests {SUB} with {operator}, which matches patterns" in violations[0].message
    assert violations[0].rule == "github-oidc-trust-pinned" and violations[0].mandatory


@pytest.mark.parametrize(
    "sub",
    [
        "*",
        "repo:*",
        "repo:acme/*",
        "repo:acme/*:*",
        "repo:*/app:ref:refs/heads/main",
        "repo:acme/ap?:x",
        "repo:acme/app:ref:refs/heads/release-*",
        "repo:acme/app",
    ],
)
def test_rejects_a_wildcard_or_partial_subject_even_with_string_equals(sub: str) -> None:
    [violation] = github_oidc_trust_pinned(_role(_github(_pinned(sub))))

    assert "repo:OWNER/REPO:CONTEXT, every part literal, with no wildcard" in violation.message


def test_rejects_subjects_of_two_repositories() -> None:
    subjects = ["repo:acme/app:pull_request", "repo:acme/other:pull_request"]

    [violation] = github_oidc_trust_pinned(_role(_github(_pinned(subjects))))

    assert "name 2 repositories (acme/app, acme/other): trust exactly one" in violation.message


def test_rejects_github_trust_without_sub_condition() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}}

    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert "any repository's workflow" in violation.message


def test_rejects_sub_tested_with_other_operators() -> None:
    condition = {"StringEquals": {AUD: "sts.amazonaws.com"}, "StringNotEquals": {SUB: "x"}}

    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert f"does not test {SUB} with StringEquals" in violation.message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {SUB: "repo:acme/app:pull_request"}},
        {"StringEquals": {SUB: "repo:acme/app:pull_request", AUD: "*"}},
        {"StringEquals": {SUB: "repo:acme/app:pull_request", AUD: "https://github.com/acme"}},
        {"StringEquals": {SUB: "repo:acme/app:x"}, "StringLike": {AUD: "sts.amazonaws.com"}},
    ],
)
def test_rejects_github_trust_without_sts_audience(condition: dict[str, Any]) -> None:
    [violation] = github_oidc_trust_pinned(_role(_github(condition)))

    assert f"does not require {AUD} = sts.amazonaws.com" in violation.message


def test_rejects_github_trust_without_any_condition_twice() -> None:
    violations = github_oidc_trust_pinned(_role(_github(None)))

    assert len(violations) == 2  # neither sub nor aud


@pytest.mark.parametrize(
    "federated",
    [
        "${GitHubProvider}",  # a variable
        Opaque.UNKNOWN,  # an Output not known until deployment
        "arn:aws:iam::123456789012:oidc-provider/ci-github",  # another spelling
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme",
    ],
)
def test_recognises_github_trust_by_its_condition_keys(federated: Any) -> None:
    # GIVEN a trust whose principal does not say GitHub, but whose condition tests its claims
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:*"}},
    }
    role = Resource(
        type=ROLE,
        urn="u",
        name="n",
        props={"assumeRolePolicy": {"Version": "2012-10-17", "Statement": [statement]}},
    )

    # WHEN / THEN it is judged as GitHub trust
    [violation] = github_oidc_trust_pinned(role)

    assert "trusts GitHub Actions but tests" in violation.message


def test_recognises_an_enterprise_issuers_claims() -> None:
    key = "token.actions.githubusercontent.com/acme:sub"
    statement = _trust({"Federated": "x"}, Condition={"StringLike": {key: "repo:*"}})

    assert len(github_oidc_trust_pinned(_role(statement))) == 2  # StringLike sub, no aud


def test_a_deny_on_github_claims_is_not_trust() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}
    deny["Condition"] = {"StringLike": {SUB: "repo:*"}}

    assert github_oidc_trust_pinned(_role(deny)) == []


# --- the rule on the planned CI roles -----------------------------------------------------


def _ci_roles(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        resource
        for resource in plan["resources"]
        if resource["type"] == ROLE and resource["inputs"]["path"] == CI_ROLE_PATH
    ]


def _widened(plan: dict[str, Any], *, operator: str, federated: str | None) -> dict[str, Any]:
    """The plan with every CI role trusting `repo:*`, in its inputs and its outputs."""
    widened = copy.deepcopy(plan)
    for role in _ci_roles(widened):
        trust = json.loads(role["inputs"]["assumeRolePolicy"])
        for statement in trust["Statement"]:
            statement["Condition"]["StringEquals"].pop(SUB)
            statement["Condition"].setdefault(operator, {})[SUB] = "repo:*"
            if federated is not None:
                statement["Principal"]["Federated"] = federated
        role["inputs"]["assumeRolePolicy"] = role["outputs"]["assumeRolePolicy"] = json.dumps(trust)
    return widened


def _pinning_findings(plan: dict[str, Any]) -> set[str]:
    return {
        violation.urn
        for violation in evaluate(resources_from_plan(plan))
        if violation.rule == "github-oidc-trust-pinned"
    }


@pytest.fixture(scope="module", params=["dev", "prod"])
def committed_plan(request) -> dict[str, Any]:
    return build_plan(stack=request.param, placeholders=True)


def test_the_committed_ci_roles_are_github_trust_and_pass(committed_plan) -> None:
    roles = _ci_roles(committed_plan)

    assert len(roles) == 2
    for role in roles:
        [statement] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
        assert statement["Principal"]["Federated"] == (
            f"arn:aws:iam::{committed_plan['account']}:oidc-provider/{GITHUB_HOST}"
        )
    assert _pinning_findings(committed_plan) == set()


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike"])
@pytest.mark.parametrize("federated", [None, "ci-github-id"])
def test_fails_a_plan_whose_ci_roles_trust_every_repository(
    committed_plan, operator: str, federated: str | None
) -> None:
    # GIVEN the planned CI roles widened to repo:*, with the real provider ARN or an opaque id
    widened = _widened(committed_plan, operator=operator, federated=federated)

    # WHEN / THEN the rule reports both roles
    assert _pinning_findings(widened) == {role["urn"] for role in _ci_roles(committed_plan)}
