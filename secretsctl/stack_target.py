"""The deployed stack a command talks to: validated inputs, region, endpoint and AWS clients."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from design.stack_inputs import Mode, StackInputs, read_stack_inputs
from inputs.validators import AWS_REGION, REGION_ALLOWED

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENDPOINT_URL = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?(/\S*)?$")


def aws_region(text: str) -> str:
    """--region: a region code such as eu-west-1 (argparse reports anything else, exit 2)."""
    if not AWS_REGION.fullmatch(text):
        raise argparse.ArgumentTypeError(f"must be {REGION_ALLOWED}, got {text!r}")
    return text


def endpoint_url(text: str) -> str:
    """--endpoint-url: http:// or https:// and a host, e.g. http://127.0.0.1:4566."""
    if not ENDPOINT_URL.fullmatch(text):
        raise argparse.ArgumentTypeError(
            "must be a URL with http:// or https:// and a host, e.g. http://127.0.0.1:4566"
        )
    return text


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """--stack and where its files are; the AWS region and endpoint."""
    parser.add_argument("--stack", required=True, help="stack name, e.g. dev")
    parser.add_argument("--stack-file", type=Path, help="stack file (default: Pulumi.STACK.yaml)")
    parser.add_argument(
        "--catalog", type=Path, help="catalog file (default: the stack's catalog, catalog.yaml)"
    )
    parser.add_argument(
        "--region", type=aws_region, help="AWS region (default: the stack file's aws:region)"
    )
    parser.add_argument(
        "--endpoint-url",
        type=endpoint_url,
        help="AWS endpoint, e.g. a VPC endpoint or a local emulator (http:// or https://)",
    )


@dataclass(frozen=True)
class StackTarget:
    stack: str
    inputs: StackInputs
    catalog_path: Path
    endpoint_url: str | None = None

    @property
    def region(self) -> str:
        assert self.inputs.region is not None  # OPERATE mode requires it
        return self.inputs.region

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's region (credentials from the usual chain).

        boto3 is imported here, not with the module: it takes 0.3 s, and `secretsctl plan`
        (which loads every command) never calls AWS.
        """
        import boto3

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
    """The stack's validated catalog and settings, no value read; InputError with every problem."""
    loaded = read_stack_inputs(
        stack,
        mode=Mode.OPERATE,
        project_dir=project_dir,
        stack_path=stack_path,
        catalog_path=catalog_path,
        region=region,
    )
    return StackTarget(
        stack=stack,
        inputs=loaded.inputs,
        catalog_path=loaded.catalog_path,
        endpoint_url=endpoint_url,
    )


def target_from_args(args: argparse.Namespace) -> StackTarget:
    """load_target with the arguments add_stack_arguments declared."""
    return load_target(
        stack=args.stack,
        region=args.region,
        endpoint_url=args.endpoint_url,
        catalog_path=args.catalog,
        stack_path=args.stack_file,
    )
