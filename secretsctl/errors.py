"""What every command's failure looks like: exit codes and the one problem printer."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from botocore.exceptions import ConnectionError as AWSConnectionError
from botocore.exceptions import (
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)

EXIT_OK = 0
EXIT_FAILED = 1
"""A check failed, or AWS failed or refused a call."""
EXIT_BAD_INPUT = 2
"""The catalog, the stack file, a flag or a file given was invalid; nothing was done."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C, as shells report SIGINT."""
MESSAGE_LIMIT = 160
"""The most characters of a message from AWS (or from whatever answered for it) we print."""
_TAG = re.compile(r"<[^>]*>")


class CommandError(Exception):
    """Stops a command with one line for the operator (or its input problems) and a status."""

    def __init__(self, message: str, *, status: int, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.problems = list(problems)

    @classmethod
    def bad_input(cls, problems: Sequence[str]) -> CommandError:
        return cls("invalid input", status=EXIT_BAD_INPUT, problems=problems)


def report_problems(command: str, problems: Sequence[str], *, outcome: str = "done") -> None:
    """Every problem on its own line, on stderr, without a traceback."""
    print(f"secretsctl {command}: invalid input:", file=sys.stderr)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    print(f"{len(problems)} problem(s); nothing was {outcome}.", file=sys.stderr)


def fail(command: str, message: str) -> None:
    print(f"secretsctl {command}: {message}", file=sys.stderr)


def report(command: str, error: CommandError) -> int:
    """Prints the error the one way errors are printed; returns its exit status."""
    if error.problems:
        report_problems(command, error.problems)
    else:
        fail(command, str(error))
    return error.status


def one_line(text: str, *, limit: int = MESSAGE_LIMIT) -> str:
    """A message from AWS as one line: tags stripped, its first line with text, length capped.

    An endpoint (a proxy, an emulator) may answer with an HTML page, which would otherwise
    spill over many lines into a table row or an error.
    """
    lines = (" ".join(line.split()) for line in _TAG.sub(" ", text).splitlines())
    line = next((line for line in lines if line), "")
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def unanswered(exc: Exception) -> str:
    """Why AWS gave no answer, and what to do; never the exception's text, which may hold a
    request parameter (a value, say)."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, e.g. after aws sso login)"
        )
    if isinstance(exc, ProfileNotFound):
        return (
            f"profile {exc.kwargs.get('profile')!r} (AWS_PROFILE) is not in the AWS config "
            "files; set AWS_PROFILE to one of their profiles, or unset it"
        )
    if isinstance(exc, AWSConnectionError):
        endpoint = str(exc.kwargs.get("endpoint_url") or "the endpoint").rstrip("/")
        return f"cannot connect to {endpoint}; check --endpoint-url, the region and the network"
    if isinstance(exc, ValueError):
        return "the endpoint URL is not usable (ValueError); check --endpoint-url"
    return (
        f"botocore raised {type(exc).__name__}; check the credentials, --region and --endpoint-url"
    )
