"""Tests for policies.secretsmanager: encryption, tags, deletion safeguards and rotation."""

from __future__ import annotations

from typing import Any

import pytest

from policies.model import Opaque, Resource
from policies.secretsmanager import (
    SECRET,
    SECRET_ROTATION,
    prod_secret_deletion_safeguard,
    rotated_secret_has_rotation,
    secret_encrypted_with_cmk,
    secret_has_required_tags,
    secret_rotation_recommended,
    secret_rotation_within_90_days,
)

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"Project": "acme", "Environment": "dev", "ManagedBy": "pulumi"}


def _secret(name: str = "admin-token", *, protect: bool = False, **props: Any) -> Resource:
    defaults: dict[str, Any] = {
        "name": f"acme/dev/{name}",
        "kmsKeyId": KEY_ARN,
        "tags": dict(TAGS),
        "arn": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/dev/{name}-AbCdEf",
        "id": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/dev/{name}-AbCdEf",
    }
    defaults.update(props)
    return Resource(
        type=SECRET,
        urn=f"urn:pulumi:dev::app-secrets::{SECRET}::{name}",
        name=name,
        props=defaults,
        protect=protect,
    )


def _rotation(
    secret_id: Any, *, rules: Any = None, depends_on: tuple[str, ...] = (), name: str = "rot"
) -> Resource:
    return Resource(
        type=SECRET_ROTATION,
        urn=f"urn:pulumi:dev::app-secrets::{SECRET_ROTATION}::{name}",
        name=name,
        props={
            "secretId": secret_id,
            "rotationRules": {"automaticallyAfterDays": 30} if rules is None else rules,
        },
        property_dependencies={"secretId": depends_on} if depends_on else {},
    )


def _rotated_secret(name: str = "db-password", **props: Any) -> Resource:
    tags = {**TAGS, "RotationStrategy": "single-user"}
    return _secret(name, tags=tags, **props)


# --- secret-encrypted-with-cmk ------------------------------------------------------------


@pytest.mark.parametrize("key_id", [KEY_ARN, "alias/acme-secrets", Opaque.UNKNOWN, Opaque.SECRET])
def test_secret_with_customer_managed_key_passes(key_id: Any) -> None:
    assert secret_encrypted_with_cmk(_secret(kmsKeyId=key_id)) == []


@pytest.mark.parametrize(
    "key_id",
    [
        None,
        "",
        "alias/aws/secretsmanager",
        "arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager",
    ],
)
def test_fails_secret_without_customer_managed_key(key_id: Any) -> None:
    [violation] = secret_encrypted_with_cmk(_secret(kmsKeyId=key_id))

    assert violation.rule == "secret-encrypted-with-cmk" and violation.mandatory
    assert "AWS managed key" in violation.message
    assert "kmsKeyId" in violation.fix


def test_fails_replica_without_customer_managed_key() -> None:
    secret = _secret(replicas=[{"region": "eu-west-1"}, {"region": "us-west-2", "kmsKeyId": "k"}])

    [violation] = secret_encrypted_with_cmk(secret)

    assert "replicas[0] (region eu-west-1)" in violation.message


def test_encryption_rule_ignores_other_types() -> None:
    other = Resource(type="aws:kms/key:Key", urn="urn:key", name="key", props={})

    assert secret_encrypted_with_cmk(other) == []


# --- secret-has-required-tags ---------------------------------------------------------------


def test_secret_with_required_tags_passes() -> None:
    assert secret_has_required_tags(_secret()) == []


def test_tags_from_provider_default_tags_count() -> None:
    secret = _secret(tags={"Project": "acme"}, tagsAll={**TAGS})

    assert secret_has_required_tags(secret) == []


def test_tags_that_may_still_come_from_default_tags_are_not_reported() -> None:
    secret = _secret(tags={"Project": "acme"}, tagsAll=Opaque.UNKNOWN)

    assert secret_has_required_tags(secret) == []


def test_fails_secret_missing_or_empty_tags() -> None:
    secret = _secret(tags={"Project": "acme", "Environment": " "})

    [violation] = secret_has_required_tags(secret)

    assert "Environment, ManagedBy" in violation.message
    assert violation.rule == "secret-has-required-tags"


def test_fails_secret_without_tags() -> None:
    assert len(secret_has_required_tags(_secret(tags=None))) == 1


# --- prod-secret-deletion-safeguard ---------------------------------------------------------


@pytest.mark.parametrize("window", [None, 7, 30, Opaque.UNKNOWN])
def test_protected_prod_secret_with_recovery_window_passes(window: Any) -> None:
    props = {"tags": {**TAGS, "Environment": "prod"}}
    if window is not None:
        props["recoveryWindowInDays"] = window

    assert prod_secret_deletion_safeguard(_secret(protect=True, **props)) == []


def test_dev_secret_may_be_deleted_at_once() -> None:
    assert prod_secret_deletion_safeguard(_secret(recoveryWindowInDays=0)) == []


