"""CrossGuard's argument objects, filled in as the Pulumi CLI fills them, for the pack's tests."""

from __future__ import annotations

from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions


def resource_options(*, protect: bool) -> PolicyResourceOptions:
    """The resource options of one resource; only `protect` matters to the rules."""
    return PolicyResourceOptions(
        protect=protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )
