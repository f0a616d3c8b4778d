"""CI policies, evaluated: ci-deploy keeps to its stack and bounded roles, preview to reading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.ci import StackScope, ci_deploy_policy, ci_preview_policy, github_subjects
from design.iam import INLINE_LIMIT, compact
from design.naming import StackNames

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-prod-workload-boundary"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db-AbCdEf"
OTHER_STACK_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/db-AbCdEf"
DEPLOY = "arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-deploy"
WORKLOAD_ROLE = "arn:aws:iam::123456789012:role/app-secrets/acme-prod/acme-prod-api-exec"


def scope(production: bool) -> StackScope:
    return StackScope(
        names=StackNames(prefix="acme", environment="prod" if production else "dev"),
        boundary_arn=BOUNDARY,
        production=production,
    )


def decide(policy: dict, action: str, resource: str, **context) -> Decision:
    request = Request(
        principal_arn=DEPLOY,
        action=action,
        resource_arn=resource,
        context={"aws:PrincipalAccount": "123456789012", **context},
    )
    return evaluate(request, identity_policies=[policy])


def test_subjects_pin_pull_requests_and_the_deploy_ref():
    assert github_subjects("acme/app", deploy_branch="main", deploy_environment=None) == (
        "repo:acme/app:pull_request",
        "repo:acme/app:ref:refs/heads/main",
    )
    assert (
        github_subjects("acme/app", deploy_branch="main", deploy_environment="prod")[1]
        == "repo:acme/app:environment:prod"
    )


def test_deploy_manages_its_own_stacks_secrets_only():
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)

    assert decide(policy, "secretsmanager:PutSecretValue", SECRET) is Decision.ALLOW
    assert decide(policy, "secretsmanager:CreateSecret", SECRET) is Decision.ALLOW
    assert (
        decide(policy, "secretsmanager:PutSecretValue", OTHER_STACK_SECRET)
        is Decision.IMPLICIT_DENY
    )


@pytest.mark.parametrize(
    ("production", "expected"), [(True, Decision.EXPLICIT_DENY), (False, Decision.ALLOW)]
)
def test_deploy_cannot_delete_secrets_or_keys_in_prod(production, expected):
    policy = ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY)
    secret = SECRET if production else OTHER_STACK_SECRET
    environment = "prod" if production else "dev"
    tags = {"aws:ResourceTag/Project": "acme", "aws:ResourceTag/Environment": environment}

    assert decide(policy, "secretsmanager:DeleteSecret", secret) is expected
    assert decide(policy, "kms:ScheduleKeyDeletion", KEY, **tags) is expected


def test_deploy_creates_roles_only_with_the_stack_boundary():
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)

    assert (
        decide(policy, "iam:CreateRole", WORKLOAD_ROLE, **{"iam:PermissionsBoundary": BOUNDARY})
        is Decision.ALLOW
    )
    assert decide(policy, "iam:CreateRole", WORKLOAD_ROLE) is Decision.IMPLICIT_DENY
    assert (
        decide(
            policy,
            "iam:PutRolePolicy",
            WORKLOAD_ROLE,
            **{"iam:PermissionsBoundary": BOUNDARY + "-wider"},
        )
        is Decision.IMPLICIT_DENY
    )
    assert (
        decide(policy, "iam:DeleteRolePermissionsBoundary", WORKLOAD_ROLE) is Decision.EXPLICIT_DENY
    )


def test_deploy_cannot_touch_the_ci_roles_or_widen_the_boundary():
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)

    assert (
        decide(policy, "iam:PutRolePolicy", DEPLOY, **{"iam:PermissionsBoundary": BOUNDARY})
        is Decision.IMPLICIT_DENY
    )
    assert decide(policy, "iam:UpdateAssumeRolePolicy", DEPLOY) is Decision.IMPLICIT_DENY
    assert decide(policy, "iam:CreatePolicyVersion", BOUNDARY) is Decision.EXPLICIT_DENY
    assert decide(policy, "iam:GetPolicy", BOUNDARY) is Decision.ALLOW


def test_deploy_passes_stack_roles_only_to_ecs_and_lambda():
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)

    assert (
        decide(
            policy,
            "iam:PassRole",
            WORKLOAD_ROLE,
            **{"iam:PassedToService": "ecs-tasks.amazonaws.com"},
        )
        is Decision.ALLOW
    )
    assert (
        decide(
            policy, "iam:PassRole", WORKLOAD_ROLE, **{"iam:PassedToService": "ec2.amazonaws.com"}
        )
        is Decision.IMPLICIT_DENY
    )


def test_preview_describes_but_reads_no_value_and_deletes_nothing():
    policy = ci_preview_policy(ACCOUNT, scope(True), ci_path="/app-secrets-ci/")

    assert decide(policy, "secretsmanager:DescribeSecret", SECRET) is Decision.ALLOW
    assert decide(policy, "secretsmanager:ListSecrets", "*") is Decision.ALLOW
    for action in (
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
    ):
        assert decide(policy, action, SECRET) is Decision.EXPLICIT_DENY
    assert decide(policy, "kms:Decrypt", KEY) is Decision.EXPLICIT_DENY
    assert decide(policy, "iam:DeleteRole", WORKLOAD_ROLE) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize("production", [True, False])
def test_ci_policies_fit_one_inline_policy(production):
    assert len(compact(ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY))) < INLINE_LIMIT
    assert (
        len(compact(ci_preview_policy(ACCOUNT, scope(production), ci_path="/app-secrets-ci/")))
        < INLINE_LIMIT
    )


# A hyphenated prefix and environment: `acme-web-pre-prod` has no unambiguous split, so the
# policies must take both parts from StackNames, never from the joined stem.
HYPHENATED = StackNames(prefix="acme-web", environment="pre-prod")
HYPHENATED_BOUNDARY = (
    "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-web-pre-prod-workload-boundary"
)
STACK_ARN = re.compile(
    r"arn:aws:(?:iam::\d{12}:(?P<iam>role|policy)/|logs:[^:]+:\d{12}:(?P<logs>log-group):"
    r"|kms:[^:]+:\d{12}:(?P<kms>alias)/|secretsmanager:[^:]+:\d{12}:(?P<secretsmanager>secret):)"
)
"""Role, managed policy, log group, alias and secret ARNs: the ones that name a stack."""
STACK_ARN_KINDS = {
    "deploy": {"role", "policy", "log-group", "alias", "secret"},
    "preview": {"role", "policy", "secret"},
}
"""What each policy names: ci-preview touches no log group and no alias."""


def leaves(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a policy document with the key it sits under (list items inherit it)."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from leaves(child, child_key)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, key)
    elif isinstance(value, str):
        yield key, value


@pytest.mark.parametrize("production", [True, False])
@pytest.mark.parametrize("build", ["deploy", "preview"])
def test_hyphenated_prefix_and_environment_stay_apart_in_tags_and_arns(build, production):
    # GIVEN prefix `acme-web` and environment `pre-prod`, joined as `acme-web-pre-prod`
    scope = StackScope(names=HYPHENATED, boundary_arn=HYPHENATED_BOUNDARY, production=production)

    # WHEN the CI policy is built
    if build == "deploy":
        policy = ci_deploy_policy(ACCOUNT, scope, key_arn=KEY)
    else:
        policy = ci_preview_policy(ACCOUNT, scope)

    # THEN every tag condition names the prefix and the environment, each whole
    strings = list(leaves(policy))
    tag_conditions = [
        (key, value)
        for key, value in strings
        if re.fullmatch(r"aws:(?:Resource|Request)Tag/(?:Project|Environment)", key)
    ]
    assert {key.rsplit("/", 1)[1] for key, _ in tag_conditions} == {"Project", "Environment"}
    for key, value in tag_conditions:
        expected = "acme-web" if key.endswith("/Project") else "pre-prod"
        assert value == expected, f"{key} is {value!r}, expected {expected!r}"
    # AND every ARN that names a stack names this one
    stack_arns = {value: STACK_ARN.match(value) for _, value in strings if STACK_ARN.match(value)}
    kinds = {kind for match in stack_arns.values() for kind in match.groupdict().values() if kind}
    assert kinds == STACK_ARN_KINDS[build]
    for arn in stack_arns:
        assert "acme-web-pre-prod" in arn or "acme-web/pre-prod/" in arn, arn


def test_hyphenated_stack_manages_its_own_key_and_not_a_look_alike():
    # GIVEN ci-deploy of prefix `acme-web`, environment `pre-prod`
    scope = StackScope(names=HYPHENATED, boundary_arn=HYPHENATED_BOUNDARY, production=False)
    policy = ci_deploy_policy(ACCOUNT, scope, key_arn=KEY)
    own = {"aws:ResourceTag/Project": "acme-web", "aws:ResourceTag/Environment": "pre-prod"}
    # the old re-parse of `acme-web-pre-prod` at its last hyphen
    misparsed = {"aws:ResourceTag/Project": "acme-web-pre", "aws:ResourceTag/Environment": "prod"}

    # THEN it may schedule the deletion of its own key only
    assert decide(policy, "kms:ScheduleKeyDeletion", KEY, **own) is Decision.ALLOW
    assert decide(policy, "kms:ScheduleKeyDeletion", KEY, **misparsed) is Decision.IMPLICIT_DENY
