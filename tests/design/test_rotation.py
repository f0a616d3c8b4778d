"""Rotation decisions: profiles from the catalog, schedules, masters and the functions' grants."""

from __future__ import annotations

import json
import string
from dataclasses import replace

import pytest

from aws_model.iam_eval import Decision
from design.arns import Account
from design.boundary import workload_boundary
from design.naming import StackNames
from design.rotation import (
    SECRETS_MANAGER_PRINCIPAL,
    RotatedSecret,
    RotationNetwork,
    RotationProfile,
    in_vpc,
    master_secrets,
    password_settings,
    rotated_secrets,
    rotates_first_value,
    rotation_in_vpc,
    rotation_invoke_source_arn,
    rotation_profile,
    rotation_rules,
    rotation_statements,
)
from inputs.catalog import RANDOM_SPECIALS, RotationSpec, SecretSpec
from inputs.catalog_reader import load_catalog
from rotation.settings import PasswordPolicy, load_settings
from tests.conftest import PROJECT_DIR
from tests.design.service_requests import invoke, lambda_permission_policy

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
PASSWORD_VARIABLES = (
    "PASSWORD_LENGTH",
    "EXCLUDE_CHARACTERS",
    "EXCLUDE_PUNCTUATION",
    "EXCLUDE_NUMBERS",
    "EXCLUDE_UPPERCASE",
    "EXCLUDE_LOWERCASE",
    "REQUIRE_EACH_INCLUDED_TYPE",
)
POSTGRES_FIELDS = {
    "engine": {"value": "postgres"},
    "host": {"value": "db.internal"},
    "port": {"value": 5432},
    "username": {"value": "app"},
    "dbname": {"value": "app"},
}


def spec(body: dict) -> SecretSpec:
    return SecretSpec.model_validate({"description": "x", **body})


def token(length: int = 64, **generate) -> SecretSpec:
    return spec(
        {
            "generate": {"length": length, **generate},
            "rotation": {"every_days": 30, "strategy": "token"},
        }
    )


def postgres(strategy: str, **rotation) -> SecretSpec:
    return spec(
        {
            "fields": {**POSTGRES_FIELDS, "password": {"generate": {"length": 24}}},
            "rotation": {"schedule": "rate(7 days)", "strategy": strategy, **rotation},
        }
    )


# Profiles: what GetRandomPassword is told, from the catalog's generate settings.


def test_no_specials_turns_punctuation_off():
    profile = rotation_profile(token(64, special=False))

    assert profile == RotationProfile(
        strategy="token", password_length=64, exclude_characters="", exclude_punctuation=True
    )


def test_excludes_all_punctuation_pulumi_random_would_not_draw():
    profile = rotation_profile(token(40, exclude_characters="<>"))

    allowed = set(string.punctuation) - set(profile.exclude_characters)
    assert allowed == set(RANDOM_SPECIALS) - {"<", ">"}
    assert profile.exclude_punctuation is False


def test_the_handler_reads_the_profile_as_the_catalog_meant():
    settings = load_settings(rotation_profile(token(48, exclude_characters="!?")).environment())

    assert settings.strategy == "token"
    assert settings.password_policy.password_length == 48
    assert set(string.punctuation) - set(settings.password_policy.exclude_characters) == (
        set(RANDOM_SPECIALS) - {"!", "?"}
    )


def test_postgres_follows_the_password_field():
    profile = rotation_profile(postgres("postgres-single-user"))

    assert (profile.strategy, profile.password_length) == ("postgres-single-user", 24)


def test_external_secrets_get_the_defaults_and_postgres_loses_the_url_breakers():
    external_token = spec({"external": True, "rotation": {"every_days": 7, "strategy": "token"}})
    external_db = spec(
        {"external": True, "rotation": {"every_days": 7, "strategy": "postgres-single-user"}}
    )

    assert password_settings(external_token).specials == RANDOM_SPECIALS
    assert "@" not in password_settings(external_db).specials
    assert ":" not in password_settings(external_db).specials
    assert rotation_profile(external_db).password_length == 32


def test_catalog_classes_turned_off_are_excluded():
    profile = rotation_profile(token(64, upper=False, numeric=False))

    assert (profile.exclude_uppercase, profile.exclude_lowercase, profile.exclude_numbers) == (
        True,
        False,
        True,
    )
    assert profile.require_each_included_type is True


def test_the_environment_sets_every_password_variable_and_the_handler_reads_them_back():
    # GIVEN a profile with no field at its default
    profile = RotationProfile(
        strategy="postgres-single-user",
        password_length=20,
        exclude_characters="",
        exclude_punctuation=True,
        exclude_numbers=True,
        exclude_uppercase=True,
        exclude_lowercase=False,
        require_each_included_type=False,
    )

    environment = profile.environment()

    assert set(environment) == set(PASSWORD_VARIABLES) | {"STRATEGY"}
    assert load_settings(environment).password_policy == PasswordPolicy(
        password_length=20,
        exclude_characters="",
        exclude_punctuation=True,
        exclude_numbers=True,
        exclude_uppercase=True,
        exclude_lowercase=False,
        require_each_included_type=False,
    )


