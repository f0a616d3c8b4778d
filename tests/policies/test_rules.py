"""Tests for policies.rules: the registry and `evaluate`."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from policies import RULES, Resource, evaluate, rule_named
from policies.model import Enforcement, Kind
from policies.secretsmanager import SECRET

README = Path(__file__).resolve().parents[2] / "policies" / "README.md"
CONTROL = re.compile(
    r"(CKV2?_AWS_\d+|[A-Za-z]+\.\d+|prod deletion safeguard|confused deputy|cross-account exposure)"
)


def test_registry_lists_every_rule_once() -> None:
    names = [rule.name for rule in RULES]

    assert len(names) == len(set(names)) == 21


def test_every_rule_names_its_control_in_its_description() -> None:
    for rule in RULES:
        controls = [control.strip() for control in rule.control.split(",")]
        assert controls and all(CONTROL.fullmatch(control) for control in controls), rule.name
        assert controls[0].lower() in rule.description.lower(), rule.name


def test_rule_kinds_match_their_functions() -> None:
    for rule in RULES:
        [parameter] = inspect.signature(rule.check).parameters.values()
        expected = "Sequence[Resource]" if rule.kind is Kind.STACK else "Resource"
        assert parameter.annotation == expected, rule.name


def test_only_the_rotation_recommendation_is_advisory() -> None:
    advisory = [rule.name for rule in RULES if rule.enforcement is Enforcement.ADVISORY]

    assert advisory == ["secret-rotation-recommended"]


def test_readme_table_matches_the_registry() -> None:
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| ([^|]+) \| (\w+) \| (\w+) \|", README.read_text(), re.M
    )

    assert [tuple(cell.strip() for cell in row) for row in rows] == [
        (rule.name, rule.control, rule.enforcement.value, rule.kind.value) for rule in RULES
    ]


def test_rule_named_finds_rules_and_rejects_unknown_names() -> None:
    assert rule_named("kms-key-rotation-enabled").control == "KMS.4"
    with pytest.raises(KeyError, match="no guardrail rule named 'nope'"):
        rule_named("nope")


def _secret(name: str, **props: object) -> Resource:
    return Resource(
        type=SECRET, urn=f"urn:pulumi:dev::app-secrets::{SECRET}::{name}", name=name, props=props
    )


def test_evaluate_is_sorted_mandatory_first_then_by_urn_and_rule() -> None:
    # GIVEN two untagged, unencrypted secrets, listed in reverse order
    resources = [_secret("b"), _secret("a")]

    # WHEN
    violations = evaluate(resources)

    # THEN
    assert [(v.mandatory, v.urn.rsplit("::", 1)[1], v.rule) for v in violations] == [
        (True, "a", "secret-encrypted-with-cmk"),
        (True, "a", "secret-has-required-tags"),
        (True, "b", "secret-encrypted-with-cmk"),
        (True, "b", "secret-has-required-tags"),
        (False, "a", "secret-rotation-recommended"),
        (False, "b", "secret-rotation-recommended"),
    ]
    assert evaluate(list(reversed(resources))) == violations


def test_evaluate_of_an_empty_stack_is_empty() -> None:
    assert evaluate([]) == []
