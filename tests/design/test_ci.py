"""CI policies, evaluated: ci-deploy keeps to its stack and bounded roles, preview to reading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from design import provider_actions as types
from design.arns import Account
from design.ci import (
    StackScope,
    ci_deploy_documents,
    ci_deploy_policy,
    deploy_layout,
    github_subjects,
)
from design.ci_preview import ci_preview_policy
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, compact
from design.naming import StackNames
from design.provider_actions import ACTIONS_ON_STAR
from tests import test_deploy_path
from tests.test_deploy_path import STACK_NAMES, Stack

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-prod-workload-boundary"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db-AbCdEf"
OTHER_STACK_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/db-AbCdEf"
DEPLOY = "arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-deploy"
WORKLOAD_ROLE = "arn:aws:iam::123456789012:role/app-secrets/acme-prod/acme-prod-api-exec"


def scope(production: bool, **more) -> StackScope:
    return StackScope(
        names=StackNames(prefix="acme", environment="prod" if production else "dev"),
        boundary_arn=BOUNDARY,
        production=production,
        **more,
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
    on_key = {"secretsmanager:KmsKeyArn": KEY}

    assert decide(policy, "secretsmanager:PutSecretValue", SECRET) is Decision.ALLOW
    assert decide(policy, "secretsmanager:CreateSecret", SECRET, **on_key) is Decision.ALLOW
    assert (
        decide(policy, "secretsmanager:PutSecretValue", OTHER_STACK_SECRET)
        is Decision.IMPLICIT_DENY
    )


@pytest.mark.parametrize("action", ["secretsmanager:CreateSecret", "secretsmanager:UpdateSecret"])
def test_deploy_keeps_every_secret_on_the_stack_key(action):
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)
    other = {"secretsmanager:KmsKeyArn": KEY.replace("1111", "2222")}

    assert decide(policy, action, SECRET, **{"secretsmanager:KmsKeyArn": KEY}) is Decision.ALLOW
    assert decide(policy, action, SECRET, **other) is Decision.EXPLICIT_DENY


def test_deploy_updates_a_secret_without_naming_a_key_but_creates_none_on_the_default_key():
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)

    assert decide(policy, "secretsmanager:UpdateSecret", SECRET) is Decision.ALLOW
    assert decide(policy, "secretsmanager:CreateSecret", SECRET) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(("block", "expected"), [("true", Decision.ALLOW), ("false", Decision.EXPLICIT_DENY), (None, Decision.EXPLICIT_DENY)])  # fmt: skip
def test_deploy_puts_only_policies_that_block_public_access(block, expected):
    policy = ci_deploy_policy(ACCOUNT, scope(True), key_arn=KEY)
    context = {} if block is None else {"secretsmanager:BlockPublicPolicy": block}

    assert decide(policy, "secretsmanager:PutResourcePolicy", SECRET, **context) is expected


def test_deploy_never_touches_an_external_value_and_only_its_exact_name():
    policy = ci_deploy_policy(ACCOUNT, scope(True, external_secrets=("db",)), key_arn=KEY)
    look_alike = SECRET.replace("/db-AbCdEf", "/db-x-AbCdEf")

    for action in ("GetSecretValue", "PutSecretValue", "UpdateSecretVersionStage"):
        assert decide(policy, f"secretsmanager:{action}", SECRET) is Decision.EXPLICIT_DENY
        assert decide(policy, f"secretsmanager:{action}", look_alike) is Decision.ALLOW
    assert decide(policy, "secretsmanager:DescribeSecret", SECRET) is Decision.ALLOW


@pytest.mark.parametrize(
    ("production", "expected"), [(True, Decision.EXPLICIT_DENY), (False, Decision.ALLOW)]
)
def test_deploy_cannot_delete_secrets_in_prod(production, expected):
    policy = ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY)
    secret = SECRET if production else OTHER_STACK_SECRET

    assert decide(policy, "secretsmanager:DeleteSecret", secret) is expected


@pytest.mark.parametrize("production", [True, False])
def test_deploy_leaves_the_key_its_alias_and_its_policy_to_the_administrator(production):
    policy = ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY)

    for action in ("PutKeyPolicy", "ScheduleKeyDeletion", "DisableKey", "CreateAlias"):
        assert decide(policy, f"kms:{action}", KEY) is Decision.EXPLICIT_DENY


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
    # the boundary is the administrator's: ci-deploy names it on roles, never reads or writes it
    assert decide(policy, "iam:GetPolicy", BOUNDARY) is Decision.IMPLICIT_DENY


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


RULES = "arn:aws:events:eu-west-1:123456789012:rule/"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:acme-dev-secrets-alerts"
MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:acme-dev-restarts"
RESTART_ROLES = "arn:aws:iam::123456789012:role/app-secrets/acme-dev/acme-dev-restarts-"


def test_deploy_writes_the_restart_rules_and_never_an_alert_rule():
    # GIVEN a stack that restarts services after rotations
    policy = ci_deploy_policy(ACCOUNT, scope(False, restarts=True), key_arn=KEY)

    # THEN ci-deploy manages its restart rules, targets and state machine
    for action in ("events:PutRule", "events:PutTargets", "events:DeleteRule"):
        assert decide(policy, action, f"{RULES}acme-dev-rotated-001") is Decision.ALLOW
    for action in ("states:CreateStateMachine", "states:UpdateStateMachine"):
        assert decide(policy, action, MACHINE) is Decision.ALLOW
    # AND still no alert rule, nor a rule that only looks like a restart rule
    for rule in ("acme-dev-restart-failed", "acme-dev-rotation-failed", "acme-dev-rotated-1"):
        assert decide(policy, "events:PutRule", f"{RULES}{rule}") is Decision.EXPLICIT_DENY
    assert decide(policy, "sns:SetTopicAttributes", TOPIC) is Decision.EXPLICIT_DENY
    # AND another stack's state machine is out of reach
    other = MACHINE.replace("acme-dev-", "acme-prod-")
    assert decide(policy, "states:UpdateStateMachine", other) is Decision.IMPLICIT_DENY


def test_deploy_passes_each_restart_role_to_its_own_service_only():
    policy = ci_deploy_policy(ACCOUNT, scope(False, restarts=True), key_arn=KEY)

    def passed(role: str, service: str) -> Decision:
        context = {"iam:PassedToService": f"{service}.amazonaws.com"}
        return decide(policy, "iam:PassRole", f"{RESTART_ROLES}{role}", **context)

    assert passed("sfn", "states") is Decision.ALLOW
    assert passed("events", "events") is Decision.ALLOW
    assert passed("sfn", "events") is Decision.IMPLICIT_DENY
    assert passed("events", "states") is Decision.IMPLICIT_DENY
    assert passed("sfn", "lambda") is Decision.IMPLICIT_DENY


def test_a_stack_without_restarts_grants_no_restart_resource():
    for production in (True, False):
        text = compact(ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY))
        preview = compact(ci_preview_policy(ACCOUNT, scope(production)))

        assert "states:" not in text and "states:" not in preview
        assert "rotated" not in text and "NotResource" not in text


def test_preview_describes_but_reads_no_value_and_deletes_nothing():
    policy = ci_preview_policy(ACCOUNT, scope(True), ci_path="/app-secrets-ci/")

    assert decide(policy, "secretsmanager:DescribeSecret", SECRET) is Decision.ALLOW
    assert decide(policy, "secretsmanager:ListSecretVersionIds", SECRET) is Decision.ALLOW
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
    assert deploy_layout(scope(production)) == (
        len(ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY)["Statement"]),
    )
    assert len(compact(ci_deploy_policy(ACCOUNT, scope(production), key_arn=KEY))) < INLINE_LIMIT
    assert (
        len(compact(ci_preview_policy(ACCOUNT, scope(production), ci_path="/app-secrets-ci/")))
        < INLINE_LIMIT
    )


def test_a_large_stack_spills_into_managed_policies_within_iams_limits():
    # GIVEN 40 external secrets and 40 task families with long names
    large = scope(
        True,
        external_secrets=tuple(f"external-partner-credential-{i:02}" for i in range(40)),
        task_families=tuple(f"acme-prod-service-with-a-long-name-{i:02}" for i in range(40)),
    )

    # WHEN the policy is laid out and built
    layout = deploy_layout(large)
    documents = ci_deploy_documents(ACCOUNT, large, key_arn=KEY, layout=layout)

    # THEN it keeps every statement, the first within the inline limit, the rest as managed
    assert len(layout) > 1
    assert sum(len(d["Statement"]) for d in documents) == len(
        ci_deploy_policy(ACCOUNT, large, key_arn=KEY)["Statement"]
    )
    assert len(compact(documents[0])) <= INLINE_LIMIT
    assert all(len(compact(document)) <= MANAGED_LIMIT for document in documents[1:])


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
    "deploy": {"role", "policy", "log-group", "secret"},
    "preview": {"role", "policy", "log-group", "secret"},
}
"""What each policy names: the alias is the administrator's, and nobody names it."""


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
    expected_keys = {"Project", "Environment"} if build == "preview" else set()
    assert {key.rsplit("/", 1)[1] for key, _ in tag_conditions} == expected_keys
    for key, value in tag_conditions:
        expected = "acme-web" if key.endswith("/Project") else "pre-prod"
        assert value == expected, f"{key} is {value!r}, expected {expected!r}"
    # AND every ARN that names a stack names this one
    stack_arns = {value: STACK_ARN.match(value) for _, value in strings if STACK_ARN.match(value)}
    kinds = {kind for match in stack_arns.values() for kind in match.groupdict().values() if kind}
    assert kinds == STACK_ARN_KINDS[build]
    for arn in stack_arns:
        assert "acme-web-pre-prod" in arn or "acme-web/pre-prod/" in arn, arn


