"""Wraps each registry rule as a CrossGuard policy that reports through `report_violation`."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .model import Kind, Rule, Violation, from_policy_resource, from_validation_args
from .rules import RULES

PACK_NAME = "app-secrets-guardrails"


def enforcement_level(rule: Rule) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if rule.mandatory else EnforcementLevel.ADVISORY


def violation_text(violation: Violation) -> str:
    """What CrossGuard prints under the rule's description."""
    return f"{violation.message} Fix: {violation.fix}"


def to_policy(rule: Rule) -> Policy:
    """A ResourceValidationPolicy or StackValidationPolicy that runs the rule's plain function."""
    if rule.kind is Kind.STACK:

        def validate_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            resources = [from_policy_resource(resource) for resource in args.resources]
            for violation in rule.check(resources):
                report_violation(violation_text(violation), violation.urn)

        return StackValidationPolicy(
            name=rule.name,
            description=rule.description,
            enforcement_level=enforcement_level(rule),
            validate=validate_stack,
        )

    def validate_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for violation in rule.check(from_validation_args(args)):
            # CrossGuard attaches resource violations to the resource being validated.
            report_violation(violation_text(violation), None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=enforcement_level(rule),
        validate=validate_resource,
    )


def policies(rules: Sequence[Rule] = RULES) -> list[Policy]:
    return [to_policy(rule) for rule in rules]
