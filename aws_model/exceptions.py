"""Exceptions raised for documents the AWS model cannot read: IAM policies, event patterns."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy document is malformed; the message names the element and the value received."""


class UnsupportedConditionOperatorError(PolicyError):
    """A Condition uses an operator that this evaluator does not implement."""


class EventPatternError(ValueError):
    """The pattern is not one EventBridge would accept; the message names the path."""


class StateMachineError(ValueError):
    """A state machine definition Step Functions would reject, or one this model cannot run."""


class ScheduleError(ValueError):
    """A rotation schedule expression that AWS would reject, or one that stops rotating."""
