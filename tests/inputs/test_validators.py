"""The shared validators: patterns, ranges, list rules and AWS's tag rules, with their messages."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from inputs.validators import (
    RESERVED_TAG_KEYS,
    at_most,
    between,
    each_matches,
    matches,
    tag_problem,
    valid_tags,
)

DIGITS = re.compile(r"^\d{12}$")


def message(annotation: object, value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    (error,) = caught.value.errors()
    return str(error["ctx"]["error"])


def test_matches_accepts_the_whole_pattern_only():
    account = Annotated[str, matches(DIGITS, "12 digits")]

    assert TypeAdapter(account).validate_python("123456789012") == "123456789012"
    assert message(account, "123456789012x") == "must be 12 digits, got '123456789012x'"


@pytest.mark.parametrize("value", [8, 4096])
def test_between_includes_both_limits(value):
    assert TypeAdapter(Annotated[int, between(8, 4096)]).validate_python(value) == value


@pytest.mark.parametrize("value", [7, 4097])
def test_between_rejects_outside_saying_what_was_received(value):
    assert (
        message(Annotated[int, between(8, 4096)], value)
        == f"must be between 8 and 4096, got {value}"
    )


def test_each_matches_names_every_bad_item_with_its_value():
    emails = Annotated[list[str], each_matches(re.compile(r"^\S+@\S+$"), "an email", echo=True)]

    assert TypeAdapter(emails).validate_python(["a@b.c"]) == ["a@b.c"]
    assert message(emails, ["a@b.c", "nope", "no pe"]) == (
        "must each be an email; not: item 2 'nope', item 3 'no pe'"
    )


def test_each_matches_without_echo_names_items_by_position_only():
    urls = Annotated[list[str], each_matches(re.compile(r"^https://\S+$"), "a URL", echo=False)]

    text = message(urls, ["https://ok.example.com", "http://hooks.example.com/T0K3N"])

    assert text == "must each be a URL; not: item 2"
    assert "T0K3N" not in text


def test_at_most_counts_the_items():
    subnets = Annotated[list[str], at_most(2, "subnets per function")]

    assert TypeAdapter(subnets).validate_python(["a", "b"]) == ["a", "b"]
    assert (
        message(subnets, ["a", "b", "c"]) == "Lambda allows at most 2 subnets per function, got 3"
    )


@pytest.mark.parametrize("key", RESERVED_TAG_KEYS)
def test_tag_problem_rejects_the_keys_app_secrets_sets(key):
    assert tag_problem(key, "x") == f"tag {key!r} is set by app-secrets and cannot be overridden"


@pytest.mark.parametrize("key", ["aws:owner", "AWS:owner", "Aws:cost"])
def test_tag_problem_rejects_the_aws_prefix_in_any_case(key):
    assert tag_problem(key, "x") == f"tag {key!r}: keys starting with 'aws:' are reserved by AWS"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("", "x", "tag key '': 1-128 letters, digits, spaces and _.:/=+-@"),
        ("k" * 129, "x", f"tag key {'k' * 129!r}: 1-128 letters, digits, spaces and _.:/=+-@"),
        ("Team#1", "x", "tag key 'Team#1': 1-128 letters, digits, spaces and _.:/=+-@"),
        ("Team", "v" * 257, "tag 'Team': value must be 0-256 letters, digits, spaces and _.:/=+-@"),
        ("Team", "a|b", "tag 'Team': value must be 0-256 letters, digits, spaces and _.:/=+-@"),
    ],
)
def test_tag_problem_applies_aws_tag_rules(key, value, expected):
    assert tag_problem(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value"), [("k" * 128, "v" * 256), ("Team", ""), ("cost-center/a.b", "x @ y:z=+")]
)
def test_tag_problem_accepts_what_aws_accepts(key, value):
    assert tag_problem(key, value) is None


def test_valid_tags_reports_every_bad_tag_in_one_message():
    tags = Annotated[dict[str, str], valid_tags]

    assert TypeAdapter(tags).validate_python({"Team": "core"}) == {"Team": "core"}
    assert message(tags, {"ManagedBy": "me", "Team": "core", "aws:x": "y"}) == (
        "tag 'ManagedBy' is set by app-secrets and cannot be overridden; "
        "tag 'aws:x': keys starting with 'aws:' are reserved by AWS"
    )
