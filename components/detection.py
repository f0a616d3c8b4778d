"""Detection: the Access Analyzer, and the relay of IAM's events from us-east-1 to the stack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from design.alerts import ENABLED
from design.arns import Account
from design.detection import (
    IAM_CHANGED,
    IAM_EVENT_REGION,
    analyzer_name,
    default_bus_arn,
    external_access_pattern,
    iam_change_pattern,
    off_path_role_arns,
    relay_policy,
    relay_rule_arn,
    relay_trust,
)
from design.iam import compact
from design.naming import ALERTING_ROLE_PATH, StackNames


def external_access(
    names: StackNames,
    *,
    account: pulumi.Output[Account],
    resource_arns: Sequence[pulumi.Input[str]],
) -> pulumi.Output[str]:
    """The `external-access` pattern: findings on the stack's secrets, roles and `resource_arns`."""
    return pulumi.Output.all(account, *resource_arns).apply(
        lambda values: compact(
            external_access_pattern(
                values[0],
                names=names,
                resource_arns=[*off_path_role_arns(values[0], names), *values[1:]],
            )
        )
    )


def iam_changes(
    names: StackNames, *, account: pulumi.Output[Account], role_names: Sequence[str]
) -> pulumi.Output[str]:
    """The `iam-changed` pattern, the same for the rule by the topic and for the relay."""
    return account.apply(
        lambda resolved: compact(iam_change_pattern(resolved, names=names, role_names=role_names))
    )


def access_analyzer(
    name: str, *, names: StackNames, tags: Mapping[str, str], parent: pulumi.Resource
) -> pulumi.Output[str]:
    """An analyzer with the account as zone of trust: it finds what is shared outside it."""
    analyzer = aws.accessanalyzer.Analyzer(
        f"{name}-access-analyzer",
        analyzer_name=analyzer_name(names),
        type="ACCOUNT",
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return analyzer.arn


def iam_event_relay(
    name: str,
    *,
    names: StackNames,
    account: pulumi.Output[Account],
    pattern: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """A rule in us-east-1 that forwards IAM's matching events to the stack region's default bus.

    EventBridge cannot target an SNS topic in another region, but it can target another
    region's event bus, with a role allowed `events:PutEvents` on it; the `iam-changed` rule
    there takes them to the topic. The resources use the provider's per-resource `region`
    (pulumi-aws 7), so they share the stack's credentials and settings.
    """
    child = pulumi.ResourceOptions(parent=parent)
    rule_name = names.alert_rule_name(IAM_CHANGED)
    role = aws.iam.Role(
        f"{name}-iam-relay-role",
        name=names.iam_relay_role_name,
        path=ALERTING_ROLE_PATH,
        description=f"EventBridge: forwards IAM events of {names.stem} from us-east-1",
        assume_role_policy=account.apply(
            lambda resolved: compact(
                relay_trust(resolved, rule_arn=relay_rule_arn(resolved, rule_name))
            )
        ),
        tags=dict(tags),
        opts=child,
    )
    grants = aws.iam.RolePolicy(
        f"{name}-iam-relay-grants",
        name="grants",
        role=role.id,
        policy=account.apply(lambda resolved: compact(relay_policy(resolved))),
        opts=child,
    )
    rule = aws.cloudwatch.EventRule(
        f"{name}-{IAM_CHANGED}-relay",
        name=rule_name,
        region=IAM_EVENT_REGION,
        description="Forwards the stack's IAM changes to the alert topic's region",
        event_pattern=pattern,
        state=ENABLED,
        tags=dict(tags),
        opts=child,
    )
    aws.cloudwatch.EventTarget(
        f"{name}-{IAM_CHANGED}-relay-target",
        rule=rule.name,
        region=IAM_EVENT_REGION,
        target_id="stack-region-bus",
        arn=account.apply(default_bus_arn),
        role_arn=role.arn,
        # An event forwarded before the role may put it would be lost: the grant comes first.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[grants]),
    )
    return rule.arn
