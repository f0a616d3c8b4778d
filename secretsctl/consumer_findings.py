"""The plan's consumer findings: services that may keep a rotated value past its grace window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from design.consumers import consumer_findings
from design.stack_inputs import StackInputs
from policies import PlanFormatError

CONSUMER_RULE = "consumer-refresh-within-grace-window"
CONSUMER_CONTROL = "docs/consumers.md"
ADVISORY = "advisory"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
CARRIED_FIELDS = ("urn", "message", "fix", "service")
"""What `check` and the table read of a consumer finding; all strings."""


def consumer_plan_findings(
    inputs: StackInputs, resources: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The design's consumer findings as plan entries, on each secret's URN; always advisory.

    Besides the guardrail keys (rule, control, enforcement, urn, message, fix) each names its
    `secret`, `service`, `strategy` and `delivery`, with `graceSeconds` and `refreshSeconds`
    (null: unbounded, kept until the tasks are replaced).
    """
    urns = {
        resource["inputs"].get("name"): resource["urn"]
        for resource in resources
        if resource["type"] == SECRET_TYPE
    }
    found = consumer_findings(
        inputs.secrets, inputs.services, ecs_cluster_name=inputs.settings.ecs_cluster_name
    )
    return [
        {
            "rule": CONSUMER_RULE,
            "control": CONSUMER_CONTROL,
            "enforcement": ADVISORY,
            "urn": urns[inputs.names.secret_full_name(finding.secret)],
            "message": finding.message,
            "fix": finding.fix,
            "secret": finding.secret,
            "service": finding.service,
            "strategy": finding.strategy,
            "delivery": finding.delivery.value,
            "graceSeconds": finding.grace_seconds,
            "refreshSeconds": finding.refresh_seconds,
        }
        for finding in found
    ]


def carried_findings(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The consumer findings a plan file carries, for `check`, which cannot derive them.

    They come from the catalog, not from resources, so `check` repeats the plan's; a plan
    without them (an older one) has none. Raises PlanFormatError on a malformed entry.
    """
    entries = plan.get("findings", [])
    if not isinstance(entries, list):
        raise PlanFormatError(f'"findings" must be a list, got {type(entries).__name__}')
    carried = [
        entry
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("rule") == CONSUMER_RULE
    ]
    for entry in carried:
        for field in CARRIED_FIELDS:
            if not isinstance(entry.get(field), str):
                raise PlanFormatError(f'findings: a {CONSUMER_RULE} "{field}" must be a string')
        if entry.get("enforcement") != ADVISORY:
            raise PlanFormatError(f'findings: a {CONSUMER_RULE} finding must be "{ADVISORY}"')
    return carried
