"""Rules for the customer-managed KMS key."""

from __future__ import annotations

from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque

KEY = "aws:kms/key:Key"
_ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"


def kms_key_rotation_enabled(resource: Resource) -> list[Violation]:
    if resource.type != KEY:
        return []
    # AWS only rotates symmetric encryption keys; asymmetric and HMAC keys cannot enable it.
    spec = resource.props.get("customerMasterKeySpec") or resource.props.get("keySpec")
    if isinstance(spec, str) and spec != _ROTATABLE_SPEC:
        return []
    enabled = resource.props.get("enableKeyRotation")
    if enabled is True or is_opaque(enabled):
        return []
    return [
        KMS_KEY_ROTATION_ENABLED.violation(
            resource.urn,
            message=f"enableKeyRotation is {enabled!r}: the key material is never rotated.",
            fix="Set enableKeyRotation=True on the aws.kms.Key (AWS rotates it yearly).",
        )
    ]


KMS_KEY_ROTATION_ENABLED = Rule(
    name="kms-key-rotation-enabled",
    control="KMS.4",
    description="KMS.4: every symmetric customer-managed KMS key has enableKeyRotation: true.",
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=kms_key_rotation_enabled,
)
