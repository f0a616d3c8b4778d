"""`secretsctl import-env`: migrate a .env file into catalog entries, never echoing a value."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from inputs.exceptions import InputError
from secretsctl.confirm import add_confirmation_argument, confirm_change
from secretsctl.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    CommandError,
    fail,
    report,
    report_problems,
)
from secretsctl.import_env_aws import look_up, put_values
from secretsctl.import_env_catalog import CatalogEdit, entry_lines, prepare_catalog
from secretsctl.import_env_classify import CONFIG, GENERATE, Proposal, propose
from secretsctl.import_env_dotenv import parse_env_file
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

COMMAND = "import-env"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        COMMAND,
        help="propose catalog entries for a .env file (dry run), or write them with --apply",
        description="Reads a .env file (KEY=VALUE lines, quotes, comments, `export `) and "
        "proposes a catalog entry per secret-looking variable, guessing its kind: generate "
        "(a value the application owns), config (a vendor's key) or external (issued by "
        "another party). It prints the `pulumi config set --secret` commands without any "
        "value. --apply checks AWS first, then appends the new entries to the catalog and "
        "puts the values of external secrets with PutSecretValue; in prod it asks first "
        "(--yes off a terminal). No value is ever printed. Exit status: 0 done, 1 an AWS "
        "call failed or a value could not be put, 2 bad input.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the .env file")
    add_stack_arguments(parser)
    parser.add_argument(
        "--apply", action="store_true", help="write the catalog and put external values"
    )
    add_confirmation_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _import(args)
    except InputError as exc:
        report_problems(COMMAND, exc.problems)
        return EXIT_BAD_INPUT
    except CommandError as exc:
        return report(COMMAND, exc)


def _import(args: argparse.Namespace) -> int:
    """The dry run; with --apply, AWS is asked, then the catalog written and the values put.

    Every check comes before the first write: the .env file, the catalog with its new
    entries, AWS (credentials, endpoint, each secret), and in prod the operator's yes.
    """
    variables = parse_env_file(args.file)
    target = target_from_args(args)
    proposals = propose(variables, target.inputs.catalog, environment=_environment(target))
    warn_unputtable(proposals, file=args.file.name)
    edit = prepare_catalog(target.catalog_path, proposals, source=args.file.name)
    sys.stdout.write(render(proposals, target=target, file=args.file.name, apply=args.apply))
    if not args.apply:
        return EXIT_OK
    status = _apply(proposals, target=target, edit=edit, assume_yes=args.yes)
    unputtable = any(proposal.problem for proposal in proposals)
    return EXIT_FAILED if unputtable else status


def _apply(
    proposals: Sequence[Proposal], *, target: StackTarget, edit: CatalogEdit, assume_yes: bool
) -> int:
    lookup = look_up(proposals, target=target)
    entries = _count(edit.added, one="entry", many="entries")
    if edit.added or lookup.ready:
        values = _count(len(lookup.ready), one="value", many="values")
        confirm_change(
            environment=_environment(target),
            action=f"add {entries} to {target.catalog_path.name} and put {values} into "
            f"{target.inputs.names.secret_path}",
            assume_yes=assume_yes,
        )
    edit.write()
    print(f"\n{target.catalog_path.name}: {entries} added.")
    return put_values(lookup.slots, client=lookup.client, stack=target.stack)


def warn_unputtable(proposals: Sequence[Proposal], *, file: str) -> None:
    """One line on stderr per value that cannot be put, before anything else; never the value."""
    for proposal in proposals:
        if proposal.problem:
            left = "left out of the catalog" if proposal.declared_as is None else "not put"
            where = f"{file}:{proposal.variable.line}: {proposal.variable.name}"
            fail(COMMAND, f"{where}: cannot be put: {proposal.problem}; {left}")


def _environment(target: StackTarget) -> str:
    return target.inputs.settings.environment


def _count(number: int, *, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


# --- the dry run --------------------------------------------------------------------------


def render(proposals: Sequence[Proposal], *, target: StackTarget, file: str, apply: bool) -> str:
    catalog = target.catalog_path.name
    mode = "applying" if apply else "dry run; --apply writes the entries and puts the values"
    secret_path = target.inputs.names.secret_path
    lines = [f"{file} -> {catalog}, stack {target.stack} ({secret_path}*): {mode}", ""]
    lines += _new_entries(proposals, catalog=catalog, file=file)
    lines += [_declared(p, target=target) for p in proposals if p.kind and p.declared_as]
    lines += _skipped(proposals)
    lines += _config_steps(proposals, target=target)
    lines += _generated_steps(proposals)
    lines += _external_steps(proposals, target=target)
    lines += [
        "",
        f"Then: pulumi up --stack {target.stack}, and reference the secrets from a service's env "
        "or runtime_read. Every other stack of the catalog needs its own values too.",
    ]
    return "\n".join(lines) + "\n"


def _new_entries(proposals: Sequence[Proposal], *, catalog: str, file: str) -> list[str]:
    new = [proposal for proposal in proposals if proposal.is_new]
    if not new:
        return [f"No new entries for {catalog}."]
    lines = [f"New entries under secrets: in {catalog}:"]
    for proposal in new:
        lines.append(
            f"  # {proposal.variable.name} (line {proposal.variable.line}): "
            f"{proposal.kind}, {proposal.reason}"
        )
        lines += [f"+ {line}" for line in entry_lines(proposal, source=file)]
    return lines


def _declared(proposal: Proposal, *, target: StackTarget) -> str:
    """The line of a variable whose entry the catalog has; where its value goes if not here."""
    line = (
        f"  {proposal.variable.name}: {proposal.secret_name} is already in "
        f"{target.catalog_path.name} ({proposal.declared_as})"
    )
    if not proposal.elsewhere:
        return f"{line}; left as is"
    stack = proposal.elsewhere[0]
    key = _config_key(proposal, target=target) if proposal.source == CONFIG else ""
    how = (
        f"set with pulumi config set --secret {key} --stack {stack}"
        if key
        else f"put with import-env --stack {stack} --apply"
    )
    return (
        f"{line}, but not in environment {_environment(target)}: it exists only in "
        f"{', '.join(proposal.elsewhere)}; its value is {how}"
    )


def _skipped(proposals: Sequence[Proposal]) -> list[str]:
    """Plain configuration, and apart from it what looks secret: never advised into a task's
    environment, where ECS.8 forbids secrets."""
    lines = []
    plain = [p for p in proposals if p.kind is None and not p.looks_secret]
    if plain:
        lines += ["", "Skipped (keep them as plain configuration, e.g. a task's environment):"]
        lines += [f"  {p.variable.name} (line {p.variable.line}): {p.reason}" for p in plain]
    doubtful = [p for p in proposals if p.kind is None and p.looks_secret]
    if doubtful:
        lines += [
            "",
            "Not imported, though the value looks secret: if it is one, add its entry by hand; "
            "keep it out of a task's environment (ECS.8):",
        ]
        lines += [f"  {p.variable.name} (line {p.variable.line}): {p.reason}" for p in doubtful]
    return lines


def _config_steps(proposals: Sequence[Proposal], *, target: StackTarget) -> list[str]:
    """`pulumi config set --secret` for each config secret of this environment."""
    configs = [p for p in proposals if p.source == CONFIG and not (p.problem or p.elsewhere)]
    if not configs:
        return []
    lines = [
        "",
        "Set each config value (pulumi prompts for it and hides it; or pipe it from a file "
        "holding only the value, without a trailing newline, as shown):",
    ]
    for proposal in configs:
        key = _config_key(proposal, target=target)
        command = f"pulumi config set --secret {key} --stack {target.stack}"
        lines.append(f"  {command}    # {proposal.variable.name}")
        lines.append(f"  {command} < {proposal.secret_name}.value")
    return lines


def _config_key(proposal: Proposal, *, target: StackTarget) -> str:
    """The catalog's key for a declared entry, else the one proposed."""
    if proposal.declared_as is None:
        return proposal.config_key
    return str(target.inputs.catalog.secrets[proposal.secret_name].config)


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
