"""The deployed stack a command talks to: validated inputs, region, endpoint and AWS clients."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from components.catalog import read_catalog
from components.exceptions import InputError
from components.inputs import StackInputs, load_inputs
from components.problems import problem
from secretsctl.stackfile import read_stack_file

PROJECT_DIR = Path(__file__).resolve().parent.parent
UNREAD = "value-not-read"
"""Stands in for every `config:` value: these commands never need a value from the stack."""


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """--stack and where its files are; the AWS region and endpoint."""
    parser.add_argument("--stack", required=True, help="stack name, e.g. dev")
    parser.add_argument("--stack-file", type=Path, help="stack file (default: Pulumi.STACK.yaml)")
    parser.add_argument(
        "--catalog", type=Path, help="catalog file (default: the stack's catalog, catalog.yaml)"
    )
    parser.add_argument("--region", help="AWS region (default: the stack file's aws:region)")
    parser.add_argument(
        "--endpoint-url", help="AWS endpoint, e.g. a VPC endpoint or a local emulator"
    )


@dataclass(frozen=True)
class StackTarget:
    stack: str
    inputs: StackInputs
    region: str
    catalog_path: Path
    endpoint_url: str | None = None

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's region (credentials from the usual chain)."""
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url)


def load_target(
    *,
    stack: str,
    project_dir: Path = PROJECT_DIR,
    region: str | None = None,
    endpoint_url: str | None = None,
    catalog_path: Path | None = None,
    stack_path: Path | None = None,
) -> StackTarget:
    """The stack's validated catalog and settings; raises InputError with every problem."""
    stack_file = read_stack_file(stack_path or project_dir / f"Pulumi.{stack}.yaml")
    config, secret_keys = stack_file.project_config()
    catalog_path = catalog_path or project_dir / str(config.get("catalog", "catalog.yaml"))
    catalog, _ = read_catalog(catalog_path)  # load_inputs reports its problems
    for key, _, _ in catalog.config_uses():
        config.setdefault(key, UNREAD)
        secret_keys.add(key)
    problems = []
    region = region or stack_file.region
    if not region:
        problems.append(
            problem(stack_file.path.name, "aws:region", "is required (or pass --region)")
        )
    inputs = load_inputs(
        project_dir=project_dir,
        stack=stack,
        stack_file=stack_file.path.name,
        config=config,
        secret_keys=secret_keys,
        catalog_path=catalog_path,
        earlier_problems=problems,
    )
    assert region is not None
    return StackTarget(
        stack=stack,
        inputs=inputs,
        region=region,
        catalog_path=catalog_path,
        endpoint_url=endpoint_url,
    )


def report_input_error(command: str, exc: InputError) -> None:
    """Every problem on its own line, on stderr, without a traceback."""
    print(f"secretsctl {command}: invalid input:", file=sys.stderr)
    for line in exc.problems:
        print(f"  {line}", file=sys.stderr)
