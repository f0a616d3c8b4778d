"""Detection decisions: each pattern against documented sample events, and the relay's IAM."""

from __future__ import annotations

import json

import pytest

from aws_model.event_patterns import matches, validate_pattern
from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.detection import (
    EVENT_PATTERN_LIMIT,
    IAM_EVENT_REGION,
    analyzer_name,
    check_analyzer_region,
    default_bus_arn,
    external_access_pattern,
    iam_change_pattern,
    needs_iam_relay,
    off_path_role_arns,
    relay_policy,
    relay_rule_arn,
    relay_trust,
    stack_role_names,
)
from design.iam import compact
from design.naming import StackNames
from tests.design.service_requests import ACCOUNT_ID, OTHER_ACCOUNT_ID, assume, source

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="dev")
ROLE_NAMES = stack_role_names(NAMES, ["api", "worker"])
IAM = "arn:aws:iam::123456789012"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
TOPIC_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/9999aaaa-2222-3333-4444-555566667777"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-dev-secrets-alerts"
BOUNDARY_ARN = f"{IAM}:policy/app-secrets-boundary/acme-dev-workload-boundary"
MASTERS_ARN = f"{IAM}:policy/app-secrets/acme-dev/acme-dev-rotation-masters"
EXTERNAL_ACCESS = external_access_pattern(
    ACCOUNT,
    names=NAMES,
    resource_arns=[*off_path_role_arns(ACCOUNT, NAMES), KEY_ARN, TOPIC_KEY_ARN, TOPIC_ARN],
)
IAM_CHANGED = iam_change_pattern(ACCOUNT, names=NAMES, role_names=ROLE_NAMES)


def finding(resource: str, resource_type: str, *, status: str = "ACTIVE", **detail) -> dict:
    """An Access Analyzer finding as EventBridge delivers it (the IAM User Guide's example)."""
    return {
        "version": "0",
        "id": "11111111-2222-4444-aaaa-333333333333",
        "detail-type": "Access Analyzer Finding",
        "source": "aws.access-analyzer",
        "account": "123456789012",
        "time": "2025-01-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [
            "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/acme-dev-external-access"
        ],
        "detail": {
            "version": "1.0",
            "id": "22222222-dcba-4444-dcba-333333333333",
            "status": status,
            "resourceType": resource_type,
            "resource": resource,
            "createdAt": "2025-01-01T11:58:50Z",
            "analyzedAt": "2025-01-01T11:59:22Z",
            "updatedAt": "2025-01-01T11:59:22Z",
            "accountId": "123456789012",
            "region": "eu-west-1",
            "principal": {"AWS": "999988887777"},
            "action": ["secretsmanager:GetSecretValue"],
            "condition": {},
            "isDeleted": False,
            "isPublic": False,
            **detail,
        },
    }


SECRET = "AWS::SecretsManager::Secret"
ROLE = "AWS::IAM::Role"
KEY = "AWS::KMS::Key"
DEV_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/admin-token-AbCdEf"


def test_both_patterns_are_ones_eventbridge_accepts_within_its_quota():
    for pattern in (EXTERNAL_ACCESS, IAM_CHANGED):
        validate_pattern(pattern)
        assert len(compact(pattern)) <= EVENT_PATTERN_LIMIT


@pytest.mark.parametrize(
    "event",
    [
        finding(DEV_SECRET, SECRET),
        finding(DEV_SECRET, SECRET, isPublic=True, principal={"AWS": "*"}),
        finding(KEY_ARN, KEY, action=["kms:Decrypt"]),
        finding(TOPIC_KEY_ARN, KEY, action=["kms:Decrypt"]),
        finding(TOPIC_ARN, "AWS::SNS::Topic", action=["sns:Subscribe"]),
        finding(f"{IAM}:role/app-secrets/acme-dev/acme-dev-api-task", ROLE),
        finding(f"{IAM}:role/app-secrets/acme-dev/planted-by-ci", ROLE),
        finding(f"{IAM}:role/app-secrets-ci/acme-dev-ci-deploy", ROLE),
        finding(f"{IAM}:role/app-secrets-break-glass/acme-dev-break-glass", ROLE),
        finding(f"{IAM}:role/app-secrets-alerting/acme-dev-iam-relay", ROLE),
        # an error finding: the analyzer could not read the key's policy
        finding(KEY_ARN, KEY, error="ACCESS_DENIED", principal=None, action=None),
    ],
    ids=lambda event: event["detail"]["resource"].rsplit(":", 1)[-1],
)
def test_external_access_matches_active_findings_on_the_stack(event):
    assert matches(EXTERNAL_ACCESS, event)


