"""Names, paths and tag sets of a stack, from its prefix and its environment kept apart."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from design.alerts import STACK_RULES
from design.break_glass import ALERT_KIND
from design.naming import (
    BOUNDARY_PATH,
    BREAK_GLASS_PATH,
    CI_ROLE_PATH,
    ROLE_NAME_LIMIT,
    StackNames,
    lambda_log_group,
)
from inputs.catalog import SecretSpec

NAMES = StackNames(prefix="acme", environment="dev")
LONGEST = StackNames(prefix="p" * 24, environment="e" * 16)
"""The longest prefix (24) and environment (16) the settings and the catalog accept."""
HYPHENATED = StackNames(prefix="acme-web", environment="pre-prod")


def test_names_follow_prefix_and_environment():
    assert NAMES.secret_full_name("db/main") == "acme/dev/db/main"
    assert NAMES.key_alias == "alias/acme-dev-secrets"
    assert StackNames(prefix="acme", environment="prod").stem == "acme-prod"


def test_standard_tags_include_the_stack_tags():
    assert NAMES.standard_tags({"Team": "core"}) == {
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

    assert NAMES.secret_tags(
        {"Team": "core", "CostCenter": "1"}, spec.tags, rotation_strategy=spec.rotation.strategy
    ) == {
        "Team": "payments",
        "CostCenter": "1",
        "DataClass": "pci",
        "Project": "acme",
        "Environment": "dev",
        "ManagedBy": "pulumi",
        "RotationStrategy": "token",
    }


def test_secret_tags_of_an_unrotated_secret_carry_no_strategy():
    assert NAMES.secret_tags({}, {"Team": "core"}, rotation_strategy=None) == {
        "Team": "core",
        "Project": "acme",
        "Environment": "dev",
        "ManagedBy": "pulumi",
    }


def test_rotation_names_fit_lambda_and_share_one_log_pattern():
    function = LONGEST.rotation_function_name("pg-single-abcdef")

    assert NAMES.rotation_role_name == "acme-dev-rotation"
    assert NAMES.rotation_function_name("token-0e8cfa") == "acme-dev-rot-token-0e8cfa"
    assert len(function) <= 64
    assert LONGEST.rotation_log_group("pg-single-abcdef") == f"/aws/lambda/{function}"
    assert lambda_log_group(function) == f"/aws/lambda/{function}"
    assert fnmatchcase(
        LONGEST.rotation_log_group("pg-single-abcdef"), LONGEST.rotation_log_group_pattern
    )
    assert not fnmatchcase("/aws/lambda/acme-dev-api-rotation", NAMES.rotation_log_group_pattern)


def test_alerting_and_break_glass_names_fit_aws_limits_at_the_longest_prefix():
    assert max(len(LONGEST.alert_rule_name(kind)) for kind in [*STACK_RULES, ALERT_KIND]) <= 64
    assert len(LONGEST.break_glass_role_name) <= 64
    assert len(LONGEST.trail_bucket_name("123456789012")) <= 63
    assert len(LONGEST.alert_topic_name) <= 256 and len(LONGEST.trail_name) <= 128
    assert NAMES.alert_rule_name("access-denied") == "acme-dev-access-denied"
    assert NAMES.trail_bucket_name("123456789012") == "acme-dev-trail-123456789012"
    assert not BREAK_GLASS_PATH.startswith((NAMES.workload_path, CI_ROLE_PATH))


def test_role_names_fit_iam_at_the_longest_prefix():
    assert len(LONGEST.rotation_role_name) <= ROLE_NAME_LIMIT
    assert len(LONGEST.ci_role_name("preview")) <= ROLE_NAME_LIMIT
    assert len(LONGEST.ci_role_name("deploy")) <= ROLE_NAME_LIMIT
    assert len(LONGEST.break_glass_role_name) <= ROLE_NAME_LIMIT


def test_the_workload_path_is_apart_from_the_ci_boundary_and_break_glass_paths():
    for path in (CI_ROLE_PATH, BOUNDARY_PATH, BREAK_GLASS_PATH):
        assert not path.startswith(NAMES.workload_path)
        assert not NAMES.workload_path.startswith(path)


# Every name is built from the prefix and the environment, never from a split of `{prefix}-{env}`.


def test_every_name_of_a_hyphenated_prefix_and_environment():
    names = HYPHENATED

    assert names.stem == "acme-web-pre-prod"
    assert names.secret_path == "acme-web/pre-prod/"
    assert names.secret_full_name("db/main") == "acme-web/pre-prod/db/main"
    assert names.key_alias == "alias/acme-web-pre-prod-secrets"
    assert names.workload_path == "/app-secrets/acme-web-pre-prod/"
    assert names.boundary_policy_name == "acme-web-pre-prod-workload-boundary"
    assert names.service_role_name("api", "exec") == "acme-web-pre-prod-api-exec"
    assert names.service_role_name("api", "task") == "acme-web-pre-prod-api-task"
    assert names.task_family("api") == "acme-web-pre-prod-api"
    assert names.service_log_group("api") == "/app-secrets/acme-web-pre-prod/api"
    assert names.service_log_group_pattern == "/app-secrets/acme-web-pre-prod/*"
    assert names.rotation_role_name == "acme-web-pre-prod-rotation"
    assert names.rotation_function_name("token-0e8cfa") == "acme-web-pre-prod-rot-token-0e8cfa"
    assert names.rotation_log_group("token-0e8cfa") == (
        "/aws/lambda/acme-web-pre-prod-rot-token-0e8cfa"
    )
    assert names.rotation_log_group_pattern == "/aws/lambda/acme-web-pre-prod-rot-*"
    assert names.lambda_log_group_pattern == "/aws/lambda/acme-web-pre-prod-*"
    assert names.ci_role_name("preview") == "acme-web-pre-prod-ci-preview"
    assert names.ci_role_name("deploy") == "acme-web-pre-prod-ci-deploy"
    assert names.ci_role_pattern == "acme-web-pre-prod-*"
    assert names.break_glass_role_name == "acme-web-pre-prod-break-glass"
    assert names.alert_topic_name == "acme-web-pre-prod-secrets-alerts"
    assert names.alert_rule_name("access-denied") == "acme-web-pre-prod-access-denied"
    assert names.trail_name == "acme-web-pre-prod-secrets-trail"
    assert names.trail_bucket_name("123456789012") == "acme-web-pre-prod-trail-123456789012"


def test_tags_of_a_hyphenated_prefix_and_environment_keep_both_whole():
    assert HYPHENATED.identity_tags == {
        "Project": "acme-web",
        "Environment": "pre-prod",
        "ManagedBy": "pulumi",
    }
    assert HYPHENATED.standard_tags({"Team": "core"}) == {
        "Team": "core",
        **HYPHENATED.identity_tags,
    }
    assert HYPHENATED.secret_tags({}, {}, rotation_strategy="token") == {
        **HYPHENATED.identity_tags,
        "RotationStrategy": "token",
    }


@pytest.mark.parametrize(
    ("prefix", "environment"),
    [("acme-web", "pre-prod"), ("acme", "web-pre-prod"), ("acme-web-pre", "prod")],
)
def test_the_same_stem_from_other_parts_keeps_its_own_path_and_tags(prefix, environment):
    # GIVEN stacks whose joined `{prefix}-{env}` is the same
    names = StackNames(prefix=prefix, environment=environment)

    # THEN the stem agrees, but the secret path and the identity tags follow the two parts
    assert names.stem == "acme-web-pre-prod"
    assert names.secret_path == f"{prefix}/{environment}/"
    assert names.secret_full_name("x") == f"{prefix}/{environment}/x"
    assert (names.identity_tags["Project"], names.identity_tags["Environment"]) == (
        prefix,
        environment,
    )
