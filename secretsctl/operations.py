"""What rotate, rollback and status share: the stack's secrets, a client, one-line errors."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError, ProfileNotFound

from components.catalog import SecretSpec
from components.exceptions import InputError
from components.naming import secret_full_name
from secretsctl.stack_target import StackTarget, load_target

if TYPE_CHECKING:
    from botocore.client import BaseClient

EXIT_OK, EXIT_AWS_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class OperationError(Exception):
    """Stops a command with one line for the operator and an exit status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def load_stack(args: argparse.Namespace) -> StackTarget:
    """The stack's validated catalog and settings; OperationError (exit 2) with every problem."""
    try:
        return load_target(
            stack=args.stack,
            region=args.region,
            endpoint_url=args.endpoint_url,
            catalog_path=args.catalog,
            stack_path=args.stack_file,
        )
    except InputError as exc:
        raise OperationError("; ".join(exc.problems), status=EXIT_BAD_INPUT) from None


def secret_spec(target: StackTarget, name: str) -> SecretSpec:
    """The catalog entry of a secret the stack deploys; OperationError (exit 2) otherwise."""
    secrets = target.inputs.secrets
    if name not in secrets:
        raise OperationError(
            f"{name}: not a secret of stack {target.stack} "
            f"(environment {target.inputs.settings.environment}); its secrets: "
            f"{', '.join(secrets) or 'none'}",
            status=EXIT_BAD_INPUT,
        )
    return secrets[name]


def secret_name(target: StackTarget, name: str) -> str:
    """The secret's name in Secrets Manager, `{prefix}/{env}/{name}`."""
    return secret_full_name(target.inputs.settings, name)


def secretsmanager_client(target: StackTarget) -> BaseClient:
    """Secrets Manager with the usual AWS environment (AWS_PROFILE, credentials, ...)."""
    return target.client("secretsmanager")


@contextlib.contextmanager
def aws_errors(secret_name: str) -> Iterator[None]:
    """A failed call becomes one line with the secret's name and AWS's error code."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        raise OperationError(
            f"{secret_name}: AWS error {code}: {error.get('Message', '')}".rstrip(": "),
            status=EXIT_AWS_FAILURE,
        ) from None


def run_operation(
    command: str, args: argparse.Namespace, operation: Callable[[argparse.Namespace], int]
) -> int:
    """Runs `operation`; any failure is one line on stderr and an exit status, no traceback."""
    try:
        return operation(args)
    except OperationError as exc:
        _fail(command, str(exc))
        return exc.status
    except (ProfileNotFound, NoRegionError) as exc:
        _fail(command, f"{exc}; check AWS_PROFILE and --region")
        return EXIT_BAD_INPUT
    except BotoCoreError as exc:  # no credentials, endpoint unreachable, ...
        _fail(command, f"AWS: {exc}")
        return EXIT_AWS_FAILURE


def _fail(command: str, message: str) -> None:
    print(f"secretsctl {command}: {message}", file=sys.stderr)
