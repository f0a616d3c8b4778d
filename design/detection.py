"""Detection decisions: what IAM cannot forbid (new or re-trusted roles, external access)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from design.alerts import API_CALL, EVENTS_PRINCIPAL, rule_arn
from design.arns import Account
from design.iam import compact, document
from design.naming import (
    ALERTING_ROLE_PATH,
    BOUNDARY_PATH,
    BREAK_GLASS_PATH,
    CI_ROLE_PATH,
    StackNames,
)

IAM_SOURCE = "aws.iam"
IAM_EVENT_SOURCE = "iam.amazonaws.com"
ROLE_CHANGES = (
    "AttachRolePolicy",
    "CreatePolicyVersion",
    "CreateRole",
    "DeleteRolePermissionsBoundary",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "SetDefaultPolicyVersion",
    "UpdateAssumeRolePolicy",
)
"""What can widen who may assume a role, or what it may do (a boundary lifted included)."""
IAM_EVENT_REGION = "us-east-1"
"""IAM is global: its CloudTrail events reach EventBridge in us-east-1 only (aws partition)."""
NO_CROSS_REGION_ROUTING = ("cn-", "us-gov-", "us-iso")
"""Partitions whose EventBridge cannot target another region's bus: no relay there."""
ACCESS_ANALYZER_SOURCE = "aws.access-analyzer"
FINDING = "Access Analyzer Finding"
ACTIVE = "ACTIVE"
EVENT_PATTERN_LIMIT = 2048
"""EventBridge's default quota on an event pattern, in characters (4096 on request)."""
EXTERNAL_ACCESS = "external-access"
IAM_CHANGED = "iam-changed"
DETECTION_RULES = {
    EXTERNAL_ACCESS: "Access Analyzer: a secret, key, topic or role of the stack is reachable "
    "from outside the account",
    IAM_CHANGED: "A role of the stack was created, re-trusted or granted more (or it was tried)",
}
"""Rule kind (the rule name's suffix) -> description."""


def stack_role_names(names: StackNames, services: Iterable[str]) -> list[str]:
    """Every name the stack gives (or would give) a role: IAM logs most role changes by name."""
    service_roles = {
        names.service_role_name(service, kind) for service in services for kind in ("exec", "task")
    }
    return sorted(
        service_roles
        | {
            names.rotation_role_name,
            names.ci_role_name("preview"),
            names.ci_role_name("deploy"),
            names.break_glass_role_name,
            names.iam_relay_role_name,
            names.restart_role_name("sfn"),
            names.restart_role_name("events"),
        }
    )


def off_path_role_arns(account: Account, names: StackNames) -> list[str]:
    """The stack's roles outside its workload path (CI, break-glass, the relay), by ARN."""
    roles = [
        f"{CI_ROLE_PATH}{names.ci_role_name('preview')}",
        f"{CI_ROLE_PATH}{names.ci_role_name('deploy')}",
        f"{BREAK_GLASS_PATH}{names.break_glass_role_name}",
        f"{ALERTING_ROLE_PATH}{names.iam_relay_role_name}",
    ]
    return sorted(account.arn("iam", f"role{role}") for role in roles)


def external_access_pattern(
    account: Account, *, names: StackNames, resource_arns: Sequence[str]
) -> dict:
    """An active Access Analyzer finding on a secret under the stack's path, a role under its
    workload path, or one of `resource_arns` (its keys, its topic, its other roles).

    A finding names its resource by ARN in `detail.resource`; status ACTIVE leaves out the
    archived and resolved ones. An error finding (the analyzer could not read the resource) is
    ACTIVE too, and alerts: that resource is not being watched.
    """
    return {
        "source": [ACCESS_ANALYZER_SOURCE],
        "detail-type": [FINDING],
        "detail": {
            "status": [ACTIVE],
            "resource": [
                {"prefix": account.arn("secretsmanager", f"secret:{names.secret_path}")},
                {"prefix": account.arn("iam", f"role{names.workload_path}")},
                *sorted(set(resource_arns)),
            ],
        },
    }


def iam_change_pattern(account: Account, *, names: StackNames, role_names: Sequence[str]) -> dict:
    """A call that could widen a role or managed policy of the stack, allowed or refused.

    IAM's CloudTrail events name a role by `roleName` only; CreateRole alone also logs the
    `path` asked for. So a new role is matched by the workload path (where ci-deploy may create
    roles), an existing one by its exact name, and a policy by `policyArn` (the workload path's
    policies and the stack's boundary). Names that would outgrow EventBridge's quota give way to
    the stem, which may also match a stack whose `{prefix}-{env}` extends this one's.
    """
    matchers: list = sorted(set(role_names))
    pattern = _iam_change(account, names=names, role_matchers=matchers)
    if len(compact(pattern)) > EVENT_PATTERN_LIMIT:
        pattern = _iam_change(account, names=names, role_matchers=[{"prefix": f"{names.stem}-"}])
    return pattern


def _iam_change(account: Account, *, names: StackNames, role_matchers: list) -> dict:
    boundary = f"policy{BOUNDARY_PATH}{names.boundary_policy_name}"
    return {
        "source": [IAM_SOURCE],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [IAM_EVENT_SOURCE],
            "eventName": list(ROLE_CHANGES),
            "$or": [
                {"requestParameters": {"path": [{"prefix": names.workload_path}]}},
                {"requestParameters": {"roleName": role_matchers}},
                {
                    "requestParameters": {
                        "policyArn": [
                            {"prefix": account.arn("iam", f"policy{names.workload_path}")},
                            account.arn("iam", boundary),
                        ]
                    }
                },
            ],
        },
    }


def needs_iam_relay(region: str) -> bool:
    """Whether IAM's events must be forwarded from us-east-1 to reach the stack's region."""
    return region != IAM_EVENT_REGION and not region.startswith(NO_CROSS_REGION_ROUTING)


def default_bus_arn(account: Account) -> str:
    return account.arn("events", "event-bus/default")


def relay_rule_arn(account: Account, rule_name: str) -> str:
    """The relay rule's ARN: in us-east-1, whatever the stack's region."""
    return rule_arn(replace(account, region=IAM_EVENT_REGION), rule_name)


def relay_trust(account: Account, *, rule_arn: str) -> dict:
    """EventBridge may assume the relay role for this account's relay rule only."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": EVENTS_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                    "ArnEquals": {"aws:SourceArn": rule_arn},
                },
            }
        ]
    )


def relay_policy(account: Account) -> dict:
    """Put events on the default bus of the stack's region, and nothing else."""
    return document(
        [
            {
                "Sid": "ForwardToTheStackRegion",
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": default_bus_arn(account),
            }
        ]
    )


def analyzer_name(names: StackNames) -> str:
    return f"{names.stem}-external-access"


def check_analyzer_region(analyzer_arn: str, *, region: str) -> None:
    """An analyzer sees the secrets and keys of its own region only (roles in every region)."""
    analyzer_region = analyzer_arn.split(":")[3]
    if analyzer_region != region:
        raise ValueError(
            f"app-secrets:accessAnalyzerArn: the analyzer is in {analyzer_region}, the stack "
            f"deploys in {region}; name an analyzer of {region} (it analyzes only the secrets "
            "and keys of its own region), or unset the key and the stack creates one"
        )