@pytest.mark.parametrize("window", [0, 6])
def test_fails_prod_secret_with_short_recovery_window(window: int) -> None:
    secret = _secret(
        protect=True, recoveryWindowInDays=window, tags={**TAGS, "Environment": "prod"}
    )

    [violation] = prod_secret_deletion_safeguard(secret)

    assert f"recoveryWindowInDays is {window}" in violation.message


def test_fails_unprotected_prod_secret() -> None:
    secret = _secret(protect=False, tags={**TAGS, "Environment": "Prod"})

    [violation] = prod_secret_deletion_safeguard(secret)

    assert "not protected" in violation.message and "protect=True" in violation.fix


# --- secret-rotation-within-90-days ---------------------------------------------------------


@pytest.mark.parametrize(
    "rules",
    [
        {"automaticallyAfterDays": 90},
        {"scheduleExpression": "rate(30 days)"},
        {"scheduleExpression": "rate(4 hours)", "duration": "2h"},
        {"scheduleExpression": "cron(0 4 1 * ? *)"},
        {"automaticallyAfterDays": Opaque.UNKNOWN},
        Opaque.UNKNOWN,
    ],
)
def test_rotation_within_90_days_passes(rules: Any) -> None:
    assert secret_rotation_within_90_days(_rotation("arn:x", rules=rules)) == []


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"automaticallyAfterDays": 91}, "automaticallyAfterDays is 91"),
        ({"automaticallyAfterDays": 0}, "must be 1-90"),
        ({"scheduleExpression": "rate(120 days)"}, "up to 120 days"),
        ({"scheduleExpression": "cron(0 3 1 JAN,APR,JUL,OCT ? *)"}, "up to 92 days"),
        ({"scheduleExpression": "cron(0 0 1 1 ? 2030)"}, "year field"),
        ({"scheduleExpression": "every month"}, "expected rate"),
        ({}, "no rotationRules"),
        ({"duration": "2h"}, "neither automaticallyAfterDays nor scheduleExpression"),
    ],
)
def test_fails_rotation_slower_than_90_days(rules: Any, expected: str) -> None:
    [violation] = secret_rotation_within_90_days(_rotation("arn:x", rules=rules))

    assert expected in violation.message
    assert violation.rule == "secret-rotation-within-90-days" and violation.mandatory


# --- rotated-secret-has-rotation (stack) ----------------------------------------------------


def test_rotated_secret_with_rotation_on_its_arn_passes() -> None:
    secret = _rotated_secret()

    assert rotated_secret_has_rotation([secret, _rotation(secret.props["arn"])]) == []


def test_rotation_may_target_the_secret_id() -> None:
    secret = _rotated_secret(id="acme/dev/db-password", arn=Opaque.UNKNOWN)

    assert rotated_secret_has_rotation([secret, _rotation("acme/dev/db-password")]) == []


def test_rotation_is_matched_through_dependencies_while_arns_are_unknown() -> None:
    # GIVEN a preview of a new stack: neither the ARN nor the secretId is known yet
    secret = _rotated_secret(arn=Opaque.UNKNOWN, id=Opaque.UNKNOWN)
    rotation = _rotation(Opaque.UNKNOWN, depends_on=(secret.urn,))
    other = _rotated_secret("api-key")

    # WHEN
    violations = rotated_secret_has_rotation([secret, rotation, other])

    # THEN the dependency links the pair, and the known secret without rotation is reported
    assert [violation.urn for violation in violations] == [other.urn]


def test_unknown_secret_and_unknown_rotation_are_not_reported() -> None:
    secret = _rotated_secret(arn=Opaque.UNKNOWN, id=Opaque.UNKNOWN)

    assert rotated_secret_has_rotation([secret, _rotation(Opaque.UNKNOWN)]) == []


def test_fails_rotated_secret_without_rotation() -> None:
    secret = _rotated_secret()
    elsewhere = _rotation("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf")

    [violation] = rotated_secret_has_rotation([secret, elsewhere])

    assert violation.urn == secret.urn
    assert "RotationStrategy=single-user" in violation.message
    assert violation.rule == "rotated-secret-has-rotation" and violation.mandatory


def test_untagged_secret_needs_no_rotation() -> None:
    assert rotated_secret_has_rotation([_secret()]) == []


# --- secret-rotation-recommended (stack, advisory) ------------------------------------------


def test_rotated_secrets_are_not_advised() -> None:
    rotated = _secret()

    assert secret_rotation_recommended([rotated, _rotation(rotated.props["arn"])]) == []
    assert secret_rotation_recommended([_rotated_secret()]) == []


def test_fails_secret_without_any_rotation_as_advisory() -> None:
    [violation] = secret_rotation_recommended([_secret()])

    assert violation.rule == "secret-rotation-recommended"
    assert violation.mandatory is False
