"""Names and tag sets."""

from __future__ import annotations

from inputs.catalog import SecretSpec
from components.naming import (
    key_alias,
    resource_prefix,
    secret_full_name,
    secret_tags,
    standard_tags,
)
from inputs.stack_settings import parse_settings


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


def test_rotation_names_fit_lambda_and_share_one_log_pattern():
    from fnmatch import fnmatchcase

    from components.naming import (
        rotation_function_name,
        rotation_log_group,
        rotation_log_group_pattern,
        rotation_role_name,
    )

    longest = settings(prefix="p" * 24, environment="e" * 16)
    function = rotation_function_name(longest, "pg-single-abcdef")

    assert rotation_role_name(settings()) == "acme-dev-rotation"
    assert rotation_function_name(settings(), "token-0e8cfa") == "acme-dev-rot-token-0e8cfa"
    assert len(function) <= 64
    assert rotation_log_group(function) == f"/aws/lambda/{function}"
    assert fnmatchcase(rotation_log_group(function), rotation_log_group_pattern(longest))
    assert not fnmatchcase(
        "/aws/lambda/acme-dev-api-rotation", rotation_log_group_pattern(settings())
    )


def test_alerting_and_break_glass_names_fit_aws_limits_at_the_longest_prefix():
    from components.alerting import STACK_RULES
    from components.break_glass import ALERT_KIND
    from components.naming import (
        BREAK_GLASS_PATH,
        CI_ROLE_PATH,
        alert_rule_name,
        alert_topic_name,
        break_glass_role_name,
        trail_bucket_name,
        trail_name,
        workload_path,
    )

    longest = parse_settings(
        {"prefix": "p" * 24, "environment": "e" * 16}, stack="x", file="Pulumi.x.yaml"
    )

    assert max(len(alert_rule_name(longest, kind)) for kind in [*STACK_RULES, ALERT_KIND]) <= 64
    assert len(break_glass_role_name(longest)) <= 64
    assert len(trail_bucket_name(longest, "123456789012")) <= 63
    assert len(alert_topic_name(longest)) <= 256 and len(trail_name(longest)) <= 128
    assert alert_rule_name(settings(), "access-denied") == "acme-dev-access-denied"
    assert trail_bucket_name(settings(), "123456789012") == "acme-dev-trail-123456789012"
    assert not BREAK_GLASS_PATH.startswith((workload_path(settings()), CI_ROLE_PATH))
