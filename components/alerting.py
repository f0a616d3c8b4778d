"""Alerting: an encrypted SNS topic fed by EventBridge rules on the stack's secrets' events."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.grants import Account, compact, document
from components.kms import KEY_ADMIN_ACTIONS

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


@dataclass(frozen=True)
class AlertRule:
    """One EventBridge rule of the alert topic."""

    description: str
    pattern: pulumi.Input[str]
    """The event pattern, as JSON text."""
    state: str = ENABLED
    """`ENABLED`, or WITH_READ_ONLY_EVENTS when it matches read-only CloudTrail events."""


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


def _successful_call(account: Account, secret_path: str, event_names: Sequence[str]) -> dict:
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
    return _successful_call(account, secret_path, DELETIONS)


def policy_change_pattern(account: Account, secret_path: str) -> dict:
    """A resource policy put on or removed from a stack secret."""
    return _successful_call(account, secret_path, POLICY_CHANGES)


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
        {
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": account.root},
            "Action": list(KEY_ADMIN_ACTIONS),
            "Resource": "*",
        },
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
        {
            "Sid": "EventBridgeEncryptsForTheAlertTopic",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": list(TOPIC_KEY_USE),
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}},
        },
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
            {
                "Sid": "StackRulesPublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                    "ArnEquals": {"aws:SourceArn": sorted(rule_arns)},
                },
            }
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
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": only_this_trail,
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/AWSLogs/{account.account_id}/*",
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": trail_arn,
                    }
                },
            },
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


@dataclass(frozen=True)
class TrailArgs:
    trail_name: str
    bucket_name: pulumi.Input[str]
    """Globally unique: `{prefix}-{env}-trail-{account}`."""


@dataclass(frozen=True)
class AlertingArgs:
    topic_name: str
    """`{prefix}-{env}-secrets-alerts`."""
    rule_name_stem: str
    """`{prefix}-{env}`: each rule is named `{stem}-{kind}`."""
    secret_path: str
    """`{prefix}/{env}/`: the rules match events on secrets under it only."""
    account: AwsAccount
    emails: Sequence[str] = ()
    """Email subscriptions; each address gets a confirmation mail. Default: none."""
    https_endpoints: Sequence[str] = ()
    """HTTPS subscriptions; each endpoint must confirm. Default: none."""
    extra_rules: Mapping[str, AlertRule] = field(default_factory=dict)
    """More rules to the same topic, by kind (e.g. `break-glass-used`). Default: none."""
    trail: TrailArgs | None = None
    """A multi-region trail of management events and its bucket. Default: none (most accounts
    have an organization trail; EventBridge receives CloudTrail events without a trail)."""
    key_deletion_window_days: int = 30
    """Days between scheduling the topic key's deletion and the key being gone (7-30)."""
    ci_role_path: str | None = None
    """The CI roles' IAM path: they may not change or delete the topic key. Default: no deny."""
    protect: bool = False
    """Pulumi `protect` on the topic key and the trail bucket. Default: off."""
    tags: Mapping[str, str] = field(default_factory=dict)


