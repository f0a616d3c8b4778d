"""Rotation: profiles from the catalog, and the functions, permissions and schedules declared."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pulumi
import pytest

from components.account import AwsAccount
from inputs.catalog import RANDOM_SPECIALS, RotationSpec, SecretSpec
from components.lambda_package import LambdaPackage
from components.rotation import (
    Rotation,
    RotationArgs,
    RotationProfile,
    master_secrets,
    password_settings,
    rotation_profile,
    rotation_rules,
)
from rotation.settings import load_settings
from tests.conftest import ACCOUNT_ID, REGION, records_of

ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:acme/dev/{{}}-AbCdEf"
BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/app-secrets-boundary/acme-dev-workload-boundary"
PACKAGE = LambdaPackage(path=Path("/build/rotation-lambda.zip"), code_sha256="c2hhMjU2")
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
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
    assert rotation_profile(external_db).password_length == 32


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


def test_master_secrets_are_listed_once():
    rotated = {
        "a": postgres("postgres-alternating-users", master="db-master"),
        "b": postgres("postgres-alternating-users", master="db-master"),
        "c": token(),
    }

    assert master_secrets(rotated) == ["db-master"]


# The component, through the mock engine.


def declare(rotated: dict[str, SecretSpec], **overrides) -> Rotation:
    names = {*rotated, *master_secrets(rotated), "unrotated"}
    account = AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT_ID),
        region=pulumi.Output.from_input(REGION),
        partition=pulumi.Output.from_input("aws"),
    )
    args = {
        "role_name": "acme-dev-rotation",
        "role_path": "/app-secrets/acme-dev/",
        "function_name": lambda slug: f"acme-dev-rot-{slug}",
        "log_group_pattern": "/aws/lambda/acme-dev-rot-*",
        "rotated": rotated,
        "secret_arns": {name: ARN.format(name) for name in names},
        "secret_full_names": {name: f"acme/dev/{name}" for name in names},
        "package": PACKAGE,
        "account": account,
        "key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/1111",
        "boundary_arn": BOUNDARY,
        "tags": {"Project": "acme"},
        **overrides,
    }
    return Rotation("rotation", RotationArgs(**args))


@pulumi.runtime.test
def test_one_function_per_profile_with_its_settings(monitor):
    rotation = declare({"a": token(64), "b": token(64), "c": token(32, special=False)})

    def check(arns):
        functions = records_of(monitor, FUNCTION)
        profile = rotation_profile(token(64))
        function = functions[f"rotation-{profile.slug}"]
        assert len(functions) == 2
        assert set(arns) == {record.inputs["name"] for record in functions.values()}
        assert arns[f"acme-dev-rot-{profile.slug}"] == (
            f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:acme-dev-rot-{profile.slug}"
        )
        assert function.inputs["runtime"] == "python3.11"
        assert function.inputs["handler"] == "handler.lambda_handler"
        assert function.inputs["timeout"] == 30
        assert function.inputs["role"].endswith(":role/app-secrets/acme-dev/acme-dev-rotation")
        assert function.inputs["environment"]["variables"] == profile.environment()
        assert function.inputs["sourceCodeHash"] == PACKAGE.code_sha256
        assert function.inputs["code"]["path"] == str(PACKAGE.path)
        assert "vpcConfig" not in function.inputs
        log_group = function.inputs["loggingConfig"]["logGroup"]
        assert log_group == f"/aws/lambda/acme-dev-rot-{profile.slug}"
        groups = {
            record.inputs["name"]: record for record in records_of(monitor, LOG_GROUP).values()
        }
        assert set(groups) == {f"/aws/lambda/{name}" for name in arns}
        assert groups[log_group].inputs["retentionInDays"] == 30

    return pulumi.Output.all(**rotation.function_arns).apply(check)


@pulumi.runtime.test
def test_secrets_manager_may_invoke_each_function_for_this_account_only(monitor):
    rotation = declare({"a": token(64), "b": token(16)})

    def check(_):
        permissions = records_of(monitor, PERMISSION)
        functions = {record.inputs["name"] for record in records_of(monitor, FUNCTION).values()}
        assert {record.inputs["function"] for record in permissions.values()} == functions
        for permission in permissions.values():
            assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
            assert permission.inputs["action"] == "lambda:InvokeFunction"
            assert permission.inputs["sourceAccount"] == ACCOUNT_ID

    return pulumi.Output.all(*(p.id for p in rotation.permissions.values())).apply(check)


@pulumi.runtime.test
def test_a_rotation_per_secret_on_its_profiles_function_never_immediately(monitor):
    rotation = declare({"a": token(64), "db": postgres("postgres-single-user")})

    def check(arns):
        rotations = records_of(monitor, SECRET_ROTATION)
        token_function = f"acme-dev-rot-{rotation_profile(token(64)).slug}"
        assert set(rotations) == {"rotation-a", "rotation-db"}
        assert rotations["rotation-a"].inputs == {
            "secretId": ARN.format("a"),
            "rotationLambdaArn": arns[token_function],
            "rotationRules": {"automaticallyAfterDays": 30},
            "rotateImmediately": False,
        }
        assert rotations["rotation-db"].inputs["rotationRules"] == {
            "scheduleExpression": "rate(7 days)"
        }

    return pulumi.Output.all(
        **rotation.function_arns, **{s: r.id for s, r in rotation.rotations.items()}
    ).apply(check)


@pulumi.runtime.test
def test_the_role_rotates_exactly_the_rotated_secrets_and_logs_to_their_groups(monitor):
    rotation = declare({"a": token(), "b": token()})

    def check(_):
        [grants] = records_of(monitor, ROLE_POLICY).values()
        statements = {s["Sid"]: s for s in json.loads(grants.inputs["policy"])["Statement"]}
        assert statements["RotateCatalogSecrets"]["Resource"] == [ARN.format("a"), ARN.format("b")]
        assert statements["OwnLogGroup"]["Resource"] == (
            f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/lambda/acme-dev-rot-*:*"
        )
        assert "RotationInVpc" not in statements
        assert records_of(monitor, POLICY) == {}
        assert rotation.masters_attachment is None

    return rotation.role.inline_policy.id.apply(check)


@pulumi.runtime.test
def test_masters_are_readable_only(monitor):
    rotation = declare({"db": postgres("postgres-alternating-users", master="db-master")})

    def check(_):
        [grants] = records_of(monitor, ROLE_POLICY).values()
        rotate = json.loads(grants.inputs["policy"])["Statement"][0]
        assert rotate["Resource"] == [ARN.format("db")]
        masters = records_of(monitor, POLICY)["rotation-masters"]
        assert masters.inputs["name"] == "acme-dev-rotation-masters"
        assert json.loads(masters.inputs["policy"])["Statement"] == [
            {
                "Sid": "ReadMasterSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": [ARN.format("db-master")],
            }
        ]
        attachment = records_of(monitor, ATTACHMENT)["rotation-masters"]
        assert attachment.inputs["role"] == "acme-dev-rotation"
        assert attachment.inputs["policyArn"] == masters.outputs["arn"]

    return pulumi.Output.all(rotation.role.inline_policy.id, rotation.masters_attachment.id).apply(
        check
    )


SUBNETS, GROUPS = ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]


@pulumi.runtime.test
def test_database_functions_run_in_the_vpc_and_token_functions_outside(monitor):
    rotation = declare(
        {"a": token(64), "db": postgres("postgres-single-user")},
        subnet_ids=SUBNETS,
        security_group_ids=GROUPS,
    )

    def check(_):
        functions = records_of(monitor, FUNCTION)
        database = functions[f"rotation-{rotation_profile(postgres('postgres-single-user')).slug}"]
        assert database.inputs["vpcConfig"] == {"subnetIds": SUBNETS, "securityGroupIds": GROUPS}
        assert "vpcConfig" not in functions[f"rotation-{rotation_profile(token(64)).slug}"].inputs
        [grants] = records_of(monitor, ROLE_POLICY).values()
        sids = [s["Sid"] for s in json.loads(grants.inputs["policy"])["Statement"]]
        assert "RotationInVpc" in sids

    return pulumi.Output.all(
        rotation.role.inline_policy.id, *(f.id for f in rotation.functions.values())
    ).apply(check)


@pulumi.runtime.test
def test_token_rotation_alone_needs_no_network_permissions(monitor):
    rotation = declare({"a": token(64)}, subnet_ids=SUBNETS, security_group_ids=GROUPS)

    def check(_):
        [function] = records_of(monitor, FUNCTION).values()
        assert "vpcConfig" not in function.inputs
        [grants] = records_of(monitor, ROLE_POLICY).values()
        sids = [s["Sid"] for s in json.loads(grants.inputs["policy"])["Statement"]]
        assert "RotationInVpc" not in sids

    return pulumi.Output.all(
        rotation.role.inline_policy.id, *(f.id for f in rotation.functions.values())
    ).apply(check)


def test_rejects_a_master_the_stack_does_not_declare(monitor):
    rotated = {"db": postgres("postgres-alternating-users", master="db-master")}

    with pytest.raises(ValueError, match="master secret\\(s\\) db-master are not declared"):
        declare(rotated, secret_arns={"db": ARN.format("db")})
