"""Alert decisions: each rule's pattern against sample CloudTrail events, and the policies."""

from __future__ import annotations

import copy

import pytest

from aws_model.event_patterns import matches, validate_pattern
from design.alerts import (
    STACK_RULES,
    WITH_READ_ONLY_EVENTS,
    access_denied_pattern,
    deletion_pattern,
    endpoint_slug,
    policy_change_pattern,
    rotation_failure_pattern,
    rule_arn,
    topic_arn,
    topic_key_policy,
    topic_policy,
    trail_arn,
    trail_bucket_policy,
)
from design.arns import Account
from design.naming import CI_ROLE_PATH, StackNames

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="dev")
PATH = NAMES.secret_path
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/admin-token-AbCdEf"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-dev-secrets-alerts"


def api_call(event_name: str, request: dict | None, **detail) -> dict:
    """An EventBridge event of a Secrets Manager API call, as CloudTrail delivers it."""
    return {
        "version": "0",
        "id": "6f1d2c0e-0000-4e4e-9a51-2f4f8a9b0c11",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.secretsmanager",
        "account": "123456789012",
        "time": "2025-01-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "AssumedRole",
                "arn": "arn:aws:sts::123456789012:assumed-role/intruder/session",
                "accountId": "123456789012",
            },
            "eventTime": "2025-01-01T12:00:00Z",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "203.0.113.7",
            "userAgent": "aws-cli/2.15.0",
            "requestParameters": request,
            "responseElements": None,
            "requestID": "3c1f2d4e-aaaa-bbbb-cccc-000000000001",
            "eventID": "3c1f2d4e-aaaa-bbbb-cccc-000000000002",
            "readOnly": event_name.startswith(("Get", "Describe", "List")),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": "123456789012",
            "eventCategory": "Management",
            **detail,
        },
    }


def denied(event_name: str, request: dict, code: str = "AccessDenied") -> dict:
    return api_call(
        event_name,
        request,
        errorCode=code,
        errorMessage=f"User is not authorized to perform: secretsmanager:{event_name}",
    )


def rotation_event(event_name: str, secret_id: str) -> dict:
    """A rotation outcome: a service event whose secret is in additionalEventData."""
    event = api_call(event_name, None)
    event["detail-type"] = "AWS Service Event via CloudTrail"
    event["detail"].update(
        userIdentity={"accountId": "123456789012", "invokedBy": "secretsmanager.amazonaws.com"},
        additionalEventData={"SecretId": secret_id},
        eventType="AwsServiceEvent",
        errorMessage="Error when executing lambda during createSecret step",
        readOnly=False,
    )
    return event


ACCESS_DENIED = access_denied_pattern(ACCOUNT, PATH)
ROTATION_FAILED = rotation_failure_pattern(ACCOUNT, PATH)
DELETED = deletion_pattern(ACCOUNT, PATH)
POLICY_CHANGED = policy_change_pattern(ACCOUNT, PATH)


@pytest.mark.parametrize("pattern", [ACCESS_DENIED, ROTATION_FAILED, DELETED, POLICY_CHANGED])
def test_every_pattern_is_one_eventbridge_accepts(pattern):
    validate_pattern(pattern)
    assert pattern["source"] == ["aws.secretsmanager"]


@pytest.mark.parametrize(
    "event",
    [
        denied("GetSecretValue", {"secretId": "acme/dev/admin-token"}),
        denied("GetSecretValue", {"secretId": SECRET_ARN}),
        denied("GetSecretValue", {"secretId": SECRET_ARN[:-7]}),  # a partial ARN
        denied("DescribeSecret", {"secretId": "acme/dev/app-config"}, "AccessDeniedException"),
        denied("PutSecretValue", {"secretId": "acme/dev/admin-token", "clientRequestToken": "t"}),
        denied("DeleteSecret", {"secretId": "acme/dev/admin-token"}),
        denied("CreateSecret", {"name": "acme/dev/planted", "description": "x"}),
        denied("BatchGetSecretValue", {"secretIdList": ["other/x", "acme/dev/admin-token"]}),
    ],
)
def test_access_denied_matches_refused_calls_on_the_stacks_secrets(event):
    assert matches(ACCESS_DENIED, event)


@pytest.mark.parametrize(
    "event",
    [
        api_call("GetSecretValue", {"secretId": "acme/dev/admin-token"}),  # allowed
        denied("GetSecretValue", {"secretId": "acme/prod/admin-token"}),  # another stack
        denied("GetSecretValue", {"secretId": "acme/dev-old/admin-token"}),  # a longer env name
        denied("GetSecretValue", {"secretId": SECRET_ARN.replace("123456789012", "999999999999")}),
        denied("GetSecretValue", {"secretId": "acme/dev/x"}, "ResourceNotFoundException"),
        denied("ListSecrets", {"maxResults": 10}),  # names no secret
    ],
)
def test_access_denied_ignores_everything_else(event):
    assert not matches(ACCESS_DENIED, event)


def test_access_denied_ignores_other_services():
    event = denied("GetSecretValue", {"secretId": "acme/dev/admin-token"})
    event["source"] = "aws.ssm"

    assert not matches(ACCESS_DENIED, event)


@pytest.mark.parametrize("event_name", ["RotationFailed", "RotationAbandoned"])
def test_rotation_failure_matches_failed_and_abandoned_rotations(event_name):
    assert matches(ROTATION_FAILED, rotation_event(event_name, SECRET_ARN))


@pytest.mark.parametrize(
    "event",
    [
        rotation_event("RotationSucceeded", SECRET_ARN),
        rotation_event("RotationStarted", SECRET_ARN),
        rotation_event("RotationFailed", SECRET_ARN.replace("acme/dev/", "acme/prod/")),
    ],
)
def test_rotation_failure_ignores_success_and_other_stacks(event):
    assert not matches(ROTATION_FAILED, event)


