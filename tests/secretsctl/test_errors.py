"""One line per error: what AWS or an endpoint said, reduced to a line fit for a table."""

from __future__ import annotations

import pytest

from secretsctl.errors import MESSAGE_LIMIT, one_line
from tests.secretsctl.conftest import ERROR_PAGE


def test_an_html_error_page_becomes_its_first_line_of_text():
    assert one_line(ERROR_PAGE.decode()) == "403 Forbidden"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "Secrets Manager can't find the specified secret.",
            "Secrets Manager can't find the specified secret.",
        ),
        ("first line\nsecond line", "first line"),
        ("\n\n  spaced   out\t words  \nmore", "spaced out words"),
        ("<p>only <b>tags</b> stripped</p>", "only tags stripped"),
        ("", ""),
        ("<html><body></body></html>", ""),
    ],
)
def test_keeps_the_first_line_with_text(text, line):
    assert one_line(text) == line


def test_caps_the_length():
    line = one_line("x" * 1000)

    assert len(line) == MESSAGE_LIMIT
    assert line.endswith("...")
    assert len(one_line("y" * 100, limit=20)) == 20


def test_unanswered_never_repeats_the_exceptions_text():
    from botocore.exceptions import ParamValidationError

    from secretsctl.errors import unanswered

    # botocore quotes request parameters (a SecretString, say) in its own message
    exc = ParamValidationError(report="SecretString, value: SENTINEL-errors-77c1")

    said = unanswered(exc)

    assert "SENTINEL" not in said
    assert said.startswith("botocore raised ParamValidationError; check the credentials")
