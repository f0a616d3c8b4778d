"""`secretsctl import-env`: migrate a .env file into catalog entries, never echoing a value."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from inputs.exceptions import InputError
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, report_problems
from secretsctl.import_env_catalog import entry_lines, write_catalog
from secretsctl.import_env_classify import CONFIG, GENERATE, Proposal, propose
from secretsctl.import_env_dotenv import EnvVariable, parse_env_file
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

SECRET_STRING_LIMIT = 65_536
"""Secrets Manager's largest SecretString, in bytes."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-env",
        help="propose catalog entries for a .env file (dry run), or write them with --apply",
        description="Reads a .env file (KEY=VALUE lines, quotes, comments, `export `) and "
        "proposes a catalog entry per secret-looking variable, guessing its kind: generate "
        "(a value the application owns), config (a third-party key) or external. It prints "
        "the `pulumi config set --secret` commands without any value. --apply appends the new "
        "entries to the catalog and puts the values of external secrets with PutSecretValue. "
        "No value is ever printed. Exit status: 0 done, 1 a value could not be put, 2 bad input.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the .env file")
    add_stack_arguments(parser)
    parser.add_argument(
        "--apply", action="store_true", help="write the catalog and put external values"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _import(args)
    except InputError as exc:
        report_problems("import-env", exc.problems)
        return EXIT_BAD_INPUT


def _import(args: argparse.Namespace) -> int:
    """The dry run, then with --apply the catalog and the values; InputError before each write."""
    variables = parse_env_file(args.file)
    target = target_from_args(args)
    proposals = propose(variables, target.inputs.catalog)
    sys.stdout.write(render(proposals, target=target, file=args.file.name, apply=args.apply))
    if not args.apply:
        return EXIT_OK
    written = write_catalog(target.catalog_path, proposals, source=args.file.name)
    print(f"\n{target.catalog_path.name}: {written} entr{'y' if written == 1 else 'ies'} added.")
    return put_external_values(proposals, target=target)


# --- the dry run --------------------------------------------------------------------------


def render(proposals: Sequence[Proposal], *, target: StackTarget, file: str, apply: bool) -> str:
    catalog = target.catalog_path.name
    new = [proposal for proposal in proposals if proposal.is_new]
    mode = "applying" if apply else "dry run; --apply writes the entries and puts the values"
    secret_path = target.inputs.names.secret_path
    lines = [f"{file} -> {catalog}, stack {target.stack} ({secret_path}*): {mode}", ""]
    if new:
        lines.append(f"New entries under secrets: in {catalog}:")
        for proposal in new:
            lines.append(
                f"  # {proposal.variable.name} (line {proposal.variable.line}): "
                f"{proposal.kind}, {proposal.reason}"
            )
            lines += [f"+ {line}" for line in entry_lines(proposal, source=file)]
    else:
        lines.append(f"No new entries for {catalog}.")
    for proposal in proposals:
        if proposal.kind is not None and proposal.declared_as is not None:
            lines.append(
                f"  {proposal.variable.name}: {proposal.secret_name} is already in {catalog} "
                f"({proposal.declared_as}); left as is"
            )
    skipped = [proposal for proposal in proposals if proposal.kind is None]
    if skipped:
        lines += ["", "Skipped (keep them as plain configuration, e.g. a task's environment):"]
        lines += [f"  {p.variable.name} (line {p.variable.line}): {p.reason}" for p in skipped]
    lines += _config_steps(proposals, target=target)
    lines += _generated_steps(proposals)
    lines += _external_steps(proposals, target=target)
    lines += [
        "",
        f"Then: pulumi up --stack {target.stack}, and reference the secrets from a service's env "
        "or runtime_read. Every other stack of the catalog needs its own values too.",
    ]
    return "\n".join(lines) + "\n"


def _config_steps(proposals: Sequence[Proposal], *, target: StackTarget) -> list[str]:
    """`pulumi config set --secret` for each config secret, new or declared as config."""
    configs = [p for p in proposals if p.kind == CONFIG and p.declared_as in (None, CONFIG)]
    if not configs:
        return []
    lines = [
        "",
        "Set each config value (pulumi prompts for it and hides it; or pipe it from a file "
        "holding only the value, without a trailing newline, as shown):",
    ]
    for proposal in configs:
        key = proposal.config_key or target.inputs.catalog.secrets[proposal.secret_name].config
        command = f"pulumi config set --secret {key} --stack {target.stack}"
        lines.append(f"  {command}    # {proposal.variable.name}")
        lines.append(f"  {command} < {proposal.secret_name}.value")
    return lines


def _generated_steps(proposals: Sequence[Proposal]) -> list[str]:
    generated = [p for p in proposals if p.is_new and p.kind == GENERATE]
    if not generated:
        return []
    return [
        "",
        "Generated values are drawn by pulumi up; the .env values are not imported. Update "
        "what uses the old value (e.g. ALTER ROLE ... PASSWORD), or change the entry to "
        "external: true to keep it:",
        *(f"  {p.secret_name} ({p.variable.name})" for p in generated),
    ]


def _external_steps(proposals: Sequence[Proposal], *, target: StackTarget) -> list[str]:
    external = [p for p in proposals if p.puts_value]
    if not external:
        return []
    return [
        "",
        "External values, put with PutSecretValue by --apply once the secret exists:",
        *(
            f"  {p.variable.name} -> {target.inputs.names.secret_full_name(p.secret_name)}"
            for p in external
        ),
    ]


# --- --apply: the values of external secrets -----------------------------------------------


def put_external_values(proposals: Sequence[Proposal], *, target: StackTarget) -> int:
    """PutSecretValue for each external secret that exists and has no value yet."""
    external = [proposal for proposal in proposals if proposal.puts_value]
    if not external:
        return EXIT_OK
    client = target.client("secretsmanager")
    failed = 0
    print("\nExternal values:")
    for proposal in external:
        secret_id = target.inputs.names.secret_full_name(proposal.secret_name)
        try:
            outcome = _put_value(
                client, secret_id=secret_id, variable=proposal.variable, stack=target.stack
            )
        except ClientError as exc:
            failed += 1
            code = exc.response.get("Error", {}).get("Code", "error")
            outcome = f"not put: {code}"
        except BotoCoreError as exc:
            print(f"secretsctl import-env: cannot reach AWS: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"  {proposal.variable.name} -> {secret_id}: {outcome}")
    return EXIT_FAILED if failed else EXIT_OK


def _put_value(client: Any, *, secret_id: str, variable: EnvVariable, stack: str) -> str:
    """The row's outcome; puts only into a secret that exists, is not deleted and has no value."""
    if len(variable.value.encode()) > SECRET_STRING_LIMIT:
        return f"not put: longer than Secrets Manager's {SECRET_STRING_LIMIT:,} bytes"
    try:
        described = client.describe_secret(SecretId=secret_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        return f"not deployed yet: run pulumi up --stack {stack}, then import-env --apply again"
    if described.get("DeletedDate"):
        return f"scheduled for deletion: aws secretsmanager restore-secret --secret-id {secret_id}"
    stages = described.get("VersionIdsToStages") or {}
    if any("AWSCURRENT" in labels for labels in stages.values()):
        return "already has a value; left unchanged"
    with _quiet_request_logging():
        version = client.put_secret_value(SecretId=described["ARN"], SecretString=variable.value)
    return f"value put (version {version['VersionId']})"


@contextlib.contextmanager
def _quiet_request_logging() -> Iterator[None]:
    """botocore logs request bodies at DEBUG: not while a value is in one."""
    logger = logging.getLogger("botocore")
    level = logger.level
    logger.setLevel(max(level, logging.INFO))
    try:
        yield
    finally:
        logger.setLevel(level)
