"""Tests for aws_model.iam_actions: the Secrets Manager action catalog against parliament's."""

from __future__ import annotations

from typing import Any

import parliament

from aws_model.iam_actions import (
    SECRET_RESOURCE_ACTIONS,
    SECRETSMANAGER_ACTIONS,
    STAR_RESOURCE_ACTIONS,
)


def parliament_definition() -> dict[str, Any]:
    return next(s for s in parliament.iam_definition if s["prefix"] == "secretsmanager")


def test_secretsmanager_actions_match_parliament() -> None:
    privileges = parliament_definition()["privileges"]
    from_parliament = sorted(f"secretsmanager:{p['privilege']}" for p in privileges)
    assert tuple(from_parliament) == SECRETSMANAGER_ACTIONS


def test_secret_resource_actions_match_parliament() -> None:
    on_secret = {
        f"secretsmanager:{p['privilege']}"
        for p in parliament_definition()["privileges"]
        if any(r["resource_type"] == "Secret*" for r in p["resource_types"])
    }
    assert set(SECRET_RESOURCE_ACTIONS) == on_secret
    assert set(STAR_RESOURCE_ACTIONS) == set(SECRETSMANAGER_ACTIONS) - on_secret
