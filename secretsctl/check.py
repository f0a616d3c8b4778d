"""`secretsctl check PLAN.json`: run the guardrail rules on a plan written by `secretsctl plan`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies import PlanFormatError, Violation, evaluate, resources_from_plan, rule_named
from secretsctl.consumer_findings import carried_findings
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `check PLAN.json` on the subparsers of the `secretsctl` parser."""
    parser = subparsers.add_parser(
        "check",
        help="run the guardrail rules on a plan file",
        description="Run the app-secrets-guardrails rules (the CrossGuard pack's rules) on a "
        "plan written by `secretsctl plan`. Exit status: 0 no mandatory violation, 1 at least "
        "one mandatory violation, 2 the plan cannot be read.",
    )
    parser.add_argument("plan", metavar="PLAN.json", type=Path, help="plan written by `plan`")
    parser.set_defaults(func=run)
    return parser


def findings(plan: Mapping[str, Any]) -> list[dict[str, str]]:
    """The violations of a plan as JSON-ready dicts, for `secretsctl plan` to embed.

    Keys: rule, control, enforcement ("mandatory" or "advisory"), urn, message, fix; mandatory
    first. Raises PlanFormatError when the plan does not have the `secretsctl plan` shape.
    """
    return [
        {
            "rule": violation.rule,
            "control": rule_named(violation.rule).control,
            "enforcement": violation.enforcement.value,
            "urn": violation.urn,
            "message": violation.message,
            "fix": violation.fix,
        }
        for violation in evaluate(resources_from_plan(plan))
    ]


def run(args: argparse.Namespace) -> int:
    """Print every violation, then the plan's consumer findings, and a summary line; 1 if any
    violation is mandatory, 2 if unreadable."""
    path = Path(args.plan)
    try:
        plan = read_plan(path)
        resources = resources_from_plan(plan)
        consumers = carried_findings(plan)
    except UnreadablePlanError as exc:
        fail("check", f"{path}: {exc}")
        return EXIT_BAD_INPUT
    except PlanFormatError as exc:
        fail("check", f"{path}: not a secretsctl plan: {exc}")
        return EXIT_BAD_INPUT

    violations = evaluate(resources)
    for violation in violations:
        print(format_violation(violation))
    # The consumer findings come from the catalog, which the plan does not hold: repeated from
    # the plan, advisory, so they never change the exit status.
    for finding in consumers:
        print(format_finding(finding))
    mandatory = sum(violation.mandatory for violation in violations)
    advisory = len(violations) - mandatory + len(consumers)
    verdict = "FAILED" if mandatory else "PASSED"
    stack = plan.get("stack")
    where = f"stack {stack} ({path})" if isinstance(stack, str) and stack else str(path)
    print(
        f"{verdict}: {mandatory} mandatory and {advisory} advisory violation(s) "
        f"in {len(resources)} resource(s) of {where}"
    )
    return EXIT_FAILED if mandatory else EXIT_OK


def format_violation(violation: Violation) -> str:
    level = violation.enforcement.value.upper()
    return f"{level} {violation.rule} {violation.urn}: {violation.message} Fix: {violation.fix}"


def format_finding(finding: Mapping[str, Any]) -> str:
    """A plan's finding entry, as format_violation prints a violation."""
    level = str(finding["enforcement"]).upper()
    return f"{level} {finding['rule']} {finding['urn']}: {finding['message']} Fix: {finding['fix']}"


class UnreadablePlanError(Exception):
    """The plan file cannot be read or is not JSON; the message says why, in one line."""


def read_plan(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UnreadablePlanError("no such file") from exc
    except IsADirectoryError as exc:
        raise UnreadablePlanError("is a directory, expected a plan file") from exc
    except UnicodeDecodeError as exc:
        raise UnreadablePlanError(f"not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise UnreadablePlanError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadablePlanError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
