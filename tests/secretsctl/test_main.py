"""The entry point: no command ever ends in a traceback."""

from __future__ import annotations

import pytest

from secretsctl import __main__ as entry
from secretsctl import status

SENTINEL = "SENTINEL-main-5e0f-never-print"


def test_an_unexpected_error_is_one_line_without_its_text(monkeypatch, capsys):
    # GIVEN a command that fails in a way nobody foresaw, with a value in the message
    def broken(_args):
        raise RuntimeError(f"boom {SENTINEL}")

    monkeypatch.setattr(status, "status", broken)
    monkeypatch.delenv(entry.DEBUG_VARIABLE, raising=False)

    # WHEN it runs
    code = entry.main(["status", "--stack", "dev", "--region", "eu-west-1"])

    # THEN one line names the kind of error, never its text, and the exit status is 1
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "secretsctl status: internal error (RuntimeError); set SECRETSCTL_DEBUG=1 for the "
        "traceback (it may show values)\n"
    )
    assert SENTINEL not in err


def test_the_debug_variable_shows_the_traceback(monkeypatch):
    def broken(_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(status, "status", broken)
    monkeypatch.setenv(entry.DEBUG_VARIABLE, "1")

    with pytest.raises(RuntimeError):
        entry.main(["status", "--stack", "dev", "--region", "eu-west-1"])


def test_an_interrupt_exits_130(monkeypatch, capsys):
    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(status, "status", interrupted)

    assert entry.main(["status", "--stack", "dev", "--region", "eu-west-1"]) == 130
    assert capsys.readouterr().err == "secretsctl status: interrupted\n"
