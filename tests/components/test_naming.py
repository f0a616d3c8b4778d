"""Names and tag sets."""

from __future__ import annotations

from components.catalog import SecretSpec
from components.naming import (
    key_alias,
    resource_prefix,
    secret_full_name,
    secret_tags,
    standard_tags,
)
from components.settings import parse_settings


def settings(**values):
    return parse_settings({"prefix": "acme", **values}, stack="dev", file="Pulumi.dev.yaml")


def test_names_follow_prefix_and_environment():
    assert secret_full_name(settings(), "db/main") == "acme/dev/db/main"
    assert key_alias(settings()) == "alias/acme-dev-secrets"
    assert resource_prefix(settings(environment="prod")) == "acme-prod"


def test_standard_tags_include_the_stack_tags():
    assert standard_tags(settings(tags={"Team": "core"})) == {
        "Team": "core",
        "Project": "acme",
        "Environment": "dev",
        "ManagedBy": "pulumi",
    }


def test_secret_tags_merge_stack_then_secret_and_mark_rotation():
    spec = SecretSpec.model_validate(
        {
            "description": "x",
            "generate": {"length": 32},
            "tags": {"Team": "payments", "DataClass": "pci"},
            "rotation": {"every_days": 30, "strategy": "token"},
        }
    )

    assert secret_tags(settings(tags={"Team": "core", "CostCenter": "1"}), spec) == {
        "Team": "payments",
        "CostCenter": "1",
        "DataClass": "pci",
        "Project": "acme",
        "Environment": "dev",
        "ManagedBy": "pulumi",
        "RotationStrategy": "token",
    }