class Alerting(pulumi.ComponentResource):
    """An SNS topic, encrypted with its own rotating key, and the rules that publish to it.

    Rules (each `{stem}-{kind}`): `access-denied`, `rotation-failed`, `secret-deleted`,
    `policy-changed`, plus `extra_rules`. A fixed number of resources, whatever the number of
    secrets: the rules match the stack's path by prefix.
    """

    topic_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    rule_arns: dict[str, pulumi.Output[str]]
    trail_arn: pulumi.Output[str] | None
    targets: dict[str, aws.cloudwatch.EventTarget]
    subscriptions: list[aws.sns.TopicSubscription]
    topic_policy: aws.sns.TopicPolicy

    def __init__(
        self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:alerting:Alerting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = args.account.resolved()
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the SNS topic {args.topic_name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.key_deletion_window_days,
            # The topic's ARN follows from its name, so the policy needs no topic yet.
            policy=account.apply(
                lambda resolved: compact(
                    topic_key_policy(
                        resolved,
                        topic_arn=topic_arn(resolved, args.topic_name),
                        ci_role_path=args.ci_role_path,
                    )
                )
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{args.topic_name}",
            target_key_id=self.key.key_id,
            opts=child,
        )
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            kms_master_key_id=self.key.arn,
            tags=dict(args.tags),
            opts=child,
        )
        self.rule_arns, self.targets, self.subscriptions = {}, {}, []
        for kind, rule in {**self._stack_rules(args, account), **args.extra_rules}.items():
            self.rule_arns[kind] = self._rule(name, kind, rule, args, child)
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(account, self.topic.arn, *self.rule_arns.values()).apply(
                lambda values: compact(
                    topic_policy(values[0], topic_arn=values[1], rule_arns=values[2:])
                )
            ),
            opts=child,
        )
        self._subscriptions(name, args, child)
        self.trail_arn = self._trail(name, args.trail, args, account) if args.trail else None
        self.topic_arn = self.topic.arn
        self.key_arn = self.key.arn
        outputs = {"topicArn": self.topic_arn, "keyArn": self.key_arn, "ruleArns": self.rule_arns}
        if self.trail_arn is not None:
            outputs["trailArn"] = self.trail_arn
        self.register_outputs(outputs)

    @staticmethod
    def _stack_rules(args: AlertingArgs, account: pulumi.Output[Account]) -> dict[str, AlertRule]:
        return {
            kind: AlertRule(
                description=description,
                pattern=account.apply(
                    lambda resolved, build=build: compact(build(resolved, args.secret_path))
                ),
                state=state,
            )
            for kind, (description, build, state) in STACK_RULES.items()
        }

    def _rule(
        self,
        name: str,
        kind: str,
        rule: AlertRule,
        args: AlertingArgs,
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        event_rule = aws.cloudwatch.EventRule(
            f"{name}-{kind}",
            name=f"{args.rule_name_stem}-{kind}",
            description=rule.description,
            event_pattern=rule.pattern,
            state=rule.state,
            tags=dict(args.tags),
            opts=child,
        )
        self.targets[kind] = aws.cloudwatch.EventTarget(
            f"{name}-{kind}-target",
            rule=event_rule.name,
            target_id="alert-topic",
            arn=self.topic.arn,
            opts=child,
        )
        return event_rule.arn

    def _subscriptions(self, name: str, args: AlertingArgs, child: pulumi.ResourceOptions) -> None:
        for email in args.emails:
            subscription = aws.sns.TopicSubscription(
                f"{name}-email-{email}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
            self.subscriptions.append(subscription)
        for endpoint in args.https_endpoints:
            subscription = aws.sns.TopicSubscription(
                f"{name}-https-{endpoint_slug(endpoint)}",
                topic=self.topic.arn,
                protocol="https",
                endpoint=endpoint,
                opts=child,
            )
            self.subscriptions.append(subscription)

    def _trail(
        self,
        name: str,
        trail: TrailArgs,
        args: AlertingArgs,
        account: pulumi.Output[Account],
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{name}-trail-bucket",
            bucket=trail.bucket_name,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-trail-bucket-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-trail-bucket-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        bucket_policy = aws.s3.BucketPolicy(
            f"{name}-trail-bucket-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(account, bucket.bucket).apply(
                lambda values: compact(
                    trail_bucket_policy(
                        values[0],
                        bucket=values[1],
                        trail_arn=trail_arn(values[0], trail.trail_name),
                    )
                )
            ),
            # S3 refuses a bucket policy while the public access block is being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_block]),
        )
        created = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail.trail_name,
            s3_bucket_name=bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            event_selectors=[
                aws.cloudtrail.TrailEventSelectorArgs(
                    read_write_type="All", include_management_events=True
                )
            ],
            tags=dict(args.tags),
            # CloudTrail checks at creation that it may write to the bucket; logs land encrypted.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket_policy, encryption]),
        )
        return created.arn
