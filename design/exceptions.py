"""Exceptions of the design layer."""

from __future__ import annotations


class PolicyTooLargeError(ValueError):
    """The secrets granted to one role do not fit IAM's limits."""
