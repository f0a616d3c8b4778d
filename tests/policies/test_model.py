"""Tests for policies.model: the neutral model and its adapters."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.exceptions import PlanFormatError
from policies.model import (
    Enforcement,
    Kind,
    Opaque,
    Resource,
    Rule,
    Violation,
    from_plan,
    from_policy_resource,
    from_validation_args,
    resources_from_plan,
    violation_order,
)
from tests.policies.crossguard_args import resource_options

SECRET_URN = "urn:pulumi:dev::app-secrets::aws:secretsmanager/secret:Secret::admin-token"


def _plan_entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "urn": SECRET_URN,
        "type": "aws:secretsmanager/secret:Secret",
        "name": "admin-token",
        "parent": None,
        "protect": True,
        "ignoreChanges": [],
        "inputs": {"name": "acme/dev/admin-token", "kmsKeyId": "arn:aws:kms:key/1"},
        "outputs": {"arn": "arn:aws:secretsmanager:secret:acme/dev/admin-token-AbCdEf"},
    }
    entry.update(overrides)
    return entry


def test_from_plan_takes_inputs_and_the_computed_arn() -> None:
    resource = from_plan(_plan_entry())

    assert resource == Resource(
        type="aws:secretsmanager/secret:Secret",
        urn=SECRET_URN,
        name="admin-token",
        props={
            "name": "acme/dev/admin-token",
            "kmsKeyId": "arn:aws:kms:key/1",
            "arn": "arn:aws:secretsmanager:secret:acme/dev/admin-token-AbCdEf",
        },
        protect=True,
    )


def test_from_plan_marks_secret_and_unknown_values_opaque() -> None:
    entry = _plan_entry(
        inputs={"secretString": "[secret]", "tags": {"Owner": UNKNOWN_STRING_VALUE}},
        outputs={},
    )

    props = from_plan(entry).props

    assert props["secretString"] is Opaque.SECRET
    assert props["tags"] == {"Owner": Opaque.UNKNOWN}


def test_from_plan_keeps_a_known_input_under_an_opaque_output() -> None:
    entry = _plan_entry(
        inputs={"kmsKeyId": "arn:aws:kms:key/1", "description": "same"},
        outputs={"kmsKeyId": "[secret]", "description": "same", "arn": UNKNOWN_STRING_VALUE},
    )

    props = from_plan(entry).props

    assert props == {"kmsKeyId": "arn:aws:kms:key/1", "description": "same", "arn": Opaque.UNKNOWN}


def test_from_plan_never_lets_an_output_stand_in_for_a_missing_input() -> None:
    # GIVEN a plan edited so that the key is gone from the inputs but still echoed in outputs
    entry = _plan_entry(
        inputs={"name": "acme/dev/admin-token"},
        outputs={"kmsKeyId": "arn:aws:kms:key/1", "arn": "arn:aws:secretsmanager:secret:x"},
    )

    props = from_plan(entry).props

    # THEN the rules see no kmsKeyId: inputs are what the program asks AWS for
    assert "kmsKeyId" not in props
    assert props["arn"] == "arn:aws:secretsmanager:secret:x"


def test_rejects_a_plan_whose_inputs_and_outputs_disagree() -> None:
    entry = _plan_entry(
        inputs={"kmsKeyId": "arn:aws:kms:key/1"}, outputs={"kmsKeyId": "arn:aws:kms:key/2"}
    )

    with pytest.raises(PlanFormatError, match="inputs and outputs disagree on 'kmsKeyId'"):
        from_plan(entry, where="resources[0]")


def test_from_plan_defaults_name_from_urn_and_protect_to_false() -> None:
    resource = from_plan({"urn": SECRET_URN, "type": "aws:secretsmanager/secret:Secret"})

    assert (resource.name, resource.protect, resource.props) == ("admin-token", False, {})


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ([], "must be an object"),
        ({"urn": SECRET_URN}, '"type" must be a non-empty string'),
        ({"type": "aws:x/y:Z", "urn": ""}, '"urn" must be a non-empty string'),
        ({"type": "aws:x/y:Z", "urn": "u", "inputs": []}, '"inputs" must be an object'),
    ],
)
def test_rejects_malformed_plan_entries(entry: object, expected: str) -> None:
    with pytest.raises(PlanFormatError, match=expected):
        from_plan(entry, where="resources[3]")  # type: ignore[arg-type]


def test_rejects_plan_without_resource_list() -> None:
    with pytest.raises(PlanFormatError, match='"resources" must be a list'):
        resources_from_plan({"stack": "dev"})


def test_resources_from_plan_names_the_bad_entry() -> None:
    with pytest.raises(PlanFormatError, match=r"resources\[1\]"):
        resources_from_plan({"resources": [_plan_entry(), {"urn": "u"}]})


def test_from_validation_args_reads_through_crossguard_unknowns() -> None:
    # GIVEN inputs as CrossGuard passes them during preview: a proxy with an unknown value
    props = unknown_checking_proxy(
        {"kmsKeyId": UNKNOWN_STRING_VALUE, "recoveryWindowInDays": 30.0, "tags": {"A": "b"}}
    )
    args = ResourceValidationArgs(
        resource_type="aws:secretsmanager/secret:Secret",
        props=props,
        urn=SECRET_URN,
        name="admin-token",
        opts=resource_options(protect=True),
        provider=None,
    )

    # WHEN
    resource = from_validation_args(args)

    # THEN the unknown is opaque instead of raising, and the protect option is carried over
    assert resource.props == {
        "kmsKeyId": Opaque.UNKNOWN,
        "recoveryWindowInDays": 30,
        "tags": {"A": "b"},
    }
    assert resource.protect is True


def test_from_policy_resource_keeps_property_dependencies() -> None:
    secret = PolicyResource(
        "aws:secretsmanager/secret:Secret",
        unknown_checking_proxy({"arn": UNKNOWN_STRING_VALUE}),
        SECRET_URN,
        "admin-token",
        resource_options(protect=False),
        None,
        None,
        [],
        {},
    )
    rotation = PolicyResource(
        "aws:secretsmanager/secretRotation:SecretRotation",
        unknown_checking_proxy({"secretId": UNKNOWN_STRING_VALUE, "rotationRules": []}),
        "urn:rotation",
        "rotation",
        resource_options(protect=False),
        None,
        None,
        [secret],
        {"secretId": [secret]},
    )

    resource = from_policy_resource(rotation)

    assert resource.property_dependencies == {"secretId": (SECRET_URN,)}
    assert resource.props == {"secretId": Opaque.UNKNOWN, "rotationRules": []}


def _rule(kind: Kind, enforcement: Enforcement = Enforcement.MANDATORY) -> Rule:
    def check(target: object) -> list[Violation]:
        urns = [r.urn for r in target] if kind is Kind.STACK else [target.urn]  # type: ignore[attr-defined]
        return [RULE.violation(urn, message="m", fix="f") for urn in urns]

    RULE = Rule(
        name="demo",
        control="X.1",
        description="X.1: demo",
        enforcement=enforcement,
        kind=kind,
        check=check,
    )
    return RULE


def test_rule_runs_resource_checks_once_per_resource() -> None:
    resources = [Resource(type="t", urn=f"u{i}", name=f"n{i}") for i in range(3)]

    assert [v.urn for v in _rule(Kind.RESOURCE).run(resources)] == ["u0", "u1", "u2"]


def test_rule_runs_stack_checks_once_per_stack() -> None:
    resources = [Resource(type="t", urn=f"u{i}", name=f"n{i}") for i in range(2)]

    assert [v.urn for v in _rule(Kind.STACK).run(resources)] == ["u0", "u1"]


def test_violation_carries_the_rules_enforcement() -> None:
    advisory = _rule(Kind.RESOURCE, Enforcement.ADVISORY).violation("u", message="m", fix="f")

    assert advisory == Violation(rule="demo", urn="u", message="m", fix="f", mandatory=False)
    assert advisory.enforcement is Enforcement.ADVISORY


def test_violation_order_puts_mandatory_first_then_urn() -> None:
    violations = [
        Violation(rule="b", urn="u1", message="m", fix="f", mandatory=False),
        Violation(rule="b", urn="u2", message="m", fix="f", mandatory=True),
        Violation(rule="a", urn="u2", message="m", fix="f", mandatory=True),
        Violation(rule="a", urn="u1", message="m", fix="f", mandatory=True),
    ]

    ordered = sorted(violations, key=violation_order)

    assert [(v.mandatory, v.urn, v.rule) for v in ordered] == [
        (True, "u1", "a"),
        (True, "u2", "a"),
        (True, "u2", "b"),
        (False, "u1", "b"),
    ]
