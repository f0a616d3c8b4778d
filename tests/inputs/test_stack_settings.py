"""Stack settings: defaults per environment, AWS's limits, and errors that never echo values."""

from __future__ import annotations

import pytest

from design.naming import StackNames
from inputs.exceptions import InputError
from inputs.stack_settings import parse_settings


def settings_problems(values: dict, *, stack: str = "dev", config_keys=()) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_settings(values, stack=stack, file=f"Pulumi.{stack}.yaml", config_keys=config_keys)
    return caught.value.problems


def test_defaults_outside_prod():
    settings = parse_settings({"prefix": "acme"}, stack="dev", file="Pulumi.dev.yaml")

    assert settings.environment == "dev"
    assert settings.recovery_window_days == 30
    assert settings.protected is False
    assert settings.tags == {}
    names = StackNames(prefix=settings.prefix, environment=settings.environment)
    assert names.secret_path == "acme/dev/"  # names moved to design/ in the restructure


def test_prod_is_protected_by_default():
    settings = parse_settings({"prefix": "acme"}, stack="prod", file="Pulumi.prod.yaml")

    assert settings.is_production
    assert settings.protected is True


def test_protect_can_be_set_explicitly_from_engine_strings():
    settings = parse_settings(
        {
            "prefix": "acme",
            "protect": "true",
            "recoveryWindowDays": "7",
            "tags": '{"Team": "core"}',
        },
        stack="staging",
        file="Pulumi.staging.yaml",
    )

    assert settings.protected is True
    assert settings.recovery_window_days == 7
    assert settings.tags == {"Team": "core"}


def test_environment_may_differ_from_the_stack_name():
    settings = parse_settings(
        {"prefix": "acme", "environment": "prod"}, stack="prod-eu", file="Pulumi.prod-eu.yaml"
    )

    assert settings.environment == "prod"
    assert settings.protected is True


def test_rejects_missing_prefix():
    assert settings_problems({}) == ["Pulumi.dev.yaml: app-secrets:prefix: is required"]


@pytest.mark.parametrize("days", [1, 6, 31, 365])
def test_rejects_recovery_window_outside_aws_limits(days):
    assert settings_problems({"prefix": "acme", "recoveryWindowDays": days}) == [
        f"Pulumi.dev.yaml: app-secrets:recoveryWindowDays: must be 0 (delete at once) or between 7 and 30, got {days}"
    ]


def test_rejects_zero_recovery_window_in_prod():
    assert settings_problems({"prefix": "acme", "recoveryWindowDays": 0}, stack="prod") == [
        "Pulumi.prod.yaml: app-secrets:recoveryWindowDays: must be between 7 and 30 in prod, got 0 "
        "(a deleted secret could not be restored)"
    ]


def test_rejects_unknown_keys_but_allows_catalog_value_keys():
    problems = settings_problems(
        {"prefix": "acme", "recoveryWindow": 7, "openaiApiKey": "x"}, config_keys={"openaiApiKey"}
    )

    assert len(problems) == 1
    assert problems[0].startswith(
        "Pulumi.dev.yaml: app-secrets:recoveryWindow: unknown key; allowed: prefix,"
    )


def test_rejects_bad_prefix_account_and_tags_together():
    problems = settings_problems(
        {"prefix": "Acme_Corp", "accountId": "12345", "tags": {"Project": "x"}}
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:prefix: must be 1-24 lowercase letters, digits and -, starting with a "
        "letter, got 'Acme_Corp'",
        "Pulumi.dev.yaml: app-secrets:tags: tag 'Project' is set by app-secrets and cannot be overridden",
        "Pulumi.dev.yaml: app-secrets:accountId: must be 12 digits, got '12345'",
    ]


def test_type_errors_do_not_echo_the_value():
    problems = settings_problems({"prefix": "acme", "protect": "SENTINEL-NOT-A-BOOL"})

    assert problems == ["Pulumi.dev.yaml: app-secrets:protect: must be true or false"]


SUBNET, GROUP = "subnet-0123456789abcdef0", "sg-0123456789abcdef0"


