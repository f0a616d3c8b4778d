"""One-line problems from pydantic errors: the path, what is allowed, and no secret echoed."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inputs.problems import from_validation_error, join_path, problem

SENTINEL = "SENTINEL-s3cr3t-VALUE"


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    size: int = 1
    kind: Literal["a", "b"] = "a"


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    name: str = Field("x", max_length=5)
    count: int = Field(0, alias="itemCount")
    enabled: bool = False
    inner: Inner | None = None
    items: dict[str, Inner] = Field(default_factory=dict)
    names: list[str] = Field(default_factory=list)


def problems_for(data: object, *, echo_input: bool, key_prefix: str = "") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate(data)
    return from_validation_error(
        caught.value,
        file="Pulumi.dev.yaml",
        path="",
        model=Outer,
        echo_input=echo_input,
        key_prefix=key_prefix,
    )


def test_problem_is_one_line_with_or_without_a_path():
    assert (
        problem("catalog.yaml", "secrets.a", "is required")
        == "catalog.yaml: secrets.a: is required"
    )
    assert problem("catalog.yaml", "", "file not found") == "catalog.yaml: file not found"


def test_join_path_skips_empty_parts_but_keeps_list_indexes():
    assert join_path("secrets", "admin-token", "generate") == "secrets.admin-token.generate"
    assert join_path("", "names", 0, None) == "names.0"
    assert join_path() == ""


@pytest.mark.parametrize(
    "data",
    [
        {"count": SENTINEL},
        {"enabled": SENTINEL},
        {"name": SENTINEL},
        {"inner": {"kind": SENTINEL}},
        {"inner": SENTINEL},
        {"items": {"a": {"size": SENTINEL}}},
        {"names": SENTINEL},
        {"names": [SENTINEL, 1]},
    ],
)
def test_without_echo_the_received_value_never_appears(data):
    problems = problems_for(data, echo_input=False)

    assert problems
    assert not any(SENTINEL in line for line in problems), problems


def test_with_echo_the_received_value_is_shown():
    problems = problems_for({"count": SENTINEL, "inner": {"kind": SENTINEL}}, echo_input=True)

    assert problems == [
        f"Pulumi.dev.yaml: count: must be a whole number, got '{SENTINEL}'",
        f"Pulumi.dev.yaml: inner.kind: must be one of 'a' or 'b', got '{SENTINEL}'",
    ]


def test_type_errors_say_what_is_allowed():
    problems = problems_for({"count": "1", "enabled": "yes", "inner": [1]}, echo_input=False)

    assert problems == [
        "Pulumi.dev.yaml: count: must be a whole number",
        "Pulumi.dev.yaml: enabled: must be true or false",
        "Pulumi.dev.yaml: inner: must be a mapping",
    ]


def test_echo_describes_containers_and_null_instead_of_printing_them():
    problems = problems_for({"count": {"a": 1}, "enabled": [1], "name": None}, echo_input=True)

    assert problems == [
        "Pulumi.dev.yaml: name: must be a string, got nothing (null)",
        "Pulumi.dev.yaml: count: must be a whole number, got a mapping",
        "Pulumi.dev.yaml: enabled: must be true or false, got a list",
    ]


def test_unknown_keys_name_the_allowed_keys_by_alias_at_every_depth():
    problems = problems_for(
        {"colour": 1, "inner": {"sise": 2}, "items": {"a": {"kinds": "a"}}}, echo_input=False
    )

    assert problems == [
        "Pulumi.dev.yaml: inner.sise: unknown key; allowed: size, kind",
        "Pulumi.dev.yaml: items.a.kinds: unknown key; allowed: size, kind",
        "Pulumi.dev.yaml: colour: unknown key; allowed: name, itemCount, enabled, inner, items, names",
    ]


def test_missing_keys_are_required():
    class Required(BaseModel):
        prefix: str

    with pytest.raises(ValidationError) as caught:
        Required.model_validate({})

    assert from_validation_error(
        caught.value, file="f", path="", model=Required, echo_input=False
    ) == ["f: prefix: is required"]


def test_key_prefix_is_put_before_the_path_without_a_dot():
    problems = problems_for({"itemCount": "x"}, echo_input=False, key_prefix="app-secrets:")

    assert problems == ["Pulumi.dev.yaml: app-secrets:itemCount: must be a whole number"]


def test_path_is_put_before_the_error_location():
    with pytest.raises(ValidationError) as caught:
        Inner.model_validate({"size": "x"})

    assert from_validation_error(
        caught.value, file="catalog.yaml", path="secrets.a", model=Inner, echo_input=False
    ) == ["catalog.yaml: secrets.a.size: must be a whole number"]
