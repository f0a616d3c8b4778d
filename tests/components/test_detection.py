"""Detection under the mock engine: the analyzer, the external-access and IAM rules, the relay."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.account import AwsAccount
from components.alerting import Alerting, AlertingArgs
from design.arns import Account
from design.detection import (
    external_access_pattern,
    iam_change_pattern,
    off_path_role_arns,
    relay_policy,
    relay_trust,
)
from design.naming import StackNames
from policies import evaluate, resources_from_plan
from tests.conftest import records_of, registered

NAMES = StackNames(prefix="acme", environment="dev")
STACK_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
ROLE_NAMES = ["acme-dev-api-exec", "acme-dev-api-task", "acme-dev-iam-relay"]
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ROLE = "aws:iam/role:Role"
ANALYZER = "aws:accessanalyzer/analyzer:Analyzer"
RELAY_RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/acme-dev-iam-changed"


def declare(region: str = "eu-west-1", **overrides) -> Alerting:
    account = AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input(region),
        partition=pulumi.Output.from_input("aws"),
    )
    args = {
        "names": NAMES,
        "account": account,
        "region": region,
        "role_names": ROLE_NAMES,
        "key_arns": [STACK_KEY],
        "tags": {"Project": "acme"},
        **overrides,
    }
    return Alerting("alerts", AlertingArgs(**args))


@pulumi.runtime.test
def test_outside_us_east_1_a_relay_there_forwards_iam_events_to_the_stack_region(monitor):
    alerting = declare("eu-west-1")
    account = Account(partition="aws", region="eu-west-1", account_id="123456789012")

    def check(_):
        rules, targets = records_of(monitor, RULE), records_of(monitor, TARGET)
        relay, local = rules["alerts-iam-changed-relay"], rules["alerts-iam-changed"]
        role = records_of(monitor, ROLE)["alerts-iam-relay-role"]
        grants = records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["alerts-iam-relay-grants"]
        target = targets["alerts-iam-changed-relay-target"]
        # the same pattern on both sides: in us-east-1 to forward, here to publish
        expected = iam_change_pattern(account, names=NAMES, role_names=ROLE_NAMES)
        assert json.loads(relay.inputs["eventPattern"]) == expected
        assert json.loads(local.inputs["eventPattern"]) == expected
        assert (relay.inputs["region"], relay.inputs["name"]) == (
            "us-east-1",
            "acme-dev-iam-changed",
        )
        assert relay.inputs["state"] == "ENABLED"
        assert target.inputs["region"] == "us-east-1"
        assert target.inputs["arn"] == "arn:aws:events:eu-west-1:123456789012:event-bus/default"
        assert target.inputs["roleArn"] == (
            "arn:aws:iam::123456789012:role/app-secrets-alerting/acme-dev-iam-relay"
        )
        assert (role.inputs["name"], role.inputs["path"]) == (
            "acme-dev-iam-relay",
            "/app-secrets-alerting/",
        )
        assert json.loads(role.inputs["assumeRolePolicy"]) == relay_trust(
            account, rule_arn=RELAY_RULE_ARN
        )
        assert json.loads(grants.inputs["policy"]) == relay_policy(account)
        assert targets["alerts-iam-changed-target"].inputs["arn"] == (
            "arn:aws:sns:eu-west-1:123456789012:acme-dev-secrets-alerts"
        )
        assert alerting.relay_rule_arn is not None

    return registered(alerting).apply(check)


@pulumi.runtime.test
def test_in_us_east_1_the_rule_sees_iam_events_itself(monitor):
    alerting = declare("us-east-1")

    def check(_):
        rules = records_of(monitor, RULE)
        assert "alerts-iam-changed" in rules
        assert "alerts-iam-changed-relay" not in rules
        assert "alerts-iam-relay-role" not in records_of(monitor, ROLE)
        assert alerting.relay_rule_arn is None

    return registered(alerting).apply(check)


@pulumi.runtime.test
def test_the_stack_creates_an_account_analyzer_by_default(monitor):
    alerting = declare()

    def check(arn):
        analyzer = records_of(monitor, ANALYZER)["alerts-access-analyzer"]
        assert analyzer.inputs["analyzerName"] == "acme-dev-external-access"
        assert analyzer.inputs["type"] == "ACCOUNT"
        assert analyzer.inputs["tags"] == {"Project": "acme"}
        assert arn == analyzer.outputs["arn"]

    return alerting.access_analyzer_arn.apply(check)


@pulumi.runtime.test
def test_a_named_analyzer_is_used_and_none_is_created(monitor):
    given = "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/organization"
    alerting = declare(access_analyzer_arn=given)

    def check(values):
        arn, _ = values
        assert arn == given
        assert records_of(monitor, ANALYZER) == {}
        assert "alerts-external-access" in records_of(monitor, RULE)

    return pulumi.Output.all(alerting.access_analyzer_arn, registered(alerting)).apply(check)


def test_fails_on_an_analyzer_of_another_region_before_declaring_anything(monitor):
    other = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/organization"

    with pytest.raises(ValueError, match="the analyzer is in us-east-1"):
        declare("eu-west-1", access_analyzer_arn=other)
    assert monitor.records == {}


@pulumi.runtime.test
def test_external_access_watches_the_stack_key_the_topic_and_its_key(monitor):
    alerting = declare()
    account = Account(partition="aws", region="eu-west-1", account_id="123456789012")

    def check(values):
        topic_key, topic, _ = values
        rule = records_of(monitor, RULE)["alerts-external-access"]
        assert json.loads(rule.inputs["eventPattern"]) == external_access_pattern(
            account,
            names=NAMES,
            resource_arns=[*off_path_role_arns(account, NAMES), STACK_KEY, topic_key, topic],
        )
        target = records_of(monitor, TARGET)["alerts-external-access-target"]
        assert target.inputs["arn"] == topic

    return pulumi.Output.all(alerting.key_arn, alerting.topic_arn, registered(alerting)).apply(
        check
    )


@pulumi.runtime.test
def test_detection_passes_the_mandatory_guardrails(monitor):
    alerting = declare()

    def check(_):
        plan = {"stack": "dev", "resources": [r.as_plan() for r in monitor.records.values()]}
        assert [v for v in evaluate(resources_from_plan(plan)) if v.mandatory] == []

    return registered(alerting).apply(check)