def test_hyphenated_stack_previews_its_own_key_and_not_a_look_alike():
    # GIVEN ci-preview of prefix `acme-web`, environment `pre-prod`
    scope = StackScope(names=HYPHENATED, boundary_arn=HYPHENATED_BOUNDARY, production=False)
    policy = ci_preview_policy(ACCOUNT, scope)
    own = {"aws:ResourceTag/Project": "acme-web", "aws:ResourceTag/Environment": "pre-prod"}
    # the old re-parse of `acme-web-pre-prod` at its last hyphen
    misparsed = {"aws:ResourceTag/Project": "acme-web-pre", "aws:ResourceTag/Environment": "prod"}

    # THEN it may describe its own key only
    assert decide(policy, "kms:GetKeyPolicy", KEY, **own) is Decision.ALLOW
    assert decide(policy, "kms:GetKeyPolicy", KEY, **misparsed) is Decision.IMPLICIT_DENY


# ci-preview on the planned stacks of tests/test_deploy_path.py


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> dict[str, Stack]:
    plans = test_deploy_path.plans.__wrapped__(tmp_path_factory)
    return {name: Stack(plan) for name, plan in plans.items()}


NOT_READ_BY_PREVIEW = {types.SECRET_VERSION}
"""A version's Read is GetSecretValue: ci-preview is denied every value (docs/iam.md)."""


