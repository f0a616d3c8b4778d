"""Guardrail rules for app-secrets, usable from CrossGuard and from `secretsctl check`."""

from .exceptions import PlanFormatError
from .model import (
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
)
from .rules import RULES, evaluate, rule_named

__all__ = [
    "RULES",
    "Enforcement",
    "Kind",
    "Opaque",
    "PlanFormatError",
    "Resource",
    "Rule",
    "Violation",
    "evaluate",
    "from_plan",
    "from_policy_resource",
    "from_validation_args",
    "resources_from_plan",
    "rule_named",
]
