"""Entry point: `python -m secretsctl COMMAND ...`."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from secretsctl import check, diff, env, import_env, plan, rollback, rotate, status, verify
from secretsctl.errors import EXIT_FAILED, EXIT_INTERRUPTED, fail

COMMANDS = (plan, check, diff, rotate, rollback, status, verify, import_env, env)
DEBUG_VARIABLE = "SECRETSCTL_DEBUG"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="secretsctl", description="Operate app-secrets stacks: plan, check, rotate, verify."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        fail(args.command, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        # The last resort: a traceback or an exception's text may quote a value.
        if os.environ.get(DEBUG_VARIABLE):
            raise
        fail(
            args.command,
            f"internal error ({type(exc).__name__}); set {DEBUG_VARIABLE}=1 for the traceback "
            "(it may show values)",
        )
        return EXIT_FAILED


if __name__ == "__main__":
    # One command is one short process, and reference counting frees nearly all it allocates:
    # the cycle collector's passes over a plan's heap cost about 0.4 s of a 1,000-secret plan
    # and reclaim a few megabytes (docs/benchmarks.md). It stays off, and the interpreter's last
    # collection is spared a walk over everything the command left alive.
    gc.disable()
    status = main()
    gc.freeze()
    sys.exit(status)