@pytest.mark.parametrize("name", STACK_NAMES)
def test_ci_preview_can_refresh_every_resource_it_is_meant_to_read(planned, name):
    stack = planned[name]
    preview = Stack(stack.plan)
    preview.deploy_arn = stack.plan["outputs"]["ciPreviewRoleArn"]
    preview.policies = [
        r["inputs"]["policy"]
        for r in stack.by_type[types.ROLE_POLICY]
        if r["name"] == "ci-preview-grants"
    ]
    rules = {
        r["outputs"]["name"]: r["outputs"]["arn"] for r in stack.by_type.get(types.EVENT_RULE, [])
    }
    unread, checked = [], 0
    for resource in stack.plan["resources"]:
        entry = types.TABLE.get(resource["type"])
        if entry is None or resource["type"] in NOT_READ_BY_PREVIEW:
            continue
        for action in entry.read:
            arn, context = _read_target(preview, resource, action, rules)
            checked += 1
            if preview.decide(action, arn, **context) is not Decision.ALLOW:
                unread.append((resource["name"], action, arn))

    assert checked > 80
    assert unread == []


def _read_target(stack: Stack, resource: dict, action: str, rules: dict) -> tuple[str, dict]:
    kind, inputs = resource["type"], resource["inputs"]
    if action in ACTIONS_ON_STAR:
        return "*", {}
    if kind == types.KEY:
        tags = inputs.get("tags") or {}
        return resource["outputs"]["arn"], {f"aws:ResourceTag/{k}": v for k, v in tags.items()}
    if kind == types.TOPIC_POLICY:
        return inputs["arn"], {}
    if kind == types.EVENT_TARGET:
        return rules[inputs["rule"]], {}
    return stack.target(resource, action)