@pytest.mark.parametrize(
    "event",
    [
        finding(DEV_SECRET.replace("acme/dev/", "acme/prod/"), SECRET),
        finding(DEV_SECRET.replace("acme/dev/", "acme/dev-x/"), SECRET),
        finding(DEV_SECRET.replace("123456789012", "999988887777"), SECRET),
        finding(f"{IAM}:role/app-secrets/acme-prod/acme-prod-api-task", ROLE),
        finding(f"{IAM}:role/app-secrets/acme-dev-x/acme-dev-x-api-task", ROLE),
        finding(f"{IAM}:role/app-secrets-ci/acme-prod-ci-deploy", ROLE),
        finding(KEY_ARN.replace("1111aaaa", "0000ffff"), KEY),
        finding("arn:aws:s3:::acme-dev-trail-123456789012", "AWS::S3::Bucket"),
        finding(DEV_SECRET, SECRET, status="ARCHIVED"),
        finding(DEV_SECRET, SECRET, status="RESOLVED"),
        {**finding(DEV_SECRET, SECRET), "detail-type": "Unused Access Finding for IAM entities"},
    ],
    ids=[
        "other-stack",
        "hyphen-neighbour",
        "other-account",
        "other-stack-role",
        "neighbour-role",
        "other-stack-ci",
        "other-key",
        "bucket",
        "archived",
        "resolved",
        "unused-access",
    ],
)
def test_external_access_ignores_other_resources_and_settled_findings(event):
    assert not matches(EXTERNAL_ACCESS, event)


def iam_call(event_name: str, request: dict, *, response: dict | None = None, **detail) -> dict:
    """An IAM API call as CloudTrail hands it to EventBridge: in us-east-1, whatever the region
    of the stack (the IAM User Guide's CreateRole example, in EventBridge's envelope)."""
    return {
        "version": "0",
        "id": "7e2d1c0e-0000-4e4e-9a51-2f4f8a9b0c11",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.iam",
        "account": "123456789012",
        "time": "2025-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "AssumedRole",
                "arn": "arn:aws:sts::123456789012:assumed-role/acme-dev-ci-deploy/GitHubActions",
                "accountId": "123456789012",
            },
            "eventTime": "2025-01-01T12:00:00Z",
            "eventSource": "iam.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.7",
            "userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.5.7",
            "requestParameters": request,
            "responseElements": response,
            "requestID": "3c1f2d4e-aaaa-bbbb-cccc-000000000001",
            "eventID": "3c1f2d4e-aaaa-bbbb-cccc-000000000002",
            "readOnly": event_name.startswith(("Get", "List")),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": "123456789012",
            "eventCategory": "Management",
            **detail,
        },
    }


OUTSIDE_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def create_role(name: str, path: str | None) -> dict:
    request = {"roleName": name, "assumeRolePolicyDocument": OUTSIDE_TRUST}
    if path is not None:  # CloudTrail logs only the parameters the call passed
        request["path"] = path
    role_path = path or "/"
    response = {
        "role": {
            "path": role_path,
            "roleName": name,
            "roleId": "AROAEXAMPLEID0000000",
            "arn": f"{IAM}:role{role_path}{name}",
            "createDate": "Jan 1, 2025 12:00:00 PM",
        }
    }
    return iam_call("CreateRole", request, response=response)


