"""The whole stack's alerting wiring, planned offline: the analyzer, the IAM rule and its relay."""

from __future__ import annotations

import json

import pytest

from aws_model.event_patterns import matches
from aws_model.iam_eval import Decision
from inputs.exceptions import InputError
from secretsctl.plan import build_plan
from tests.design.service_requests import assume

ANALYZER = "aws:accessanalyzer/analyzer:Analyzer"
RULE = "aws:cloudwatch/eventRule:EventRule"
ROLE = "aws:iam/role:Role"
BREAK_GLASS = "arn:aws:iam::123456789012:user/oncall"


def plan_of(write_project, catalog_data, **settings) -> dict:
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "acme",
        "app-secrets:accountId": "123456789012",
        **{f"app-secrets:{key}": value for key, value in settings.items()},
    }
    catalog_path, stack_path = write_project(catalog_data, config)
    return build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


def by_name(plan: dict, type_: str) -> dict[str, dict]:
    return {r["urn"].rsplit("::", 1)[1]: r for r in plan["resources"] if r["type"] == type_}


@pytest.fixture
def eu_plan(write_project, catalog_data) -> dict:
    return plan_of(write_project, catalog_data, breakGlassPrincipals=[BREAK_GLASS])


def test_a_stack_outside_us_east_1_relays_iam_events_and_exports_every_rule(eu_plan):
    rules = by_name(eu_plan, RULE)
    outputs = eu_plan["outputs"]

    assert rules["alerts-iam-changed-relay"]["inputs"]["region"] == "us-east-1"
    assert "region" not in rules["alerts-iam-changed"]["inputs"]
    assert set(outputs["alertRuleArns"]) == {
        "access-denied",
        "rotation-failed",
        "secret-deleted",
        "policy-changed",
        "external-access",
        "iam-changed",
        "iam-changed-relay",
        "break-glass-used",
    }
    assert by_name(eu_plan, ROLE)["alerts-iam-relay-role"]["inputs"]["path"] == (
        "/app-secrets-alerting/"
    )


def test_the_iam_rule_knows_the_roles_of_the_stack_services(eu_plan):
    pattern = json.loads(by_name(eu_plan, RULE)["alerts-iam-changed"]["inputs"]["eventPattern"])
    retrust = {
        "source": "aws.iam",
        "detail-type": "AWS API Call via CloudTrail",
        "region": "us-east-1",
        "detail": {
            "eventSource": "iam.amazonaws.com",
            "eventName": "UpdateAssumeRolePolicy",
            "requestParameters": {"roleName": "acme-dev-api-task", "policyDocument": "{}"},
        },
    }

    assert matches(pattern, retrust)
    retrust["detail"]["requestParameters"]["roleName"] = "acme-dev-billing-task"
    assert not matches(pattern, retrust)


def test_external_access_watches_the_stack_key(eu_plan):
    pattern = json.loads(by_name(eu_plan, RULE)["alerts-external-access"]["inputs"]["eventPattern"])

    assert eu_plan["outputs"]["kmsKeyArn"] in pattern["detail"]["resource"]


def test_the_stack_creates_its_analyzer_and_exports_it(eu_plan):
    analyzer = by_name(eu_plan, ANALYZER)["alerts-access-analyzer"]

    assert analyzer["inputs"]["type"] == "ACCOUNT"
    assert eu_plan["outputs"]["accessAnalyzerArn"] == analyzer["outputs"]["arn"]


def test_a_named_analyzer_replaces_the_stack_s_own(write_project, catalog_data):
    given = "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/organization"

    plan = plan_of(write_project, catalog_data, accessAnalyzerArn=given)

    assert by_name(plan, ANALYZER) == {}
    assert plan["outputs"]["accessAnalyzerArn"] == given


def test_fails_on_a_named_analyzer_of_another_region(write_project, catalog_data):
    other = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/organization"

    # the input pipeline reports it with every other problem, before anything is declared
    with pytest.raises(InputError, match="accessAnalyzerArn: the analyzer is in us-east-1"):
        plan_of(write_project, catalog_data, accessAnalyzerArn=other)


def test_the_planned_break_glass_trust_holds_in_the_stack_region_only(eu_plan):
    role = by_name(eu_plan, ROLE)["break-glass-role"]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    mfa = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}

    def decide(region: str) -> Decision:
        context = {**mfa, "aws:RequestedRegion": region}
        return assume(trust, BREAK_GLASS, role_arn=role["outputs"]["arn"], **context)

    assert decide("eu-west-1") is Decision.ALLOW
    assert decide("us-east-1") is Decision.IMPLICIT_DENY
