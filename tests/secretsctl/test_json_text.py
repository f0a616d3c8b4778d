"""json_text.dumps writes exactly what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
import math

import pytest

from secretsctl import json_text
from secretsctl.plan import build_plan
from tests.conftest import PROJECT_DIR

ODD = [
    {},
    [],
    {"a": {}, "b": [], "c": [[]], "d": [{}]},
    "plain",
    'quote " backslash \\ tab \t newline \n control \x01',
    "non-ASCII: é ✓ 🔑",
    {"ünïcode key": "vålue"},
    [True, False, None, 0, -7, 10**20, 1.0, 0.1, -2.5e-7, 1e300],
    {"nested": {"deeper": [1, {"x": [None, "y"]}]}},
]


@pytest.mark.parametrize("value", ODD)
def test_plain_json_is_written_as_json_dumps_writes_it(value):
    assert json_text.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1: "int key"}, {"f": math.nan}, [math.inf], {"t": ("a",)}, {None: 1}],
)
def test_anything_else_is_left_to_json_dumps(value):
    assert json_text.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_whole_plan_is_written_as_json_dumps_writes_it(stack):
    plan = build_plan(stack=stack, project_dir=PROJECT_DIR, placeholders=True)

    assert json_text.dumps(plan) == json.dumps(plan, indent=2)
