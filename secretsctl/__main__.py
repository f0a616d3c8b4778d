"""Entry point: `python -m secretsctl COMMAND ...`."""

from __future__ import annotations

import argparse
import sys

from secretsctl import check, import_env, plan, rollback, rotate, status, verify

COMMANDS = (plan, check, rotate, rollback, status, verify, import_env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="secretsctl", description="Operate app-secrets stacks: plan, check, rotate, verify."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
