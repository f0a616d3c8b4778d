"""CI policies, evaluated: ci-deploy manages only its stack and only bounded roles; ci-preview reads no value."""

from __future__ import annotations

import pytest

from components.ci import StackScope, ci_deploy_policy, ci_preview_policy, github_subjects
from components.grants import INLINE_LIMIT, Account, compact
from aws_model.iam_eval import Decision, Request, evaluate

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-prod-workload-boundary"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db-AbCdEf"
OTHER_STACK_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/db-AbCdEf"
DEPLOY = "arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-deploy"
WORKLOAD_ROLE = "arn:aws:iam::123456789012:role/app-secrets/acme-prod/acme-prod-api-exec"


def scope(production: bool) -> StackScope:
    return StackScope(
        name_stem="acme-prod" if production else "acme-dev",
        secret_path="acme/prod/" if production else "acme/dev/",
        workload_path="/app-secrets/acme-prod/" if production else "/app-secrets/acme-dev/",
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
    stem = "acme-prod" if production else "acme-dev"
    tags = {"aws:ResourceTag/Project": "acme", "aws:ResourceTag/Environment": stem.split("-")[1]}

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