def test_rotation_failure_is_a_service_event_not_an_api_call():
    as_api_call = copy.deepcopy(rotation_event("RotationFailed", SECRET_ARN))
    as_api_call["detail-type"] = "AWS API Call via CloudTrail"

    assert not matches(ROTATION_FAILED, as_api_call)


@pytest.mark.parametrize(
    "request_parameters",
    [
        {"secretId": "acme/dev/admin-token", "recoveryWindowInDays": 30},
        {"secretId": SECRET_ARN, "forceDeleteWithoutRecovery": True},
    ],
)
def test_deletion_matches_scheduled_and_immediate_deletion(request_parameters):
    assert matches(DELETED, api_call("DeleteSecret", request_parameters))


@pytest.mark.parametrize(
    "event",
    [
        denied("DeleteSecret", {"secretId": "acme/dev/admin-token"}),  # reported as denied
        api_call("DeleteSecret", {"secretId": "acme/prod/admin-token"}),
        api_call("RestoreSecret", {"secretId": "acme/dev/admin-token"}),
        api_call("UpdateSecret", {"secretId": "acme/dev/admin-token"}),
    ],
)
def test_deletion_ignores_refused_calls_other_stacks_and_other_calls(event):
    assert not matches(DELETED, event)


@pytest.mark.parametrize("event_name", ["PutResourcePolicy", "DeleteResourcePolicy"])
def test_policy_change_matches_put_and_delete(event_name):
    event = api_call(event_name, {"secretId": SECRET_ARN, "resourcePolicy": "{}"})

    assert matches(POLICY_CHANGED, event)


@pytest.mark.parametrize(
    "event",
    [
        api_call("GetResourcePolicy", {"secretId": SECRET_ARN}),
        api_call("ValidateResourcePolicy", {"secretId": SECRET_ARN}),
        api_call("PutResourcePolicy", {"secretId": "acme/prod/admin-token"}),
        denied("PutResourcePolicy", {"secretId": SECRET_ARN}),
    ],
)
def test_policy_change_ignores_reads_other_stacks_and_refused_calls(event):
    assert not matches(POLICY_CHANGED, event)


def test_only_access_denied_needs_read_only_events():
    states = {kind: state for kind, (_, _, state) in STACK_RULES.items()}

    assert states == {
        "access-denied": WITH_READ_ONLY_EVENTS,
        "rotation-failed": "ENABLED",
        "secret-deleted": "ENABLED",
        "policy-changed": "ENABLED",
    }


def test_topic_key_serves_eventbridge_for_this_topic_only():
    policy = topic_key_policy(ACCOUNT, topic_arn=TOPIC_ARN)

    admin, through_sns, eventbridge = policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert "kms:Decrypt" not in admin["Action"]
    assert through_sns["Condition"]["StringEquals"]["kms:ViaService"] == (
        "sns.eu-west-1.amazonaws.com"
    )
    assert eventbridge["Principal"] == {"Service": "events.amazonaws.com"}
    assert eventbridge["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert eventbridge["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC_ARN}
    }


def test_ci_roles_cannot_silence_the_alerts_through_the_key():
    without = topic_key_policy(ACCOUNT, topic_arn=TOPIC_ARN)
    policy = topic_key_policy(ACCOUNT, topic_arn=TOPIC_ARN, ci_role_path=CI_ROLE_PATH)

    deny = policy["Statement"][-1]
    assert len(without["Statement"]) == 3
    assert deny["Effect"] == "Deny"
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"} <= set(deny["Action"])
    assert deny["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/app-secrets-ci/*"}
    }


def test_topic_policy_lets_only_the_stacks_rules_publish():
    rules = [
        "arn:aws:events:eu-west-1:123456789012:rule/acme-dev-secret-deleted",
        "arn:aws:events:eu-west-1:123456789012:rule/acme-dev-access-denied",
    ]

    (statement,) = topic_policy(ACCOUNT, topic_arn=TOPIC_ARN, rule_arns=rules)["Statement"]

    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Resource"] == TOPIC_ARN
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnEquals": {"aws:SourceArn": sorted(rules)},
    }


def test_trail_bucket_policy_admits_this_trail_only_over_tls():
    trail = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-dev-secrets-trail"

    acl, write, tls = trail_bucket_policy(ACCOUNT, bucket="b", trail_arn=trail)["Statement"]

    assert acl["Action"] == "s3:GetBucketAcl" and acl["Resource"] == "arn:aws:s3:::b"
    assert write["Resource"] == "arn:aws:s3:::b/AWSLogs/123456789012/*"
    assert write["Condition"]["StringEquals"] == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SourceArn": trail,
    }
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}
    assert tls["Effect"] == "Deny"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_arns_follow_the_stacks_names():
    assert topic_arn(ACCOUNT, NAMES.alert_topic_name) == TOPIC_ARN
    assert rule_arn(ACCOUNT, NAMES.alert_rule_name("access-denied")) == (
        "arn:aws:events:eu-west-1:123456789012:rule/acme-dev-access-denied"
    )
    assert trail_arn(ACCOUNT, NAMES.trail_name) == (
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-dev-secrets-trail"
    )


def test_endpoint_slug_is_stable_short_and_hides_the_endpoint():
    endpoint = "https://alerts.example.com/hook?token=s3cr3t"

    slug = endpoint_slug(endpoint)

    assert slug == endpoint_slug(endpoint)
    assert len(slug) == 10 and all(character in "0123456789abcdef" for character in slug)
    assert "example" not in slug and "s3cr3t" not in slug
    assert slug != endpoint_slug("https://alerts.example.com/other")