def test_rotation_runs_outside_a_vpc_by_default_and_inside_when_both_keys_are_set():
    default = parse_settings({"prefix": "acme"}, stack="dev", file="Pulumi.dev.yaml")
    in_vpc = parse_settings(
        {
            "prefix": "acme",
            "rotationSubnetIds": f'["{SUBNET}", "subnet-01234567"]',
            "rotationSecurityGroupIds": [GROUP],
        },
        stack="dev",
        file="Pulumi.dev.yaml",
    )

    assert (default.rotation_subnet_ids, default.rotation_security_group_ids) == ([], [])
    assert in_vpc.rotation_subnet_ids == [SUBNET, "subnet-01234567"]
    assert in_vpc.rotation_security_group_ids == [GROUP]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"rotationSubnetIds": [SUBNET]},
            "app-secrets:rotationSecurityGroupIds: is required when rotationSubnetIds is set",
        ),
        (
            {"rotationSecurityGroupIds": [GROUP]},
            "app-secrets:rotationSubnetIds: is required when rotationSecurityGroupIds is set",
        ),
        (
            {"rotationSubnetIds": ["subnet-x"], "rotationSecurityGroupIds": [GROUP]},
            "app-secrets:rotationSubnetIds: must each be a subnet id such as "
            "subnet-0123456789abcdef0; not: item 1 'subnet-x'",
        ),
        (
            {"rotationSubnetIds": [SUBNET], "rotationSecurityGroupIds": [GROUP] * 6},
            "app-secrets:rotationSecurityGroupIds: Lambda allows at most 5 security groups per "
            "function, got 6",
        ),
    ],
)
def test_rejects_a_rotation_vpc_that_lambda_would_refuse(values, problem):
    problems = settings_problems({"prefix": "acme", **values})

    assert len(problems) == 1
    assert problems[0].startswith(f"Pulumi.dev.yaml: {problem}")


def test_alerting_is_on_by_default_with_no_subscriptions_trail_or_break_glass():
    settings = parse_settings({"prefix": "acme"}, stack="dev", file="Pulumi.dev.yaml")

    assert settings.alerting is True
    assert settings.alert_emails == []
    assert settings.alert_https_endpoints == []
    assert settings.create_trail is False
    assert settings.break_glass_principals == []


def test_alerting_keys_arrive_as_engine_strings():
    settings = parse_settings(
        {
            "prefix": "acme",
            "alerting": "true",
            "alertEmails": '["security@example.com"]',
            "alertHttpsEndpoints": '["https://alerts.example.com/hook"]',
            "createTrail": "true",
            "breakGlassPrincipals": '["arn:aws:iam::123456789012:user/oncall"]',
        },
        stack="prod",
        file="Pulumi.prod.yaml",
    )

    assert settings.alert_emails == ["security@example.com"]
    assert settings.alert_https_endpoints == ["https://alerts.example.com/hook"]
    assert settings.create_trail is True
    assert settings.break_glass_principals == ["arn:aws:iam::123456789012:user/oncall"]


def test_rejects_bad_alert_subscriptions_without_echoing_urls():
    problems = settings_problems(
        {
            "prefix": "acme",
            "alertEmails": '["security@example.com", "not-an-address"]',
            "alertHttpsEndpoints": '["http://hooks.example.com/T0K3N"]',
        }
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:alertEmails: must each be an email address such as "
        "security@example.com; not: item 2 'not-an-address'",
        "Pulumi.dev.yaml: app-secrets:alertHttpsEndpoints: must each be an https:// URL; "
        "not: item 1",
    ]


def test_rejects_break_glass_principals_with_wildcards_or_other_kinds():
    problems = settings_problems(
        {
            "prefix": "acme",
            "breakGlassPrincipals": '["arn:aws:iam::123456789012:role/*", '
            '"arn:aws:iam::123456789012:group/admins"]',
        }
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:breakGlassPrincipals: must each be an IAM user or role "
        "ARN, without wildcards; not: item 1 'arn:aws:iam::123456789012:role/*', item 2 "
        "'arn:aws:iam::123456789012:group/admins'"
    ]


def test_rejects_break_glass_without_alerting():
    problems = settings_problems(
        {
            "prefix": "acme",
            "alerting": "false",
            "breakGlassPrincipals": '["arn:aws:iam::123456789012:user/oncall"]',
        }
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:alerting: must be true while breakGlassPrincipals is set: "
        "every use of the break-glass role must raise an alert"
    ]
