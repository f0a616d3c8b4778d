"""Changing production values takes a yes: typed on a terminal, or `--yes` in automation."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from inputs.stack_settings import PRODUCTION
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, CommandError


def add_confirmation_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help=f"change the {PRODUCTION} environment without asking (needed when not on a terminal)",
    )


def confirm_change(
    *,
    environment: str,
    action: str,
    assume_yes: bool,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> None:
    """Says what is about to happen in prod and asks; CommandError unless confirmed.

    Other environments go ahead without a question. On a terminal the operator types the
    environment's name; elsewhere (CI, a pipe) `--yes` is the only way, so that a script never
    changes prod by accident. Exit 2 when `--yes` is missing off a terminal, 1 when declined.
    """
    if environment != PRODUCTION:
        return
    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    print(f"About to {action} in environment {environment}.", file=stderr)
    if assume_yes:
        return
    if not stdin.isatty():
        raise CommandError(
            f"environment {environment}: not on a terminal, so nothing was asked or changed; "
            "pass --yes to confirm",
            status=EXIT_BAD_INPUT,
        )
    print(f"Type {environment} to go ahead: ", end="", file=stderr, flush=True)
    if stdin.readline().strip() != environment:
        raise CommandError("not confirmed; nothing was changed", status=EXIT_FAILED)
