"""Helpers that look for secret values in log records and exceptions."""

from __future__ import annotations

import traceback
from collections.abc import Iterable

import pytest


def exception_text(exc: BaseException) -> str:
    """Everything an error reporter could show: the traceback, and every linked exception's args.

    Context suppressed with `from None` is included too, because it is still on the object.
    """
    parts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts.append(repr(current.args))
        pending.extend([current.__cause__, current.__context__])
    return "\n".join(parts)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record's formatted message and raw arguments."""
    return "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)


def assert_no_secret(text: str, secret_values: Iterable[str]) -> None:
    for value in secret_values:
        assert value, "an empty secret value proves nothing"
        if value in text:
            # Not a bare assert, whose report would print the value.
            pytest.fail(f"a secret value of {len(value)} characters leaked", pytrace=False)
