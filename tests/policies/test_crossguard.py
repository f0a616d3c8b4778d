"""Tests for policies.crossguard: registry rules as CrossGuard policies."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies import RULES, rule_named
from policies.crossguard import PACK_NAME, policies, to_policy
from policies.secretsmanager import SECRET
from tests.policies.crossguard_args import resource_options

SECRET_URN = f"urn:pulumi:prod::app-secrets::{SECRET}::admin-token"
PROD_TAGS = {"Project": "acme", "Environment": "prod", "ManagedBy": "pulumi"}


class Reports:
    """Collects what a policy passes to report_violation."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.calls.append((message, urn))


def _validate_secret(rule_name: str, props: dict[str, Any], *, protect: bool) -> Reports:
    policy = to_policy(rule_named(rule_name))
    args = ResourceValidationArgs(
        resource_type=SECRET,
        props=unknown_checking_proxy(props),
        urn=SECRET_URN,
        name="admin-token",
        opts=resource_options(protect=protect),
        provider=None,
    )
    reports = Reports()
    assert isinstance(policy, ResourceValidationPolicy)
    policy.validate(args, reports)
    return reports


def test_policies_wrap_every_rule_with_its_enforcement() -> None:
    wrapped = policies()

    assert PACK_NAME == "app-secrets-guardrails"
    assert [(p.name, p.description) for p in wrapped] == [(r.name, r.description) for r in RULES]
    for policy, rule in zip(wrapped, RULES, strict=True):
        expected = EnforcementLevel.MANDATORY if rule.mandatory else EnforcementLevel.ADVISORY
        assert policy.enforcement_level == expected
        kind = StackValidationPolicy if rule.kind.value == "stack" else ResourceValidationPolicy
        assert isinstance(policy, kind)


def test_resource_policy_reports_message_and_fix() -> None:
    reports = _validate_secret(
        "prod-secret-deletion-safeguard",
        {"tags": PROD_TAGS, "recoveryWindowInDays": 0.0},
        protect=True,
    )

    assert reports.calls == [
        (
            "recoveryWindowInDays is 0: a deleted prod secret is unrecoverable sooner than 7 "
            "days. Fix: Omit recoveryWindowInDays (AWS default 30) or set it between 7 and 30.",
            None,
        )
    ]


def test_resource_policy_sees_the_protect_option() -> None:
    unprotected = _validate_secret(
        "prod-secret-deletion-safeguard", {"tags": PROD_TAGS}, protect=False
    )
    protected = _validate_secret(
        "prod-secret-deletion-safeguard", {"tags": PROD_TAGS}, protect=True
    )

    assert len(unprotected.calls) == 1 and protected.calls == []


def test_resource_policy_passes_over_unknown_values_during_preview() -> None:
    reports = _validate_secret(
        "secret-encrypted-with-cmk", {"kmsKeyId": UNKNOWN_STRING_VALUE}, protect=False
    )

    assert reports.calls == []


def _policy_resource(type_token: str, urn: str, *, props: dict[str, Any]) -> PolicyResource:
    return PolicyResource(
        type_token,
        unknown_checking_proxy(props),
        urn,
        urn.rsplit("::", 1)[1],
        resource_options(protect=False),
        None,
        None,
        [],
        {},
    )


def test_stack_policy_reports_against_the_violating_resource() -> None:
    # GIVEN a rotated secret without a SecretRotation
    secret = _policy_resource(
        SECRET,
        SECRET_URN,
        props={"tags": {**PROD_TAGS, "RotationStrategy": "single-user"}, "arn": "arn:aws:sm:1"},
    )
    policy = to_policy(rule_named("rotated-secret-has-rotation"))
    assert isinstance(policy, StackValidationPolicy)
    reports = Reports()

    # WHEN
    policy.validate(StackValidationArgs([secret]), reports)

    # THEN
    [(message, urn)] = reports.calls
    assert urn == SECRET_URN
    assert "RotationStrategy=single-user" in message and " Fix: " in message