# Slugs are part of every function's name and Pulumi resource name: these were computed before
# the exclude_numbers/uppercase/lowercase and require_each_included_type fields existed.
SLUGS_BEFORE_THE_CLASS_FIELDS = [
    ("committed admin-token", token(64, special=False), "token-0e8cfa"),
    ("token defaults", token(32), "token-f4d708"),
    ("token excluding <>", token(40, exclude_characters="<>"), "token-2d7496"),
    ("postgres password field", postgres("postgres-single-user"), "pg-single-4b152e"),
]


@pytest.mark.parametrize(
    ("secret", "slug"),
    [(secret, slug) for _, secret, slug in SLUGS_BEFORE_THE_CLASS_FIELDS],
    ids=[name for name, _, _ in SLUGS_BEFORE_THE_CLASS_FIELDS],
)
def test_profiles_with_the_new_fields_at_their_defaults_keep_their_slugs(secret, slug):
    assert rotation_profile(secret).slug == slug


def test_the_committed_catalog_keeps_its_function_names():
    catalog = load_catalog(PROJECT_DIR / "catalog.yaml")

    slugs = {name: secret.profile.slug for name, secret in rotated_secrets(catalog.secrets).items()}

    assert slugs == {"admin-token": "token-0e8cfa"}


def test_each_new_field_off_its_default_gets_its_own_slug():
    base = rotation_profile(token(64))
    changed = [
        replace(base, exclude_numbers=True),
        replace(base, exclude_uppercase=True),
        replace(base, exclude_lowercase=True),
        replace(base, require_each_included_type=False),
    ]

    assert len({base.slug, *(profile.slug for profile in changed)}) == 5


def test_equal_settings_give_equal_slugs_and_others_differ():
    assert rotation_profile(token(64)).slug == rotation_profile(token(64)).slug
    assert rotation_profile(token(64)).slug != rotation_profile(token(65)).slug
    assert rotation_profile(token(64)).slug.startswith("token-")
    assert rotation_profile(postgres("postgres-alternating-users", master="m")).slug.startswith(
        "pg-alt-"
    )


def test_rejects_a_secret_without_rotation():
    with pytest.raises(ValueError, match="no rotation block"):
        rotation_profile(spec({"generate": {"length": 32}}))


def test_rotation_rules_take_days_or_the_schedule():
    assert rotation_rules(RotationSpec(every_days=30, strategy="token")) == {
        "automatically_after_days": 30
    }
    assert rotation_rules(RotationSpec(schedule="cron(0 4 1 * ? *)", strategy="token")) == {
        "schedule_expression": "cron(0 4 1 * ? *)"
    }


# What the stack deploys per rotated secret.


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"generate": {"length": 32}, "rotation": {"every_days": 30, "strategy": "token"}}, True),
        ({"external": True, "rotation": {"every_days": 30, "strategy": "token"}}, False),
        ({"generate": {"length": 32}}, False),
        (
            {"config": "login", "rotation": {"every_days": 7, "strategy": "postgres-single-user"}},
            False,
        ),
    ],
)
def test_only_a_generated_rotated_token_gets_its_first_value_from_rotation(body, expected):
    assert rotates_first_value(spec(body)) is expected


def test_rotated_secrets_are_exactly_those_with_a_rotation_block():
    rotated = rotated_secrets(
        {
            "a": token(64),
            "plain": spec({"generate": {"length": 32}}),
            "db": postgres("postgres-alternating-users", master="db-master"),
        }
    )

    assert rotated == {
        "a": RotatedSecret(
            profile=rotation_profile(token(64)),
            rules={"automatically_after_days": 30},
            rotate_immediately=True,
        ),
        "db": RotatedSecret(
            profile=rotation_profile(postgres("postgres-alternating-users", master="db-master")),
            rules={"schedule_expression": "rate(7 days)"},
            master="db-master",
        ),
    }


def test_master_secrets_are_listed_once():
    rotated = rotated_secrets(
        {
            "a": postgres("postgres-alternating-users", master="db-master"),
            "b": postgres("postgres-alternating-users", master="db-master"),
            "c": token(),
        }
    )

    assert master_secrets(rotated) == ["db-master"]


def test_only_database_functions_run_in_a_vpc_and_only_with_subnets():
    database = rotation_profile(postgres("postgres-single-user"))

    assert in_vpc(database, ["subnet-0123456789abcdef0"]) is True
    assert in_vpc(database, []) is False
    assert in_vpc(rotation_profile(token()), ["subnet-0123456789abcdef0"]) is False


# The rotation functions' statements besides their secret grant.


