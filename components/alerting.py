"""Alerting: an encrypted SNS topic fed by EventBridge rules on the stack's secrets' events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.detection import access_analyzer, external_access, iam_changes, iam_event_relay
from design.alerts import (
    ENABLED,
    STACK_RULES,
    endpoint_slug,
    topic_arn,
    topic_key_policy,
    topic_policy,
    trail_arn,
    trail_bucket_policy,
)
from design.arns import Account
from design.detection import (
    DETECTION_RULES,
    EXTERNAL_ACCESS,
    IAM_CHANGED,
    check_analyzer_region,
    needs_iam_relay,
)
from design.iam import compact
from design.naming import CI_ROLE_PATH, StackNames


@dataclass(frozen=True)
class AlertRule:
    """One EventBridge rule of the alert topic."""

    description: str
    pattern: pulumi.Input[str]
    """The event pattern, as JSON text."""
    state: str = ENABLED
    """`ENABLED`, or WITH_READ_ONLY_EVENTS when it matches read-only CloudTrail events."""


@dataclass(frozen=True)
class AlertingArgs:
    names: StackNames
    """The stack's names: topic `{prefix}-{env}-secrets-alerts`, rules `{prefix}-{env}-{kind}`,
    matching events on the secrets under `{prefix}/{env}/` only. Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    region: str
    """The stack's region as plain text (`aws:region`): outside us-east-1, where IAM's events
    reach EventBridge, a relay rule there forwards them to this region. Required."""
    role_names: Sequence[str] = ()
    """Names of the stack's roles, whose trust and policy changes alert: IAM logs such a change
    by role name only. Default: none, and only roles created under the workload path and
    changes to the stack's managed policies alert."""
    key_arns: Sequence[pulumi.Input[str]] = ()
    """KMS keys besides the topic's whose access from outside the account alerts (the stack
    key). Default: none."""
    access_analyzer_arn: str | None = None
    """An existing analyzer of the stack's region (an organization's, say) to rely on instead of
    creating one. Default: none, and the stack creates an ACCOUNT analyzer
    `{prefix}-{env}-external-access` (AWS allows one per account and region outside the
    organization's administrators)."""
    emails: Sequence[str] = ()
    """Email subscriptions; each address gets a confirmation mail. Default: none."""
    https_endpoints: Sequence[str] = ()
    """HTTPS subscriptions; each endpoint must confirm. Default: none."""
    extra_rules: Mapping[str, AlertRule] = field(default_factory=dict)
    """More rules to the same topic, by kind (e.g. `break-glass-used`). Default: none."""
    create_trail: bool = False
    """A multi-region trail of management events and its bucket `{prefix}-{env}-trail-{account}`.
    Default: off (most accounts have an organization trail; EventBridge receives CloudTrail
    events without a trail)."""
    key_deletion_window_days: int = 30
    """Days between scheduling the topic key's deletion and the key being gone (AWS allows
    7-30). Default: 30."""
    ci_role_path: str | None = CI_ROLE_PATH
    """The CI roles' IAM path: they may not change or delete the topic key. None: no deny.
    Default: `/app-secrets-ci/`."""
    protect: bool = False
    """Pulumi `protect` on the topic key and the trail bucket. Default: off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every resource that takes them. Default: none."""


