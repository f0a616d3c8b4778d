"""Reusable field validators with the messages users see: patterns, ranges, AWS tag rules."""

from __future__ import annotations

import re

from pydantic import AfterValidator

TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")
TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{0,256}$")
RESERVED_TAG_KEYS = ("Project", "Environment", "ManagedBy", "RotationStrategy")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
"""A region code such as eu-west-1, us-gov-west-1 or cn-north-1."""
REGION_ALLOWED = "an AWS region such as eu-west-1"
ECS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
ECS_NAME_ALLOWED = "1-255 letters, digits, - and _, starting with a letter or digit (ECS's rule)"


def matches(pattern: re.Pattern[str], allowed: str) -> AfterValidator:
    """Rejects a string outside `pattern` with `must be <allowed>, got '<value>'`."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"must be {allowed}, got {value!r}")
        return value

    return AfterValidator(check)


def between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value

    return AfterValidator(check)


def each_matches(pattern: re.Pattern[str], allowed: str, *, echo: bool):
    """Every item matches; a URL may hold a token, so `echo=False` names the item by position."""

    def check(values: list[str]) -> list[str]:
        bad = [
            f"item {index + 1}" + (f" {value!r}" if echo else "")
            for index, value in enumerate(values)
            if not pattern.fullmatch(value)
        ]
        if bad:
            raise ValueError(f"must each be {allowed}; not: {', '.join(bad)}")
        return values

    return AfterValidator(check)


def at_most(limit: int, what: str) -> AfterValidator:
    def check(values: list[str]) -> list[str]:
        if len(values) > limit:
            raise ValueError(f"Lambda allows at most {limit} {what}, got {len(values)}")
        return values

    return AfterValidator(check)


def tag_problem(key: str, value: str) -> str | None:
    """AWS's tag rules plus the keys this project sets itself."""
    if key in RESERVED_TAG_KEYS:
        return f"tag {key!r} is set by app-secrets and cannot be overridden"
    if key.lower().startswith("aws:"):
        return f"tag {key!r}: keys starting with 'aws:' are reserved by AWS"
    if not TAG_KEY.fullmatch(key):
        return f"tag key {key!r}: 1-128 letters, digits, spaces and _.:/=+-@"
    if not TAG_VALUE.fullmatch(value):
        return f"tag {key!r}: value must be 0-256 letters, digits, spaces and _.:/=+-@"
    return None


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    problems = [text for key, value in tags.items() if (text := tag_problem(key, value))]
    if problems:
        raise ValueError("; ".join(problems))
    return tags


valid_tags = AfterValidator(_check_tags)
