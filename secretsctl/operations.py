"""What the AWS commands share: the stack's secrets, a client, one-line errors, hints to paste."""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
)

from inputs.catalog import SecretSpec
from inputs.exceptions import InputError
from secretsctl.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    CommandError,
    one_line,
    report,
    unanswered,
)
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

if TYPE_CHECKING:
    from botocore.client import BaseClient

STACK_OPTIONS = (
    ("--stack-file", "stack_file"),
    ("--catalog", "catalog"),
    ("--region", "region"),
    ("--endpoint-url", "endpoint_url"),
)
"""The stack arguments a hint repeats, as given, after --stack."""


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


def list_versions(client: BaseClient, secret_name: str) -> list[dict[str, Any]]:
    """Every version ListSecretVersionIds returns (ids, stages, CreatedDate), all pages."""
    versions, request = [], {"SecretId": secret_name}
    while True:
        page = client.list_secret_version_ids(**request)
        versions += page.get("Versions", [])
        if not page.get("NextToken"):
            return versions
        request["NextToken"] = page["NextToken"]


def timestamp(moment: datetime) -> str:
    """A moment from AWS in UTC, to the second: 2026-01-05T09:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def aws_command(target: StackTarget, *words: str) -> str:
    """`aws secretsmanager WORDS` in the stack's region and endpoint, shell-quoted."""
    endpoint = ["--endpoint-url", target.endpoint_url] if target.endpoint_url else []
    return shlex.join(["aws", "secretsmanager", *words, "--region", target.region, *endpoint])


def restore_command(target: StackTarget, secret_name: str) -> str:
    return aws_command(target, "restore-secret", "--secret-id", secret_name)


def secretsctl_command(args: argparse.Namespace, *words: str) -> str:
    """`python -m secretsctl WORDS` on the same stack, with every stack option given."""
    options = ["--stack", args.stack]
    for flag, attribute in STACK_OPTIONS:
        value = getattr(args, attribute, None)
        if value is not None:
            options += [flag, str(value)]
    return shlex.join(["python", "-m", "secretsctl", *words, *options])


def refuse_pending_deletion(
    secret: OperatedSecret, metadata: Mapping[str, Any], *, action: str
) -> None:
    """CommandError (exit 1) with the restore command when the secret's deletion is pending.

    DescribeSecret's DeletedDate is when the deletion was requested; until the recovery window
    has passed, the secret can only be restored.
    """
    requested = metadata.get("DeletedDate")
    if requested is not None:
        raise CommandError(
            f"{secret.name}: pending deletion (requested {timestamp(requested)}), so it cannot "
            f"be {action}; restore it first: {restore_command(secret.target, secret.name)}",
            status=EXIT_FAILED,
        )


def error_text(exc: ClientError) -> str:
    """AWS's error code and message as one line, `Code: message`."""
    error = exc.response.get("Error", {})
    code = one_line(str(error.get("Code", "Unknown")))
    message = one_line(str(error.get("Message", "")))
    return f"{code}: {message}" if message else code


@contextlib.contextmanager
def aws_errors(secret_name: str) -> Iterator[None]:
    """A failed call becomes one line with the secret's name and AWS's error code."""
    try:
        yield
    except ClientError as exc:
        raise CommandError(
            f"{secret_name}: AWS error {error_text(exc)}", status=EXIT_FAILED
        ) from None


def aws_failure(exc: BotoCoreError) -> CommandError:
    """A call that got no answer from AWS (no credentials, no connection): one line, exit 1."""
    return CommandError(f"AWS: {unanswered(exc)}", status=EXIT_FAILED)


def run_operation(
    command: str, args: argparse.Namespace, operation: Callable[[argparse.Namespace], int]
) -> int:
    """Runs `operation`; any failure is one line on stderr and an exit status, no traceback."""
    try:
        return operation(args)
    except CommandError as exc:
        return report(command, exc)
    except BotoCoreError as exc:
        return report(command, aws_failure(exc))


@contextlib.contextmanager
def quiet_botocore() -> Iterator[None]:
    """botocore logs request and response bodies at DEBUG: not while a value is in one."""
    logger = logging.getLogger("botocore")
    level = logger.level
    logger.setLevel(max(level, logging.INFO))
    try:
        yield
    finally:
        logger.setLevel(level)