@pytest.mark.parametrize(
    "event",
    [
        create_role("planted", "/app-secrets/acme-dev/"),
        create_role("planted", "/app-secrets/acme-dev/deeper/"),
        create_role("acme-dev-break-glass", "/"),
        iam_call(
            "UpdateAssumeRolePolicy",
            {"roleName": "acme-dev-api-task", "policyDocument": OUTSIDE_TRUST},
        ),
        iam_call(
            "UpdateAssumeRolePolicy", {"roleName": "acme-dev-ci-deploy", "policyDocument": "{}"}
        ),
        iam_call(
            "PutRolePolicy",
            {"roleName": "acme-dev-rotation", "policyName": "grants", "policyDocument": "{}"},
        ),
        iam_call(
            "AttachRolePolicy",
            {
                "roleName": "acme-dev-api-exec",
                "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
        ),
        iam_call("AttachRolePolicy", {"roleName": "someone-else", "policyArn": MASTERS_ARN}),
        iam_call(
            "PutRolePermissionsBoundary",
            {
                "roleName": "acme-dev-worker-task",
                "permissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
        ),
        iam_call("DeleteRolePermissionsBoundary", {"roleName": "acme-dev-worker-exec"}),
        iam_call(
            "CreatePolicyVersion",
            {"policyArn": BOUNDARY_ARN, "policyDocument": "{}", "setAsDefault": True},
        ),
        iam_call(
            "CreatePolicyVersion",
            {"policyArn": MASTERS_ARN, "policyDocument": "{}", "setAsDefault": True},
        ),
        iam_call("SetDefaultPolicyVersion", {"policyArn": MASTERS_ARN, "versionId": "v1"}),
        iam_call(
            "UpdateAssumeRolePolicy", {"roleName": "acme-dev-iam-relay", "policyDocument": "{}"}
        ),
        # refused: still worth knowing who tried
        iam_call(
            "UpdateAssumeRolePolicy",
            {"roleName": "acme-dev-api-task", "policyDocument": OUTSIDE_TRUST},
            errorCode="AccessDenied",
            errorMessage="User is not authorized to perform: iam:UpdateAssumeRolePolicy",
        ),
    ],
    ids=lambda event: event["detail"]["eventName"],
)
def test_iam_changed_matches_changes_to_the_stack_roles_and_policies(event):
    assert matches(IAM_CHANGED, event)


@pytest.mark.parametrize(
    "event",
    [
        create_role("planted", "/app-secrets/acme-dev-x/"),
        create_role("planted", "/app-secrets/acme-prod/"),
        create_role("unrelated", None),
        iam_call(
            "UpdateAssumeRolePolicy", {"roleName": "acme-prod-api-task", "policyDocument": "{}"}
        ),
        iam_call(
            "UpdateAssumeRolePolicy", {"roleName": "acme-dev-x-api-task", "policyDocument": "{}"}
        ),
        iam_call(
            "CreatePolicyVersion",
            {"policyArn": BOUNDARY_ARN.replace("acme-dev", "acme-prod"), "policyDocument": "{}"},
        ),
        iam_call("GetRole", {"roleName": "acme-dev-api-task"}),
        iam_call("DeleteRole", {"roleName": "acme-dev-api-task"}),
        {**iam_call("PutRolePolicy", {"roleName": "acme-dev-rotation"}), "source": "aws.sts"},
    ],
    ids=[
        "neighbour-path",
        "other-stack-path",
        "root-path",
        "other-stack-role",
        "neighbour-role",
        "other-boundary",
        "read",
        "delete",
        "other-source",
    ],
)
def test_iam_changed_ignores_other_stacks_and_harmless_calls(event):
    assert not matches(IAM_CHANGED, event)


def test_iam_changed_falls_back_to_the_stem_beyond_eventbridge_s_quota():
    # GIVEN more role names than a 2048-character pattern holds
    many = stack_role_names(NAMES, [f"service-{index:03}" for index in range(60)])

    # WHEN the pattern is built
    pattern = iam_change_pattern(ACCOUNT, names=NAMES, role_names=many)

    # THEN it still fits, still sees the stack's roles, and not another environment's
    assert len(compact(pattern)) <= EVENT_PATTERN_LIMIT
    update = {"roleName": "acme-dev-service-042-task", "policyDocument": "{}"}
    assert matches(pattern, iam_call("UpdateAssumeRolePolicy", update))
    update["roleName"] = "acme-prod-service-042-task"
    assert not matches(pattern, iam_call("UpdateAssumeRolePolicy", update))


def test_stack_role_names_cover_every_role_the_stack_gives_a_name():
    assert ROLE_NAMES == [
        "acme-dev-api-exec",
        "acme-dev-api-task",
        "acme-dev-break-glass",
        "acme-dev-ci-deploy",
        "acme-dev-ci-preview",
        "acme-dev-iam-relay",
        "acme-dev-restarts-events",
        "acme-dev-restarts-sfn",
        "acme-dev-rotation",
        "acme-dev-worker-exec",
        "acme-dev-worker-task",
    ]


def test_names_fit_aws_limits_for_the_longest_stack():
    longest = StackNames(prefix="a" * 24, environment="e" * 16)

    assert len(longest.iam_relay_role_name) <= 64
    assert len(longest.alert_rule_name("external-access")) <= 64
    assert analyzer_name(NAMES) == "acme-dev-external-access"


@pytest.mark.parametrize(
    ("region", "relay"),
    [("us-east-1", False), ("eu-west-1", True), ("us-west-2", True), ("us-gov-west-1", False)],
)
def test_a_relay_is_needed_outside_us_east_1_where_eventbridge_can_route(region, relay):
    assert needs_iam_relay(region) is relay


RELAY_RULE = "arn:aws:events:us-east-1:123456789012:rule/acme-dev-iam-changed"
RELAY_ROLE = f"{IAM}:role/app-secrets-alerting/acme-dev-iam-relay"


def test_the_relay_rule_is_in_us_east_1_and_forwards_to_the_stack_region():
    assert IAM_EVENT_REGION == "us-east-1"
    assert relay_rule_arn(ACCOUNT, "acme-dev-iam-changed") == RELAY_RULE
    assert default_bus_arn(ACCOUNT) == "arn:aws:events:eu-west-1:123456789012:event-bus/default"


EVENTS = "events.amazonaws.com"


@pytest.mark.parametrize(
    ("principal", "context", "decision"),
    [
        (EVENTS, source(ACCOUNT_ID, RELAY_RULE), Decision.ALLOW),
        (
            EVENTS,
            source(OTHER_ACCOUNT_ID, RELAY_RULE.replace(ACCOUNT_ID, OTHER_ACCOUNT_ID)),
            Decision.IMPLICIT_DENY,
        ),
        (
            EVENTS,
            source(ACCOUNT_ID, RELAY_RULE.replace("iam-changed", "access-denied")),
            Decision.IMPLICIT_DENY,
        ),
        ("lambda.amazonaws.com", source(ACCOUNT_ID, RELAY_RULE), Decision.IMPLICIT_DENY),
    ],
    ids=["relay-rule", "other-account", "other-rule", "other-service"],
)
def test_only_the_relay_rule_may_assume_the_relay_role(principal, context, decision):
    trust = relay_trust(ACCOUNT, rule_arn=RELAY_RULE)

    assert assume(trust, principal, role_arn=RELAY_ROLE, **context) is decision


@pytest.mark.parametrize(
    ("action", "resource", "decision"),
    [
        (
            "events:PutEvents",
            "arn:aws:events:eu-west-1:123456789012:event-bus/default",
            Decision.ALLOW,
        ),
        (
            "events:PutEvents",
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
            Decision.IMPLICIT_DENY,
        ),
        (
            "events:PutEvents",
            "arn:aws:events:eu-west-1:123456789012:event-bus/custom",
            Decision.IMPLICIT_DENY,
        ),
        ("events:PutRule", RELAY_RULE, Decision.IMPLICIT_DENY),
    ],
    ids=["stack-bus", "us-east-1-bus", "custom-bus", "put-rule"],
)
def test_the_relay_role_may_only_put_events_on_the_stack_region_bus(action, resource, decision):
    request = Request(principal_arn=RELAY_ROLE, action=action, resource_arn=resource, context={})

    assert evaluate(request, identity_policies=[relay_policy(ACCOUNT)]) is decision


def test_an_analyzer_of_another_region_is_refused_with_the_reason():
    check_analyzer_region(
        "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/org", region="eu-west-1"
    )
    with pytest.raises(ValueError, match="in us-east-1, the stack deploys in eu-west-1"):
        check_analyzer_region(
            "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/org", region="eu-west-1"
        )
