"""Alert decisions: event patterns on the stack's secrets; the topic, key and trail policies."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from design.arns import Account
from design.iam import document, service_allow
from design.key_policy import account_administers_key

EVENTS_PRINCIPAL = "events.amazonaws.com"
CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
SECRETS_MANAGER_SOURCE = "aws.secretsmanager"
SECRETS_MANAGER_EVENT_SOURCE = "secretsmanager.amazonaws.com"
API_CALL = "AWS API Call via CloudTrail"
"""Secrets Manager operations (DeleteSecret, GetSecretValue, ...) reach EventBridge as this."""
SERVICE_EVENT = "AWS Service Event via CloudTrail"
"""Rotation outcomes (RotationFailed, ...) are service events, not API calls."""
ACCESS_DENIED_CODES = ("AccessDenied", "AccessDeniedException")
ROTATION_FAILURES = ("RotationFailed", "RotationAbandoned")
DELETIONS = ("DeleteSecret",)
POLICY_CHANGES = ("DeleteResourcePolicy", "PutResourcePolicy")
ENABLED = "ENABLED"
WITH_READ_ONLY_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
"""Read-only calls (GetSecretValue, DescribeSecret, sts:AssumeRole) reach only such rules."""
TOPIC_KEY_USE = ("kms:Decrypt", "kms:GenerateDataKey*")
KEY_TAMPERING = (
    "kms:CreateGrant",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
)
"""What would silence the alerts by breaking the topic's encryption."""


def secret_references(account: Account, secret_path: str) -> list[dict]:
    """How an event names one of the stack's secrets: by name or by (partial) ARN, by prefix."""
    return [
        {"prefix": secret_path},
        {"prefix": account.arn("secretsmanager", f"secret:{secret_path}")},
    ]


def access_denied_pattern(account: Account, secret_path: str) -> dict:
    """A call on a stack secret that IAM, a resource policy or KMS refused.

    The secret is `secretId` for most operations, `name` for CreateSecret and `secretIdList`
    for BatchGetSecretValue.
    """
    references = secret_references(account, secret_path)
    return {
        "source": [SECRETS_MANAGER_SOURCE],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [SECRETS_MANAGER_EVENT_SOURCE],
            "errorCode": list(ACCESS_DENIED_CODES),
            "$or": [
                {"requestParameters": {"secretId": references}},
                {"requestParameters": {"name": references}},
                {"requestParameters": {"secretIdList": references}},
            ],
        },
    }


def rotation_failure_pattern(account: Account, secret_path: str) -> dict:
    """A failed or abandoned rotation; the secret's ARN is in `additionalEventData.SecretId`."""
    return {
        "source": [SECRETS_MANAGER_SOURCE],
        "detail-type": [SERVICE_EVENT],
        "detail": {
            "eventSource": [SECRETS_MANAGER_EVENT_SOURCE],
            "eventName": list(ROTATION_FAILURES),
            "additionalEventData": {"SecretId": secret_references(account, secret_path)},
        },
    }


def _successful_call(account: Account, secret_path: str, *, event_names: Sequence[str]) -> dict:
    # A refused call has an errorCode and is reported by the access-denied rule instead.
    return {
        "source": [SECRETS_MANAGER_SOURCE],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [SECRETS_MANAGER_EVENT_SOURCE],
            "eventName": list(event_names),
            "errorCode": [{"exists": False}],
            "requestParameters": {"secretId": secret_references(account, secret_path)},
        },
    }


def deletion_pattern(account: Account, secret_path: str) -> dict:
    """DeleteSecret, scheduled (a recovery window) or immediate (ForceDeleteWithoutRecovery)."""
    return _successful_call(account, secret_path, event_names=DELETIONS)


def policy_change_pattern(account: Account, secret_path: str) -> dict:
    """A resource policy put on or removed from a stack secret."""
    return _successful_call(account, secret_path, event_names=POLICY_CHANGES)


STACK_RULES = {
    "access-denied": (
        "Access denied on a secret of the stack",
        access_denied_pattern,
        WITH_READ_ONLY_EVENTS,
    ),
    "rotation-failed": (
        "A rotation of a secret of the stack failed or was abandoned",
        rotation_failure_pattern,
        ENABLED,
    ),
    "secret-deleted": (
        "A secret of the stack was deleted or scheduled for deletion",
        deletion_pattern,
        ENABLED,
    ),
    "policy-changed": (
        "The resource policy of a secret of the stack was put or deleted",
        policy_change_pattern,
        ENABLED,
    ),
}
"""Rule kind (the rule name's suffix) -> description, pattern builder, state."""


def topic_arn(account: Account, topic_name: str) -> str:
    return account.arn("sns", topic_name)


def rule_arn(account: Account, rule_name: str) -> str:
    return account.arn("events", f"rule/{rule_name}")


def topic_key_policy(account: Account, *, topic_arn: str, ci_role_path: str | None = None) -> dict:
    """The account administers the key; EventBridge may use it for this one topic only.

    SNS encrypts each message under the context `aws:sns:topicArn`, so the condition on it
    stops the key from serving any other topic. Principals of the account may use it only
    through SNS (to publish a test message). ci-deploy may manage keys tagged with the stack's
    Project and Environment, this one included: the roles under `ci_role_path` are denied
    what would silence the alerts.
    """
    statements = [
        account_administers_key(account),
        {
            "Sid": "AccountUsesKeyThroughSns",
            "Effect": "Allow",
            "Principal": {"AWS": account.root},
            "Action": list(TOPIC_KEY_USE),
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": f"sns.{account.region}.amazonaws.com",
                    "kms:CallerAccount": account.account_id,
                }
            },
        },
        service_allow(
            "EventBridgeEncryptsForTheAlertTopic",
            EVENTS_PRINCIPAL,
            actions=list(TOPIC_KEY_USE),
            resource="*",
            condition={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}},
        ),
    ]
    if ci_role_path:
        statements.append(
            {
                "Sid": "CiCannotSilenceAlerts",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": list(KEY_TAMPERING),
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": account.arn("iam", f"role{ci_role_path}*")}
                },
            }
        )
    return document(statements)


def topic_policy(account: Account, *, topic_arn: str, rule_arns: Sequence[str]) -> dict:
    """Only the stack's own rules, in this account, may publish (no confused deputy)."""
    return document(
        [
            service_allow(
                "StackRulesPublish",
                EVENTS_PRINCIPAL,
                actions="sns:Publish",
                resource=topic_arn,
                condition={
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                    "ArnEquals": {"aws:SourceArn": sorted(rule_arns)},
                },
            )
        ]
    )


def trail_arn(account: Account, trail_name: str) -> str:
    return account.arn("cloudtrail", f"trail/{trail_name}")


def trail_bucket_policy(account: Account, *, bucket: str, trail_arn: str) -> dict:
    """CloudTrail's documented bucket policy, for this trail only, and TLS only."""
    bucket_arn = f"arn:{account.partition}:s3:::{bucket}"
    only_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
    return document(
        [
            service_allow(
                "CloudTrailAclCheck",
                CLOUDTRAIL_PRINCIPAL,
                actions="s3:GetBucketAcl",
                resource=bucket_arn,
                condition=only_this_trail,
            ),
            service_allow(
                "CloudTrailWrite",
                CLOUDTRAIL_PRINCIPAL,
                actions="s3:PutObject",
                resource=f"{bucket_arn}/AWSLogs/{account.account_id}/*",
                condition={
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": trail_arn,
                    }
                },
            ),
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def endpoint_slug(endpoint: str) -> str:
    """A stable resource name part for a subscription; a URL may hold a token, so a digest."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:10]