def test_rotation_statements_add_the_vpc_actions_only_in_a_vpc():
    network = RotationNetwork(subnet_ids=("subnet-0a",), security_group_ids=("sg-0b",))
    outside = rotation_statements(
        ACCOUNT, "arn:aws:kms:eu-west-1:1:key/k", log_group="/aws/lambda/x"
    )
    inside = rotation_statements(
        ACCOUNT, "arn:aws:kms:eu-west-1:1:key/k", log_group="/aws/lambda/x", network=network
    )

    assert [statement["Sid"] for statement in inside] == [
        *(statement["Sid"] for statement in outside),
        "CreateRotationInterfaces",
        "ManageRotationInterfaces",
        "DescribeRotationInterfaces",
    ]
    # The boundary allows exactly what a rotation function in that network is given.
    boundary = workload_boundary(
        ACCOUNT, names=StackNames(prefix="acme", environment="dev"), key_arn="k", network=network
    )
    for statement in inside[-3:]:
        assert statement in boundary["Statement"]
    # and without a network, no EC2 permission at all
    no_network = workload_boundary(
        ACCOUNT, names=StackNames(prefix="acme", environment="dev"), key_arn="k"
    )
    assert "ec2:" not in json.dumps(no_network)


def test_the_vpc_actions_name_the_subnets_and_groups_and_only_describe_on_star():
    network = RotationNetwork(subnet_ids=("subnet-0a", "subnet-0c"), security_group_ids=("sg-0b",))

    create, manage, describe = rotation_in_vpc(ACCOUNT, network)

    interfaces = f"arn:aws:ec2:{ACCOUNT.region}:{ACCOUNT.account_id}:network-interface/*"
    subnets = [
        f"arn:aws:ec2:{ACCOUNT.region}:{ACCOUNT.account_id}:subnet/subnet-0a",
        f"arn:aws:ec2:{ACCOUNT.region}:{ACCOUNT.account_id}:subnet/subnet-0c",
    ]
    assert create["Resource"] == [
        interfaces,
        *subnets,
        f"arn:aws:ec2:{ACCOUNT.region}:{ACCOUNT.account_id}:security-group/sg-0b",
    ]
    assert manage["Resource"] == interfaces
    assert manage["Condition"] == {"ArnEquals": {"ec2:Subnet": subnets}}
    assert (describe["Action"], describe["Resource"]) == ("ec2:DescribeNetworkInterfaces", "*")


def test_rotation_statements_write_only_to_the_given_log_group():
    statements = rotation_statements(
        ACCOUNT, "arn:aws:kms:eu-west-1:1:key/k", log_group="/aws/lambda/acme-dev-rot-*"
    )
    logs = {statement["Sid"]: statement for statement in statements}["OwnLogGroup"]

    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/acme-dev-rot-*:*"
    )


FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:acme-dev-rot-token-0e8cfa"
DEV_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/admin-token-AbCdEf"
PERMISSION = lambda_permission_policy(
    FUNCTION_ARN,
    principal=SECRETS_MANAGER_PRINCIPAL,
    source_account="123456789012",
    source_arn=rotation_invoke_source_arn(ACCOUNT, "acme/dev/"),
)


def test_the_invoke_source_is_every_secret_under_the_stack_path():
    assert rotation_invoke_source_arn(ACCOUNT, "acme/dev/") == (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/*"
    )


@pytest.mark.parametrize(
    ("principal", "account", "source", "decision"),
    [
        (SECRETS_MANAGER_PRINCIPAL, "123456789012", DEV_SECRET, Decision.ALLOW),
        (
            SECRETS_MANAGER_PRINCIPAL,
            "999988887777",
            DEV_SECRET.replace("123456789012", "999988887777"),
            Decision.IMPLICIT_DENY,
        ),
        (
            SECRETS_MANAGER_PRINCIPAL,
            "123456789012",
            DEV_SECRET.replace("acme/dev/", "acme/prod/"),
            Decision.IMPLICIT_DENY,
        ),
        (
            SECRETS_MANAGER_PRINCIPAL,
            "123456789012",
            DEV_SECRET.replace("acme/dev/", "acme/dev-x/"),
            Decision.IMPLICIT_DENY,
        ),
        (SECRETS_MANAGER_PRINCIPAL, "123456789012", None, Decision.IMPLICIT_DENY),
        ("events.amazonaws.com", "123456789012", DEV_SECRET, Decision.IMPLICIT_DENY),
    ],
    ids=["stack-secret", "other-account", "other-stack", "hyphen-neighbour", "no-source", "events"],
)
def test_only_secrets_manager_rotating_a_stack_secret_may_invoke(
    principal, account, source, decision
):
    context = {"aws:SourceAccount": account, "aws:SourceArn": source}

    assert invoke(PERMISSION, principal, function_arn=FUNCTION_ARN, **context) is decision
