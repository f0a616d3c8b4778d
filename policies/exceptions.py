"""Exceptions raised while reading resources for the guardrail rules."""

from __future__ import annotations


class PlanFormatError(ValueError):
    """The plan JSON does not have the shape `secretsctl plan` writes."""


class PolicyDocumentError(ValueError):
    """An IAM policy document that is neither JSON nor the IAM policy grammar."""
