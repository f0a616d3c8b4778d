"""The .env file `secretsctl env` writes: quoting both readers agree on, and a private file."""

from __future__ import annotations

import os
import stat

import pytest

from secretsctl import env_dotenv
from secretsctl.env_dotenv import (
    UnrepresentableValue,
    check_output,
    quoted,
    render,
    write_private,
)
from secretsctl.errors import CommandError
from secretsctl.import_env_dotenv import parse_env
from tests.rotation.secret_leaks import assert_no_secret, exception_text

SENTINEL = "SENTINEL-dotenv-7a1c"

# Every value with the line written for it. docker compose's env_file parser (compose-go v2,
# dotenv/parser.go) read each of these lines back exactly, checked once by hand with that
# parser built from source; the project's own parser is checked by every run below.
HOSTILE = {
    "SINGLE_QUOTE": ("it's", '"it\'s"'),
    "DOUBLE_QUOTES": ('say "hi"', "'say \"hi\"'"),
    "DOLLARS": ("pa$$word${HOME}$USER", "'pa$$word${HOME}$USER'"),
    "HASHES": ("a #b # c#", "'a #b # c#'"),
    "BACKSLASHES": ("C:\\path\\n\\t\\", '"C:\\\\path\\\\n\\\\t\\\\"'),
    "SPACES": ("  lead and trail  ", "'  lead and trail  '"),
    "NEWLINES": ("line1\nline2\r\nline3", '"line1\\nline2\\r\\nline3"'),
    "MIXED": ("'\"\\ #\n\t", '"\'\\"\\\\ #\\n\t"'),
    "EMPTY": ("", "''"),
    "TRAILING_BACKSLASH": ("end\\", '"end\\\\"'),
    "BACKSLASH_QUOTE": ('\\"', "'\\\"'"),
    "ESCAPED_DOLLAR": ("\\$", "'\\$'"),
    "OCTAL_AND_HEX": ("\\0123\\x41\\u0041", "'\\0123\\x41\\u0041'"),
    "EQUALS": ("a=b==", "'a=b=='"),
    "SHELL": ("`cmd` $(x); export X=1", "'`cmd` $(x); export X=1'"),
    "UNICODE": ("héllo ✓ 日本", "'héllo ✓ 日本'"),
    "JSON": ('{"a": "b\\"c", "n": 1}', '\'{"a": "b\\"c", "n": 1}\''),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_quotes_a_hostile_value_as_both_readers_read_it(name):
    value, line = HOSTILE[name]

    assert quoted(value) == line


def test_the_file_reads_back_exactly_with_the_projects_parser():
    values = {name: value for name, (value, _) in HOSTILE.items()}

    text = render(values, header="secretsctl env --stack dev: service api")

    assert text.startswith("# secretsctl env --stack dev: service api\n")
    assert {v.name: v.value for v in parse_env(text, file=".env")} == values


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("it's $5", "holds a $ together with a ', a line break or a trailing backslash"),
        ("one\n$two", "holds a $ together with"),
        ("$HOME\\", "holds a $ together with"),
        ("nul\x00here", "holds a NUL character"),
        ("tab\x0bvertical", "holds a line break other than \\n and \\r"),
        ("para\u2028graph", "holds a line break other than \\n and \\r"),
        ("lone\ud800", "is not valid Unicode text"),
    ],
)
def test_rejects_a_value_no_quoting_reads_back(value, reason):
    with pytest.raises(UnrepresentableValue) as caught:
        quoted(f"{SENTINEL}{value}")

    assert reason in str(caught.value)
    assert_no_secret(exception_text(caught.value), [SENTINEL])


def test_an_unwritable_value_names_its_variable_never_the_value():
    with pytest.raises(CommandError) as caught:
        render({"OK": "fine", "BAD": f"{SENTINEL} it's $HOME"}, header="h")

    assert caught.value.status == 1
    assert str(caught.value).startswith("BAD: its value holds a $ together with a '")
    assert_no_secret(exception_text(caught.value), [SENTINEL])


def test_writes_a_new_file_with_mode_0600_whatever_the_umask(tmp_path):
    path = tmp_path / ".env"
    previous = os.umask(0)
    try:
        write_private(path, "A='1'\n", force=False)
    finally:
        os.umask(previous)

    assert path.read_text() == "A='1'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == [".env"]


def test_replaces_an_existing_file_only_when_forced(tmp_path):
    path = tmp_path / ".env"
    path.write_text("OLD=1\n")
    path.chmod(0o644)

    write_private(path, "NEW='2'\n", force=True)

    assert path.read_text() == "NEW='2'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == [".env"]


def test_never_overwrites_a_file_that_appeared_after_the_check(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    check_output(path, force=False)
    path.write_text("SOMEONE_ELSES=1\n")  # created meanwhile

    with pytest.raises(CommandError) as caught:
        write_private(path, "MINE='2'\n", force=False)

    assert caught.value.status == 2
    assert str(caught.value) == f"{path}: already exists; pass --force to replace it"
    assert path.read_text() == "SOMEONE_ELSES=1\n"
    assert os.listdir(tmp_path) == [".env"]


def test_without_hard_links_it_still_refuses_to_overwrite(tmp_path, monkeypatch):
    def no_links(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(env_dotenv.os, "link", no_links)
    fresh, taken = tmp_path / "fresh.env", tmp_path / "taken.env"
    taken.write_text("KEEP=1\n")

    write_private(fresh, "A='1'\n", force=False)
    with pytest.raises(CommandError):
        write_private(taken, "A='1'\n", force=False)

    assert fresh.read_text() == "A='1'\n" and taken.read_text() == "KEEP=1\n"
    assert sorted(os.listdir(tmp_path)) == ["fresh.env", "taken.env"]


@pytest.mark.parametrize(
    ("relative", "force", "problem"),
    [
        ("exists.env", False, "already exists; pass --force to replace it"),
        ("missing/.env", True, "directory {tmp}/missing does not exist"),
        ("a-directory", True, "is a directory; give a file name"),
    ],
)
def test_rejects_an_output_it_cannot_create(tmp_path, relative, force, problem):
    (tmp_path / "exists.env").write_text("")
    (tmp_path / "a-directory").mkdir()
    path = tmp_path / relative

    with pytest.raises(CommandError) as caught:
        check_output(path, force=force)

    assert caught.value.status == 2
    assert str(caught.value) == f"{path}: {problem.format(tmp=tmp_path)}"


def test_accepts_an_existing_file_when_forced(tmp_path):
    (tmp_path / ".env").write_text("")

    check_output(tmp_path / ".env", force=True)
