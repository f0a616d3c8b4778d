"""What rotate, rollback and status share: the stack's secrets, a client, one-line errors."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError, ProfileNotFound

from inputs.catalog import SecretSpec
from inputs.exceptions import InputError
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, CommandError, fail, report
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

if TYPE_CHECKING:
    from botocore.client import BaseClient


def load_stack(args: argparse.Namespace) -> StackTarget:
    """The stack's validated catalog and settings; CommandError (exit 2) with every problem."""
    try:
        return target_from_args(args)
    except InputError as exc:
        raise CommandError.bad_input(exc.problems) from None


@dataclass(frozen=True)
class OperatedSecret:
    """The one secret a rotate or rollback acts on."""

    target: StackTarget
    spec: SecretSpec
    name: str
    """`{prefix}/{env}/{catalog name}`, the secret's name in Secrets Manager."""
    client: BaseClient


def operated_secret(args: argparse.Namespace) -> OperatedSecret:
    """The stack and the catalog secret named by `args.secret`; CommandError otherwise."""
    target = load_stack(args)
    return OperatedSecret(
        target=target,
        spec=secret_spec(target, args.secret),
        name=secret_name(target, args.secret),
        client=secretsmanager_client(target),
    )


def add_operation(
    subparsers: argparse._SubParsersAction,
    command: str,
    operation: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str,
    takes_secret: bool = False,
    formatter_class: type[argparse.HelpFormatter] = argparse.HelpFormatter,
) -> argparse.ArgumentParser:
    """A subcommand with the stack arguments, whose failures `run_operation` reports."""
    parser = subparsers.add_parser(
        command, help=help, description=description, formatter_class=formatter_class
    )
    if takes_secret:
        parser.add_argument("secret", metavar="SECRET", help="the secret's catalog name")
    add_stack_arguments(parser)
    parser.set_defaults(func=lambda args: run_operation(command, args, operation))
    return parser


def secret_spec(target: StackTarget, name: str) -> SecretSpec:
    """The catalog entry of a secret the stack deploys; CommandError (exit 2) otherwise."""
    secrets = target.inputs.secrets
    if name not in secrets:
        raise CommandError(
            f"{name}: not a secret of stack {target.stack} "
            f"(environment {target.inputs.settings.environment}); its secrets: "
            f"{', '.join(secrets) or 'none'}",
            status=EXIT_BAD_INPUT,
        )
    return secrets[name]


def secret_name(target: StackTarget, name: str) -> str:
    """The secret's name in Secrets Manager, `{prefix}/{env}/{name}`."""
    return target.inputs.names.secret_full_name(name)


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
        raise CommandError(
            f"{secret_name}: AWS error {code}: {error.get('Message', '')}".rstrip(": "),
            status=EXIT_FAILED,
        ) from None


def run_operation(
    command: str, args: argparse.Namespace, operation: Callable[[argparse.Namespace], int]
) -> int:
    """Runs `operation`; any failure is one line on stderr and an exit status, no traceback."""
    try:
        return operation(args)
    except CommandError as exc:
        return report(command, exc)
    except (ProfileNotFound, NoRegionError) as exc:
        fail(command, f"{exc}; check AWS_PROFILE and --region")
        return EXIT_BAD_INPUT
    except BotoCoreError as exc:  # no credentials, endpoint unreachable, ...
        fail(command, f"AWS: {exc}")
        return EXIT_FAILED
