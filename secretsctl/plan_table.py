"""`secretsctl plan --format table`: the plan for people, within 120 columns unless --wide."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from secretsctl.access import render_matrix
from secretsctl.consumer_findings import CONSUMER_RULE
from secretsctl.cost import render_estimate

TABLE_WIDTH = 120
"""Characters a line of the table takes at most, unless --wide."""
MANDATORY = "mandatory"
SECRET_WIDTH = 32
ROTATION_WIDTH = 24
ELLIPSIS = "…"
CONSUMER_LINES = 10
"""Consumer findings the table shows, unless --wide; the JSON has every one."""


def render_table(plan: Mapping[str, Any], *, wide: bool = False) -> str:
    """Each secret with its source, rotation and consumers; access; guardrail and consumer
    findings; resources; cost."""
    prefix = plan["outputs"].get("secretPathPrefix", "")
    lines = [
        f"Stack {plan['stack']} (environment {plan['environment']}), "
        f"account {plan['account']}, region {plan['region']}",
        f"KMS key: {plan['outputs'].get('kmsKeyAlias', '-')}; every secret is named "
        f"{prefix}SECRET in AWS",
        "",
        *_secret_rows(plan["secrets"], prefix=prefix, wide=wide),
        "",
        "Who may do what (evaluated from the planned policies):",
        *render_matrix(plan["access"]),
        "",
        *_guardrail_lines(plan.get("findings", []), wide=wide),
        *_consumer_lines(plan.get("findings", []), wide=wide),
        "",
        *_resource_counts(plan["resources"]),
    ]
    if "cost" in plan:
        lines += ["", *render_estimate(plan["cost"])]
    return "\n".join(lines) + "\n"


def _secret_rows(secrets: Sequence[Mapping[str, Any]], *, prefix: str, wide: bool) -> list[str]:
    header = ["SECRET", *(["NAME IN AWS"] if wide else []), "SOURCE", "ROTATION", "CONSUMERS"]
    rows = [
        [
            secret["name"],
            *([secret["secretName"]] if wide else []),
            secret["source"],
            secret["rotation"] or "-",
            secret["consumers"],
        ]
        for secret in secrets
    ]
    fixed = [[cell for cell in row[:-1]] for row in [header, *rows]]
    if not wide:
        limits = [SECRET_WIDTH, len("external"), ROTATION_WIDTH]
        fixed = [
            [clip(cell, limit) for cell, limit in zip(row, limits, strict=True)] for row in fixed
        ]
    widths = [max(len(row[index]) for row in fixed) for index in range(len(fixed[0]))]
    room = TABLE_WIDTH - sum(width + 2 for width in widths)
    lines = []
    for cells, consumers in zip(fixed, [header[-1], *(row[-1] for row in rows)], strict=True):
        text = consumers if isinstance(consumers, str) else _consumers(consumers, room, wide=wide)
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
        lines.append("  ".join([*padded, text]).rstrip())
    if not wide and any(line.endswith(" more") for line in lines):
        lines.append("(+N more: N further consumers; --wide lists them all)")
    return lines


def _consumers(consumers: Sequence[str], room: int, *, wide: bool) -> str:
    """As many consumers as fit in `room` characters, then `+N more`."""
    if not consumers:
        return "-"
    text = ", ".join(consumers)
    if wide or len(text) <= room:
        return text
    shown: list[str] = []
    for index, consumer in enumerate(consumers):
        rest = len(consumers) - index - 1
        candidate = ", ".join([*shown, consumer]) + (f", +{rest} more" if rest else "")
        if len(candidate) > room:
            break
        shown.append(consumer)
    hidden = len(consumers) - len(shown)
    return ", ".join([*shown, f"+{hidden} more"]) if shown else f"{len(consumers)} consumers, +more"


def clip(text: str, width: int) -> str:
    """`text`, or its first `width - 1` characters and an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def _guardrail_lines(findings: Sequence[Mapping[str, str]], *, wide: bool) -> list[str]:
    """The count of findings, and every mandatory one: what is wrong and how to fix it."""
    findings = [finding for finding in findings if finding["rule"] != CONSUMER_RULE]
    mandatory = [finding for finding in findings if finding["enforcement"] == MANDATORY]
    lines = [
        f"Guardrails: {len(mandatory)} mandatory, {len(findings) - len(mandatory)} advisory "
        "finding(s) (`secretsctl check PLAN.json` lists every one)"
    ]
    for finding in mandatory:
        resource = finding["urn"].rsplit("::", 1)[-1]
        line = (
            f"  MANDATORY {finding['rule']} {resource}: {finding['message']} Fix: {finding['fix']}"
        )
        lines += [line] if wide else textwrap.wrap(line, TABLE_WIDTH, subsequent_indent="    ")
    return lines


def _consumer_lines(findings: Sequence[Mapping[str, Any]], *, wide: bool) -> list[str]:
    """Each service that may keep a rotated value past its grace window, with both numbers."""
    consumers = [finding for finding in findings if finding["rule"] == CONSUMER_RULE]
    lines = [
        f"Consumers of rotated secrets: {len(consumers)} advisory finding(s) (docs/consumers.md)"
    ]
    shown = consumers if wide else consumers[:CONSUMER_LINES]
    for finding in shown:
        line = f"  ADVISORY {finding['message']} Fix: {finding['fix']}"
        lines += [line] if wide else textwrap.wrap(line, TABLE_WIDTH, subsequent_indent="    ")
    if len(shown) < len(consumers):
        lines.append(f"  +{len(consumers) - len(shown)} more (--wide or the JSON lists every one)")
    return lines


def _resource_counts(resources: Sequence[Mapping[str, Any]]) -> list[str]:
    counts: dict[str, int] = {}
    for resource in resources:
        counts[resource["type"]] = counts.get(resource["type"], 0) + 1
    return [
        f"{len(resources)} resources:",
        *(f"  {count:5d}  {type_}" for type_, count in sorted(counts.items())),
    ]