class Alerting(pulumi.ComponentResource):
    """An SNS topic, encrypted with its own rotating key, and the rules that publish to it.

    Rules (each `{stem}-{kind}`): `access-denied`, `rotation-failed`, `secret-deleted`,
    `policy-changed`, `external-access` (Access Analyzer findings), `iam-changed` (outside
    us-east-1 fed by a relay rule there), plus `extra_rules`. A fixed number of resources,
    whatever the number of secrets: the rules match the stack's path by prefix.
    """

    topic_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    rule_arns: dict[str, pulumi.Output[str]]
    """Rule kind -> ARN of every rule that publishes to the topic."""
    relay_rule_arn: pulumi.Output[str] | None
    """The us-east-1 rule forwarding IAM's events, when the stack deploys elsewhere."""
    access_analyzer_arn: pulumi.Output[str]
    trail_arn: pulumi.Output[str] | None
    targets: dict[str, aws.cloudwatch.EventTarget]
    subscriptions: list[aws.sns.TopicSubscription]
    topic_policy: aws.sns.TopicPolicy

    def __init__(
        self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if args.access_analyzer_arn:  # checked before anything is declared
            check_analyzer_region(args.access_analyzer_arn, region=args.region)
        super().__init__("app-secrets:alerting:Alerting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = args.account.resolved()
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the SNS topic {args.names.alert_topic_name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.key_deletion_window_days,
            # The topic's ARN follows from its name, so the policy needs no topic yet.
            policy=account.apply(
                lambda resolved: compact(
                    topic_key_policy(
                        resolved,
                        topic_arn=topic_arn(resolved, args.names.alert_topic_name),
                        ci_role_path=args.ci_role_path,
                    )
                )
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{args.names.alert_topic_name}",
            target_key_id=self.key.key_id,
            opts=child,
        )
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.names.alert_topic_name,
            kms_master_key_id=self.key.arn,
            tags=dict(args.tags),
            opts=child,
        )
        self.rule_arns, self.targets, self.subscriptions = {}, {}, []
        rules = {
            **self._stack_rules(args, account),
            **self._detection_rules(args, account),
            **args.extra_rules,
        }
        for kind, rule in rules.items():
            self.rule_arns[kind] = self._rule(name, kind, rule=rule, args=args, child=child)
        self.access_analyzer_arn = (
            pulumi.Output.from_input(args.access_analyzer_arn)
            if args.access_analyzer_arn
            else access_analyzer(name, names=args.names, tags=args.tags, parent=self)
        )
        self.relay_rule_arn = (
            iam_event_relay(
                name,
                names=args.names,
                account=account,
                pattern=rules[IAM_CHANGED].pattern,
                tags=args.tags,
                parent=self,
            )
            if needs_iam_relay(args.region)
            else None
        )
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
        self._subscriptions(name, args, child=child)
        self.trail_arn = self._trail(name, args, account=account) if args.create_trail else None
        self.topic_arn = self.topic.arn
        self.key_arn = self.key.arn
        outputs = {
            "topicArn": self.topic_arn,
            "keyArn": self.key_arn,
            "ruleArns": self.rule_arns,
            "accessAnalyzerArn": self.access_analyzer_arn,
        }
        if self.relay_rule_arn is not None:
            outputs["relayRuleArn"] = self.relay_rule_arn
        if self.trail_arn is not None:
            outputs["trailArn"] = self.trail_arn
        self.register_outputs(outputs)

    @staticmethod
    def _stack_rules(args: AlertingArgs, account: pulumi.Output[Account]) -> dict[str, AlertRule]:
        return {
            kind: AlertRule(
                description=description,
                pattern=account.apply(
                    lambda resolved, build=build: compact(build(resolved, args.names.secret_path))
                ),
                state=state,
            )
            for kind, (description, build, state) in STACK_RULES.items()
        }

    def _detection_rules(
        self, args: AlertingArgs, account: pulumi.Output[Account]
    ) -> dict[str, AlertRule]:
        """What IAM cannot forbid: external access to the stack's resources, role changes."""
        watched = [self.key.arn, self.topic.arn, *args.key_arns]
        patterns = {
            EXTERNAL_ACCESS: external_access(args.names, account=account, resource_arns=watched),
            IAM_CHANGED: iam_changes(args.names, account=account, role_names=args.role_names),
        }
        return {
            kind: AlertRule(description=DETECTION_RULES[kind], pattern=pattern)
            for kind, pattern in patterns.items()
        }

    def _rule(
        self,
        name: str,
        kind: str,
        *,
        rule: AlertRule,
        args: AlertingArgs,
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        event_rule = aws.cloudwatch.EventRule(
            f"{name}-{kind}",
            name=args.names.alert_rule_name(kind),
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

    def _subscriptions(
        self, name: str, args: AlertingArgs, *, child: pulumi.ResourceOptions
    ) -> None:
        # A URL may hold a token: its resource name is a digest, never the URL.
        endpoints = [("email", email, email) for email in args.emails]
        endpoints += [("https", url, endpoint_slug(url)) for url in args.https_endpoints]
        for protocol, endpoint, slug in endpoints:
            subscription = aws.sns.TopicSubscription(
                f"{name}-{protocol}-{slug}",
                topic=self.topic.arn,
                protocol=protocol,
                endpoint=endpoint,
                opts=child,
            )
            self.subscriptions.append(subscription)

    def _trail(
        self, name: str, args: AlertingArgs, *, account: pulumi.Output[Account]
    ) -> pulumi.Output[str]:
        ready = self._trail_bucket(name, args, account=account)
        created = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=args.names.trail_name,
            s3_bucket_name=ready[0].id,
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(ready[1:])),
        )
        return created.arn

    def _trail_bucket(
        self, name: str, args: AlertingArgs, *, account: pulumi.Output[Account]
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy, aws.s3.BucketServerSideEncryptionConfiguration]:
        """The trail's bucket: private, encrypted, writable by this trail only, TLS only."""
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{name}-trail-bucket",
            bucket=args.account.account_id.apply(args.names.trail_bucket_name),
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
                        trail_arn=trail_arn(values[0], args.names.trail_name),
                    )
                )
            ),
            # S3 refuses a bucket policy while the public access block is being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_block]),
        )
        return bucket, bucket_policy, encryption
