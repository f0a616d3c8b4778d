"""`secretsctl plan`: what a stack would declare, offline, from the real program."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from design.deployers import with_deployers
from design.stack_inputs import Mode, StackInputs, read_stack_inputs
from inputs.catalog import Catalog, split_reference
from inputs.exceptions import InputError
from inputs.sharing_checks import shared_account_problems
from inputs.stack_settings import NAMESPACE, PLAN_ACCOUNT_ID
from secretsctl import json_text
from secretsctl.access import access_report
from secretsctl.check import findings
from secretsctl.consumer_findings import consumer_plan_findings
from secretsctl.cost import DEFAULT_API_CALLS_PER_SECRET, plan_estimate
from secretsctl.engine import cyclic_gc_paused, run_program
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail, report_problems
from secretsctl.mocks import PlanMocks
from secretsctl.plan_table import MANDATORY, TABLE_WIDTH, render_table

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT = "app-secrets"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="offline plan: run the program under Pulumi's mock engine",
        description="Runs __main__.py in-process under Pulumi's mock engine with the stack's "
        "config and writes every resource it would declare. Needs no Pulumi CLI and no AWS.",
    )
    parser.add_argument("--stack", required=True, help="stack name, e.g. dev")
    parser.add_argument(
        "--catalog", type=Path, help="catalog file (default: the stack's catalog, catalog.yaml)"
    )
    parser.add_argument("--stack-file", type=Path, help="stack file (default: Pulumi.STACK.yaml)")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    parser.add_argument(
        "--wide",
        action="store_true",
        help=f"table: every column and consumer, however wide (default: fit {TABLE_WIDTH} columns)",
    )
    parser.add_argument("--out", type=Path, help="write the plan here instead of stdout")
    parser.add_argument(
        "--placeholders",
        action="store_true",
        help="fill absent and encrypted (secure:) config values with placeholders for review",
    )
    parser.add_argument(
        "--api-calls-per-secret",
        type=_count,
        default=DEFAULT_API_CALLS_PER_SECRET,
        metavar="N",
        help="API calls per secret per month the cost estimate assumes "
        f"(default: {DEFAULT_API_CALLS_PER_SECRET:,})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plans, writes the plan, and exits 1 when a mandatory guardrail fails (file still written)."""
    if args.out is not None and not args.out.parent.is_dir():
        report_problems(
            "plan",
            [f"--out: {args.out}: directory {args.out.parent} does not exist"],
            outcome="planned",
        )
        return EXIT_BAD_INPUT
    try:
        plan = build_plan(
            stack=args.stack,
            catalog_path=args.catalog,
            stack_path=args.stack_file,
            placeholders=args.placeholders,
            api_calls_per_secret=args.api_calls_per_secret,
        )
    except InputError as exc:
        report_problems("plan", exc.problems, outcome="planned")
        return EXIT_BAD_INPUT
    text = (
        json_text.dumps(plan) + "\n"
        if args.format == "json"
        else render_table(plan, wide=args.wide)
    )
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail("plan", f"{args.out}: cannot write the plan: {exc.strerror}")
            return EXIT_FAILED
    else:
        sys.stdout.write(text)
    mandatory = [finding for finding in plan["findings"] if finding["enforcement"] == MANDATORY]
    if mandatory:
        fail(
            "plan",
            f"{len(mandatory)} mandatory guardrail finding(s); the plan was written, but "
            "`pulumi preview --policy-pack policies` would refuse it",
        )
        return EXIT_FAILED
    return EXIT_OK


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of 0 or more, got {text!r}")
    return int(text)


def build_plan(
    *,
    stack: str,
    project_dir: Path = PROJECT_DIR,
    catalog_path: Path | None = None,
    stack_path: Path | None = None,
    placeholders: bool = False,
    secret_values: Mapping[str, str] | None = None,
    api_calls_per_secret: int = DEFAULT_API_CALLS_PER_SECRET,
) -> dict[str, Any]:
    """The plan as data. Raises InputError, with every problem, before anything is declared.

    `secret_values` supplies decrypted `config:` values (tests plant sentinels through it).
    """
    with cyclic_gc_paused():
        return _build_plan(
            stack=stack,
            project_dir=project_dir,
            catalog_path=catalog_path,
            stack_path=stack_path,
            placeholders=placeholders,
            secret_values=secret_values,
            api_calls_per_secret=api_calls_per_secret,
        )


def _build_plan(
    *,
    stack: str,
    project_dir: Path,
    catalog_path: Path | None,
    stack_path: Path | None,
    placeholders: bool,
    secret_values: Mapping[str, str] | None,
    api_calls_per_secret: int,
) -> dict[str, Any]:
    loaded = read_stack_inputs(
        stack,
        mode=Mode.PLAN,
        project_dir=project_dir,
        stack_path=stack_path,
        catalog_path=catalog_path,
        placeholders=placeholders,
        secret_values=secret_values,
    )
    inputs = loaded.inputs
    account = inputs.settings.account_id or PLAN_ACCOUNT_ID
    if own := shared_account_problems(
        inputs.catalog, inputs.settings, catalog_file=loaded.catalog_path.name, account_id=account
    ):  # the program would meet it in the mock provider's account: report it as input instead
        raise InputError(own)
    region = inputs.region or ""
    engine_config = {
        **loaded.stack_file.config,
        **{f"{NAMESPACE}:{key}": value for key, value in loaded.values.items()},
    }
    engine_config[f"{NAMESPACE}:catalog"] = str(loaded.catalog_path)
    result = run_program(
        program=project_dir / "__main__.py",
        project=PROJECT,
        stack=stack,
        config=engine_config,
        secret_keys=sorted(f"{NAMESPACE}:{key}" for key in loaded.secret_keys),
        mocks=PlanMocks(account_id=account, region=region),
    )
    plan = {
        "project": PROJECT,
        "stack": stack,
        "environment": inputs.settings.environment,
        "account": account,
        "region": region,
        "resources": with_deployers(
            [resource.as_plan() for resource in result.resources], names=inputs.names
        ),
        "outputs": result.outputs,
        "secrets": secret_summary(inputs),
    }
    plan["access"] = access_report(plan)
    plan["findings"] = findings(plan) + consumer_plan_findings(inputs, plan["resources"])
    plan["cost"] = plan_estimate(plan["resources"], api_calls_per_secret=api_calls_per_secret)
    return plan


def secret_summary(inputs: StackInputs) -> list[dict[str, Any]]:
    """Each secret of the stack with its source, rotation and consumers (for people, not tools)."""
    consumers = _consumers(inputs.catalog, inputs.settings.environment)
    summary = []
    for name, spec in inputs.secrets.items():
        rotation = None
        if spec.rotation is not None:
            every = (
                f"every {spec.rotation.every_days} days"
                if spec.rotation.every_days
                else spec.rotation.schedule
            )
            rotation = f"{spec.rotation.strategy}, {every}"
        summary.append(
            {
                "name": name,
                "secretName": inputs.names.secret_full_name(name),
                "source": spec.source,
                "rotation": rotation,
                "consumers": consumers.get(name, []),
            }
        )
    return summary


def _consumers(catalog: Catalog, environment: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for service_name, service in catalog.services_in(environment).items():
        for variable, reference in service.env.items():
            secret_name, _ = split_reference(reference)
            found.setdefault(secret_name, []).append(f"{service_name} (env {variable})")
        for secret_name in service.runtime_read:
            found.setdefault(secret_name, []).append(f"{service_name} (reads at runtime)")
    return found
