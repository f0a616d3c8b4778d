"""Alerting under the mock engine: the encrypted topic, its rules, subscriptions and trail."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.alerting import Alerting, AlertingArgs, AlertRule
from design.alerts import (
    STACK_RULES,
    WITH_READ_ONLY_EVENTS,
    access_denied_pattern,
    deletion_pattern,
    policy_change_pattern,
    rotation_failure_pattern,
    topic_key_policy,
    trail_bucket_policy,
)
from design.arns import Account
from design.detection import DETECTION_RULES
from design.naming import CI_ROLE_PATH, StackNames
from tests.conftest import records_of, registered

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="dev")
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-dev-secrets-alerts"
ACCESS_DENIED = access_denied_pattern(ACCOUNT, NAMES.secret_path)
ROTATION_FAILED = rotation_failure_pattern(ACCOUNT, NAMES.secret_path)
DELETED = deletion_pattern(ACCOUNT, NAMES.secret_path)
POLICY_CHANGED = policy_change_pattern(ACCOUNT, NAMES.secret_path)


def account() -> AwsAccount:
    return AwsAccount(
        account_id=pulumi.Output.from_input("123456789012"),
        region=pulumi.Output.from_input("eu-west-1"),
        partition=pulumi.Output.from_input("aws"),
    )


def declare(**overrides) -> Alerting:
    args = {
        "names": NAMES,
        "account": account(),
        "region": "eu-west-1",
        "tags": {"Project": "acme"},
        **overrides,
    }
    return Alerting("alerts", AlertingArgs(**args))


@pulumi.runtime.test
def test_topic_is_encrypted_with_its_own_rotating_key(monitor):
    alerting = declare(protect=True, key_deletion_window_days=7)

    def check(values):
        topic_arn, key_arn, _ = values
        key = records_of(monitor, "aws:kms/key:Key")["alerts-key"]
        topic = records_of(monitor, "aws:sns/topic:Topic")["alerts-topic"]
        alias = records_of(monitor, "aws:kms/alias:Alias")["alerts-key-alias"]
        assert topic_arn == TOPIC_ARN
        assert topic.inputs["kmsMasterKeyId"] == key_arn
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 7
        assert key.protect is True
        assert json.loads(key.inputs["policy"]) == topic_key_policy(
            ACCOUNT, topic_arn=TOPIC_ARN, ci_role_path=CI_ROLE_PATH
        )
        assert alias.inputs["name"] == "alias/acme-dev-secrets-alerts"

    return pulumi.Output.all(alerting.topic_arn, alerting.key_arn, registered(alerting)).apply(
        check
    )


@pulumi.runtime.test
def test_topic_key_has_no_ci_deny_without_a_ci_role_path(monitor):
    # GIVEN no CI roles to keep away from the key
    alerting = declare(ci_role_path=None)

    def check(_):
        # THEN the key policy is the topic's, without the CiCannotSilenceAlerts statement
        key = records_of(monitor, "aws:kms/key:Key")["alerts-key"]
        assert json.loads(key.inputs["policy"]) == topic_key_policy(ACCOUNT, topic_arn=TOPIC_ARN)

    return alerting.key_arn.apply(check)


@pulumi.runtime.test
def test_each_rule_routes_its_pattern_to_the_topic(monitor):
    alerting = declare()

    def check(_):
        rules = records_of(monitor, "aws:cloudwatch/eventRule:EventRule")
        targets = records_of(monitor, "aws:cloudwatch/eventTarget:EventTarget")
        publishing = [*STACK_RULES, *DETECTION_RULES]
        assert set(rules) == {f"alerts-{kind}" for kind in publishing} | {
            "alerts-iam-changed-relay"
        }
        denied_rule = rules["alerts-access-denied"]
        assert denied_rule.inputs["name"] == "acme-dev-access-denied"
        assert denied_rule.inputs["state"] == WITH_READ_ONLY_EVENTS
        assert json.loads(denied_rule.inputs["eventPattern"]) == ACCESS_DENIED
        assert json.loads(rules["alerts-rotation-failed"].inputs["eventPattern"]) == (
            ROTATION_FAILED
        )
        assert json.loads(rules["alerts-secret-deleted"].inputs["eventPattern"]) == DELETED
        assert json.loads(rules["alerts-policy-changed"].inputs["eventPattern"]) == POLICY_CHANGED
        for kind in publishing:
            target = targets[f"alerts-{kind}-target"]
            assert target.inputs["arn"] == TOPIC_ARN
            assert target.inputs["rule"] == f"acme-dev-{kind}"
            assert "region" not in rules[f"alerts-{kind}"].inputs  # the stack's region

    return pulumi.Output.all(*[target.id for target in alerting.targets.values()]).apply(check)


@pulumi.runtime.test
def test_topic_policy_names_every_rule_including_extra_ones(monitor):
    extra = AlertRule(description="x", pattern='{"source": ["aws.sts"]}', state="ENABLED")
    alerting = declare(extra_rules={"break-glass-used": extra})

    def check(rule_arns):
        policy = records_of(monitor, "aws:sns/topicPolicy:TopicPolicy")["alerts-topic-policy"]
        (statement,) = json.loads(policy.inputs["policy"])["Statement"]
        assert policy.inputs["arn"] == TOPIC_ARN
        assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == sorted(rule_arns.values())
        assert rule_arns["break-glass-used"] == (
            "arn:aws:events:eu-west-1:123456789012:rule/acme-dev-break-glass-used"
        )
        # the us-east-1 relay publishes to the bus, not to the topic
        assert set(rule_arns) == {*STACK_RULES, *DETECTION_RULES, "break-glass-used"}

    return pulumi.Output.all(alerting.topic_policy.id, alerting.rule_arns).apply(
        lambda values: check(values[1])
    )


@pulumi.runtime.test
def test_subscriptions_are_one_per_address(monitor):
    alerting = declare(
        emails=["security@example.com", "oncall@example.com"],
        https_endpoints=["https://alerts.example.com/hook"],
    )

    def check(_):
        subscriptions = records_of(monitor, "aws:sns/topicSubscription:TopicSubscription")
        by_endpoint = {s.inputs["endpoint"]: s.inputs for s in subscriptions.values()}
        assert by_endpoint == {
            "security@example.com": {
                "topic": TOPIC_ARN,
                "protocol": "email",
                "endpoint": "security@example.com",
            },
            "oncall@example.com": {
                "topic": TOPIC_ARN,
                "protocol": "email",
                "endpoint": "oncall@example.com",
            },
            "https://alerts.example.com/hook": {
                "topic": TOPIC_ARN,
                "protocol": "https",
                "endpoint": "https://alerts.example.com/hook",
            },
        }
        assert not any("alerts.example.com" in name for name in subscriptions)

    return pulumi.Output.all(*[s.id for s in alerting.subscriptions]).apply(check)


@pulumi.runtime.test
def test_no_trail_unless_asked(monitor):
    alerting = declare()

    def check(_):
        assert alerting.trail_arn is None
        assert records_of(monitor, "aws:cloudtrail/trail:Trail") == {}
        assert records_of(monitor, "aws:s3/bucket:Bucket") == {}

    return alerting.topic_arn.apply(check)


@pulumi.runtime.test
def test_trail_logs_management_events_to_a_private_encrypted_bucket(monitor):
    alerting = declare(create_trail=True)

    def check(trail_arn):
        trail = records_of(monitor, "aws:cloudtrail/trail:Trail")["alerts-trail"]
        bucket = records_of(monitor, "aws:s3/bucket:Bucket")["alerts-trail-bucket"]
        block = records_of(monitor, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        encryption = records_of(
            monitor,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )["alerts-trail-bucket-encryption"]
        policy = records_of(monitor, "aws:s3/bucketPolicy:BucketPolicy")[
            "alerts-trail-bucket-policy"
        ]
        assert trail_arn == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-dev-secrets-trail"
        assert bucket.inputs["bucket"] == "acme-dev-trail-123456789012"
        assert trail.inputs["s3BucketName"] == "acme-dev-trail-123456789012"
        assert trail.inputs["enableLogFileValidation"] is True
        assert trail.inputs["isMultiRegionTrail"] is True
        assert trail.inputs["includeGlobalServiceEvents"] is True
        assert trail.inputs["eventSelectors"] == [
            {"includeManagementEvents": True, "readWriteType": "All"}
        ]
        assert block["alerts-trail-bucket-public-access"].inputs == {
            "bucket": "acme-dev-trail-123456789012",
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        }
        assert encryption.inputs["rules"] == [
            {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
        ]
        assert json.loads(policy.inputs["policy"]) == trail_bucket_policy(
            ACCOUNT, bucket="acme-dev-trail-123456789012", trail_arn=trail_arn
        )

    return alerting.trail_arn.apply(check)
