"""`secretsctl diff BASE.json HEAD.json`: what a change does to a stack, for its review."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from policies import PlanFormatError, resources_from_plan
from secretsctl.check import UnreadablePlanError, read_plan
from secretsctl.diff_markdown import render_markdown
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail
from secretsctl.plan_table import MANDATORY

ADMINISTRATOR = "administrator"
OPTIONS = ("protect", "ignoreChanges", "parent", "deployer")
"""Resource attributes other than inputs that a review must see change; none holds a value."""
ACCESS_FIELDS = {"role": str, "secret": str, "actions": list}
FINDING_FIELDS = {"rule": str, "urn": str, "enforcement": str, "message": str}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `diff BASE.json HEAD.json` on the subparsers of the `secretsctl` parser."""
    parser = subparsers.add_parser(
        "diff",
        help="compare two plan files: resources, access, findings, administrator changes",
        description="Compare two plans written by `secretsctl plan` (the base branch's and a "
        "pull request's) and say what changes: resources by URN with the names (never the "
        "values) of changed inputs, access gained and lost, guardrail findings new and fixed, "
        "and the changes only an administrator's `pulumi up` can make. Exit status: 0, 1 with "
        "--fail-on-new-findings when a mandatory finding is new, 2 when a plan cannot be read.",
    )
    parser.add_argument("base", metavar="BASE.json", type=Path, help="plan before the change")
    parser.add_argument("head", metavar="HEAD.json", type=Path, help="plan after the change")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--title", help="markdown heading (default: Stack HEAD-STACK)")
    parser.add_argument(
        "--fail-on-new-findings",
        action="store_true",
        help="exit 1 when the head plan has a mandatory finding the base plan does not",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the diff; 1 on a new mandatory finding with --fail-on-new-findings, 2 if unreadable."""
    try:
        base, head = load_plan(args.base), load_plan(args.head)
    except PlanInputError as exc:
        fail("diff", str(exc))
        return EXIT_BAD_INPUT
    changes = diff_plans(base, head)
    if args.format == "json":
        sys.stdout.write(json.dumps(changes, indent=2) + "\n")
    else:
        title = args.title or f"Stack {head.get('stack') or args.head}"
        sys.stdout.write(render_markdown(changes, title=title))
    new_mandatory = [f for f in changes["findings"]["new"] if f["enforcement"] == MANDATORY]
    if args.fail_on_new_findings and new_mandatory:
        fail("diff", f"{len(new_mandatory)} new mandatory guardrail finding(s)")
        return EXIT_FAILED
    return EXIT_OK


class PlanInputError(Exception):
    """A plan file cannot be diffed; the message is one line, `FILE: what is wrong`."""


def load_plan(path: Path) -> dict[str, Any]:
    """The plan at `path`, its shape checked here so the diff itself never trips over it."""
    try:
        plan = read_plan(path)
        resources_from_plan(plan)
        _check_plan(plan)
    except UnreadablePlanError as exc:
        raise PlanInputError(f"{path}: {exc}") from exc
    except PlanFormatError as exc:
        raise PlanInputError(f"{path}: not a secretsctl plan: {exc}") from exc
    return plan


def _check_plan(plan: Mapping[str, Any]) -> None:
    """What the diff relies on beyond what `check` reads: URNs unique, access and findings."""
    counts = Counter(resource["urn"] for resource in plan["resources"])
    duplicate = next((urn for urn, count in counts.items() if count > 1), None)
    if duplicate:
        raise PlanFormatError(f"resources: URN {duplicate} appears more than once")
    _check_entries(plan, "access", ACCESS_FIELDS)
    _check_entries(plan, "findings", FINDING_FIELDS)


def _check_entries(plan: Mapping[str, Any], key: str, fields: Mapping[str, type]) -> None:
    entries = plan.get(key)
    if not isinstance(entries, list):
        raise PlanFormatError(f'"{key}" must be a list, got {type(entries).__name__}')
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise PlanFormatError(f"{key}[{index}]: must be an object, got {type(entry).__name__}")
        for name, kind in fields.items():
            if not isinstance(entry.get(name), kind):
                raise PlanFormatError(f'{key}[{index}]: "{name}" must be a {kind.__name__}')


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """What changes from `base` to `head`, JSON-ready; it names inputs and never copies values."""
    resources = resource_changes(base["resources"], head["resources"])
    access = access_changes(base["access"], head["access"])
    findings = finding_changes(base["findings"], head["findings"])
    administrator = administrator_changes(resources)
    return {
        "base": {"stack": base.get("stack"), "environment": base.get("environment")},
        "head": {"stack": head.get("stack"), "environment": head.get("environment")},
        "summary": {
            "added": len(resources["added"]),
            "changed": len(resources["changed"]),
            "removed": len(resources["removed"]),
            "accessGained": len(access["gained"]),
            "accessLost": len(access["lost"]),
            "findingsNew": len(findings["new"]),
            "findingsFixed": len(findings["fixed"]),
            "administrator": len(administrator),
        },
        "resources": resources,
        "access": access,
        "findings": findings,
        "administrator": administrator,
    }


def resource_changes(
    base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Resources added, removed and changed, matched by URN, each sorted by URN."""
    before = {resource["urn"]: resource for resource in base}
    after = {resource["urn"]: resource for resource in head}
    changed = []
    for urn in sorted(before.keys() & after.keys()):
        inputs = changed_paths(before[urn].get("inputs") or {}, after[urn].get("inputs") or {})
        options = {
            option: {"base": before[urn].get(option), "head": after[urn].get(option)}
            for option in OPTIONS
            if before[urn].get(option) != after[urn].get(option)
        }
        if inputs or options:
            changed.append({**_identity(after[urn]), "inputs": inputs, "options": options})
    return {
        "added": [_identity(after[urn]) for urn in sorted(after.keys() - before.keys())],
        "removed": [_identity(before[urn]) for urn in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def _identity(resource: Mapping[str, Any]) -> dict[str, Any]:
    """What names a resource in the diff; `deployer` None when the plan does not say."""
    return {
        "urn": resource["urn"],
        "type": resource["type"],
        "name": resource.get("name") or resource["urn"].rsplit("::", 1)[-1],
        "deployer": resource.get("deployer"),
    }


def changed_paths(base: Any, head: Any, *, prefix: str = "") -> list[str]:
    """The dotted names of what differs: keys of nested objects, never a value.

    A value is compared whole: a string, a list, or `[secret]`. Two `[secret]` markers compare
    equal, since the plan holds no value to compare; a marker against anything else is a change.
    """
    if not (isinstance(base, Mapping) and isinstance(head, Mapping)):
        return [] if base == head else [prefix]
    paths = []
    for key in sorted(set(base) | set(head), key=str):
        path = f"{prefix}.{key}" if prefix else str(key)
        if key in base and key in head:
            paths += changed_paths(base[key], head[key], prefix=path)
        else:
            paths.append(path)
    return paths


def access_changes(
    base: Iterable[Mapping[str, Any]], head: Iterable[Mapping[str, Any]]
) -> dict[str, list[dict[str, str]]]:
    """Each role x secret x action that is gained or lost, sorted."""
    before, after = _grants(base), _grants(head)
    return {"gained": _as_grants(after - before), "lost": _as_grants(before - after)}


def _grants(report: Iterable[Mapping[str, Any]]) -> set[tuple[str, str, str]]:
    return {
        (entry["role"], entry["secret"], action) for entry in report for action in entry["actions"]
    }


def _as_grants(grants: set[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [
        {"role": role, "secret": secret, "action": action}
        for role, secret, action in sorted(grants)
    ]


def finding_changes(
    base: Iterable[Mapping[str, Any]], head: Iterable[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Findings new in `head` and fixed since `base`, one per rule, URN and service (consumer
    findings name one; guardrail findings none), mandatory first."""
    before, after = _by_rule_and_urn(base), _by_rule_and_urn(head)
    return {
        "new": _ordered(after[key] for key in after.keys() - before.keys()),
        "fixed": _ordered(before[key] for key in before.keys() - after.keys()),
    }


def _by_rule_and_urn(findings: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], dict]:
    # A consumer finding is on its secret's URN, and one secret may have several services.
    return {
        (finding["rule"], finding["urn"], str(finding.get("service") or "")): dict(finding)
        for finding in findings
    }


def _ordered(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        findings,
        key=lambda f: (f["enforcement"] != MANDATORY, f["rule"], f["urn"], f.get("service") or ""),
    )


def administrator_changes(resources: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The changes CI cannot make: resources an administrator deploys, or whose deployer the
    plan does not say (listed too: unknown is not `ci`)."""
    found = []
    for change in ("added", "changed", "removed"):
        for resource in resources[change]:
            deployers = {resource["deployer"]}
            if change == "changed" and "deployer" in resource["options"]:
                deployers.add(resource["options"]["deployer"]["base"])
            if ADMINISTRATOR in deployers or None in deployers:
                found.append({**_identity(resource), "change": change})
    return sorted(found, key=lambda entry: entry["urn"])
