"""The .env parser of `secretsctl import-env`: quotes, comments, escapes and malformed lines."""

from __future__ import annotations

import pytest

from inputs.exceptions import InputError
from secretsctl.import_env_dotenv import parse_env, parse_env_file


def test_parses_quotes_comments_export_and_escapes():
    text = (
        "# comment\n"
        "\n"
        "A=plain value  # a comment\n"
        "export B='single #not a comment'\n"
        'C="line\\nbreak \\"quoted\\""\n'
        "D=\n"
        "E=a#b\n"
        "  F = spaced  \n"
    )

    parsed = {v.name: (v.value, v.line) for v in parse_env(text, file=".env")}

    assert parsed == {
        "A": ("plain value", 3),
        "B": ("single #not a comment", 4),
        "C": ('line\nbreak "quoted"', 5),
        "D": ("", 6),
        "E": ("a#b", 7),
        "F": ("spaced", 8),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("OK=1\nsk-SENTINEL-pasted-alone\n", ".env:2: not KEY=VALUE; allowed: KEY=VALUE"),
        ("A='SENTINEL-unterminated\n", ".env:1: A: no closing ' on this line"),
        ('A="SENTINEL" trailing-SENTINEL\n', '.env:1: A: text after the closing "'),
        ("1A=SENTINEL\n", ".env:1: bad variable name: letters, digits and _"),
        ("my-var=SENTINEL\n", ".env:1: bad variable name"),
        ("A=1\nA=SENTINEL\n", ".env:2: A is set again (first on line 1)"),
    ],
)
def test_rejects_malformed_lines_naming_file_and_line_without_the_value(text, message):
    with pytest.raises(InputError) as raised:
        parse_env(text, file=".env")

    (problem,) = raised.value.problems
    assert problem.startswith(message)
    assert "SENTINEL" not in problem


def test_reports_every_malformed_line_at_once():
    with pytest.raises(InputError) as raised:
        parse_env("nothing here\nB='open\nC=fine\n", file="x.env")

    assert [line.split(":")[1] for line in raised.value.problems] == ["1", "2"]


def test_reads_a_file_by_its_name(tmp_path):
    path = tmp_path / "app.env"
    path.write_text("export A='1'\n")

    assert [(v.name, v.value, v.line) for v in parse_env_file(path)] == [("A", "1", 1)]


def test_rejects_a_file_that_is_not_utf8_without_quoting_it(tmp_path):
    path = tmp_path / "app.env"
    path.write_bytes(b"A=SENTINEL\xff\n")

    with pytest.raises(InputError) as raised:
        parse_env_file(path)

    assert raised.value.problems == [f"{path}: not UTF-8 text (byte 10)"]


def test_accepts_and_strips_a_utf8_bom_as_notepad_writes_it(tmp_path):
    # GIVEN a file saved by Notepad: UTF-8 with a byte order mark, CRLF line ends
    path = tmp_path / "app.env"
    path.write_bytes(b"\xef\xbb\xbfDB_PASSWORD=SENTINEL-bom\r\nPORT=8080\r\n")

    # WHEN it is read
    parsed = [(v.name, v.value, v.line) for v in parse_env_file(path)]

    # THEN line 1's name is DB_PASSWORD, not a bad variable name
    assert parsed == [("DB_PASSWORD", "SENTINEL-bom", 1), ("PORT", "8080", 2)]


def test_a_bom_is_stripped_from_text_too():
    assert [v.name for v in parse_env("\ufeffA=1\n", file=".env")] == ["A"]
