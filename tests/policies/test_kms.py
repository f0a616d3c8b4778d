"""Tests for policies.kms: key rotation (KMS.4)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.kms import KEY, kms_key_rotation_enabled
from policies.model import Opaque, Resource


def _key(**props: Any) -> Resource:
    return Resource(
        type=KEY, urn=f"urn:pulumi:dev::app-secrets::{KEY}::secrets", name="secrets", props=props
    )


@pytest.mark.parametrize(
    "props",
    [
        {"enableKeyRotation": True},
        {"enableKeyRotation": True, "customerMasterKeySpec": "SYMMETRIC_DEFAULT"},
        {"enableKeyRotation": Opaque.UNKNOWN},
        {"keySpec": "RSA_2048"},  # asymmetric keys cannot rotate
    ],
)
def test_rotating_key_passes(props: dict[str, Any]) -> None:
    assert kms_key_rotation_enabled(_key(**props)) == []


@pytest.mark.parametrize("props", [{}, {"enableKeyRotation": False}, {"enableKeyRotation": "true"}])
def test_fails_key_without_rotation(props: dict[str, Any]) -> None:
    [violation] = kms_key_rotation_enabled(_key(**props))

    assert violation.rule == "kms-key-rotation-enabled" and violation.mandatory
    assert "enableKeyRotation=True" in violation.fix


def test_rotation_rule_ignores_other_types() -> None:
    assert kms_key_rotation_enabled(Resource(type="aws:kms/alias:Alias", urn="u", name="n")) == []
