"""The whole stack's restarts after rotation, planned offline: when they exist and how they wire."""

from __future__ import annotations

import json

import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from design.restarts import ALERT_KIND
from secretsctl.plan import build_plan
from tests.conftest import ACCOUNT_ID, REGION
from tests.design.service_requests import assume, source

COMPONENT = "app-secrets:restarts:ServiceRestarts"
CLUSTER = "acme-main"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{CLUSTER}/api-svc"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:acme-dev-restarts"


def plan_of(write_project, catalog: dict, **settings) -> dict:
    config = {
        "aws:region": REGION,
        "app-secrets:prefix": "acme",
        "app-secrets:accountId": ACCOUNT_ID,
        "app-secrets:githubRepository": "acme/app",
        **{f"app-secrets:{key}": value for key, value in settings.items()},
    }
    catalog_path, stack_path = write_project(catalog, config)
    return build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


@pytest.fixture
def rotating(catalog_data) -> dict:
    """api receives admin-token through env; admin-token rotates; api runs as api-svc."""
    catalog_data["secrets"]["admin-token"]["rotation"] = {"every_days": 30, "strategy": "token"}
    catalog_data["services"]["api"]["ecs_service"] = "api-svc"
    return catalog_data


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


def role_named(plan: dict, name: str) -> tuple[str, list[str], str]:
    """(role ARN, its inline policies, its boundary's document), from the plan."""
    role = next(r for r in of_type(plan, "aws:iam/role:Role") if r["outputs"]["name"] == name)
    policies = [
        r["inputs"]["policy"]
        for r in of_type(plan, "aws:iam/rolePolicy:RolePolicy")
        if r["inputs"]["role"] == name
    ]
    boundary = next(
        r["inputs"]["policy"]
        for r in of_type(plan, "aws:iam/policy:Policy")
        if r["outputs"]["arn"] == role["inputs"]["permissionsBoundary"]
    )
    return role["outputs"]["arn"], policies, boundary


def test_a_cluster_and_a_consuming_service_declare_the_restarts(write_project, rotating):
    plan = plan_of(write_project, rotating, ecsClusterName=CLUSTER)

    assert [r["name"] for r in of_type(plan, COMPONENT)] == ["restarts"]
    assert plan["outputs"]["restartStateMachineArn"] == MACHINE
    # the failure alert is one of the alert topic's rules, which its policy lets publish
    alert = plan["outputs"]["alertRuleArns"][ALERT_KIND]
    topic_policy = json.loads(
        of_type(plan, "aws:sns/topicPolicy:TopicPolicy")[0]["inputs"]["policy"]
    )
    assert alert in topic_policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]


def test_the_planned_state_machine_role_may_restart_the_service_and_nothing_else(
    write_project, rotating
):
    # GIVEN the planned role, its inline policy and its boundary, as deployed
    plan = plan_of(write_project, rotating, ecsClusterName=CLUSTER)
    role_arn, policies, boundary = role_named(plan, "acme-dev-restarts-sfn")

    def decide(action: str, resource: str) -> Decision:
        request = Request(principal_arn=role_arn, action=action, resource_arn=resource, context={})
        return evaluate(request, identity_policies=policies, permissions_boundary=boundary)

    # THEN it redeploys api-svc, and no other service, cluster or action
    assert decide("ecs:UpdateService", SERVICE_ARN) is Decision.ALLOW
    assert decide("ecs:UpdateService", SERVICE_ARN.replace("api-svc", "worker")) is (
        Decision.IMPLICIT_DENY
    )
    assert decide("ecs:UpdateService", SERVICE_ARN.replace(CLUSTER, "other")) is (
        Decision.IMPLICIT_DENY
    )
    assert decide("ecs:DeleteService", SERVICE_ARN) is Decision.IMPLICIT_DENY
    # AND only Step Functions, for this state machine, may assume it
    trust = json.loads(
        next(
            r["inputs"]["assumeRolePolicy"]
            for r in of_type(plan, "aws:iam/role:Role")
            if r["outputs"]["arn"] == role_arn
        )
    )
    assert assume(
        trust, "states.amazonaws.com", role_arn=role_arn, **source(ACCOUNT_ID, MACHINE)
    ) is (Decision.ALLOW)


def test_the_planned_rules_role_may_start_the_state_machine_only(write_project, rotating):
    plan = plan_of(write_project, rotating, ecsClusterName=CLUSTER)
    role_arn, policies, boundary = role_named(plan, "acme-dev-restarts-events")

    def decide(action: str, resource: str) -> Decision:
        request = Request(principal_arn=role_arn, action=action, resource_arn=resource, context={})
        return evaluate(request, identity_policies=policies, permissions_boundary=boundary)

    assert decide("states:StartExecution", MACHINE) is Decision.ALLOW
    assert decide("states:StartExecution", MACHINE.replace("-dev-", "-prod-")) is (
        Decision.IMPLICIT_DENY
    )
    assert decide("ecs:UpdateService", SERVICE_ARN) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("change", "settings"),
    [
        ("none", {}),  # no ecsClusterName
        ("no-ecs-service", {"ecsClusterName": CLUSTER}),
        ("runtime-read-only", {"ecsClusterName": CLUSTER}),
        ("not-rotated", {"ecsClusterName": CLUSTER}),
    ],
)
def test_nothing_is_restarted_unless_a_named_service_receives_a_rotated_secret(
    write_project, rotating, change, settings
):
    if change == "no-ecs-service":
        del rotating["services"]["api"]["ecs_service"]
    elif change == "runtime-read-only":
        rotating["services"]["api"]["env"] = {}
        rotating["services"]["api"]["runtime_read"] = ["admin-token"]
    elif change == "not-rotated":
        del rotating["secrets"]["admin-token"]["rotation"]

    plan = plan_of(write_project, rotating, **settings)

    assert of_type(plan, COMPONENT) == []
    assert "restartStateMachineArn" not in plan["outputs"]
    assert ALERT_KIND not in plan["outputs"]["alertRuleArns"]
    assert not [r for r in of_type(plan, "aws:iam/role:Role") if "restarts" in r["name"]]
    deploy = next(
        r["inputs"]["policy"]
        for r in of_type(plan, "aws:iam/rolePolicy:RolePolicy")
        if r["inputs"]["role"] == "acme-dev-ci-deploy"
    )
    assert "states:" not in deploy
