"""Rotation under the mock engine: the functions, permissions, schedules and role declared."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest

from aws_model.iam_eval import Decision
from components.account import AwsAccount
from components.lambda_package import LambdaPackage
from components.secret_rotation import Rotation, RotationArgs
from design.naming import StackNames
from design.rotation import master_secrets, rotated_secrets, rotation_profile
from inputs.catalog import SecretSpec
from tests.conftest import ACCOUNT_ID, REGION, records_of
from tests.design.service_requests import assume, invoke, lambda_permission_policy
from tests.design.test_rotation import postgres, spec, token

ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:acme/dev/{{}}-AbCdEf"
BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/app-secrets-boundary/acme-dev-workload-boundary"
PACKAGE = LambdaPackage(path=Path("/build/rotation-lambda.zip"), code_sha256="c2hhMjU2")
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def declare(secrets: dict[str, SecretSpec], **overrides) -> Rotation:
    rotated = rotated_secrets(secrets)
    names = {*rotated, *master_secrets(rotated), "unrotated"}
    account = AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT_ID),
        region=pulumi.Output.from_input(REGION),
        partition=pulumi.Output.from_input("aws"),
    )
    args = {
        "names": StackNames(prefix="acme", environment="dev"),
        "rotated": rotated,
        "secret_arns": {name: ARN.format(name) for name in names},
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
def test_timeout_retention_and_tags_follow_the_args(monitor):
    rotation = declare({"a": token(64)}, timeout_seconds=120, log_retention_days=90)

    def check(_):
        [function] = records_of(monitor, FUNCTION).values()
        [log_group] = records_of(monitor, LOG_GROUP).values()
        assert function.inputs["timeout"] == 120
        assert log_group.inputs["retentionInDays"] == 90
        assert function.inputs["tags"] == log_group.inputs["tags"] == {"Project": "acme"}

    return pulumi.Output.all(*(f.id for f in rotation.functions.values())).apply(check)


@pulumi.runtime.test
def test_names_follow_a_hyphenated_prefix_and_environment(monitor):
    rotation = declare(
        {"a": token(64)}, names=StackNames(prefix="acme-web", environment="pre-prod")
    )
    slug = rotation_profile(token(64)).slug

    def check(arns):
        role = records_of(monitor, ROLE)["rotation-lambda-role"]
        [function] = records_of(monitor, FUNCTION).values()
        [grants] = records_of(monitor, ROLE_POLICY).values()
        statements = {s["Sid"]: s for s in json.loads(grants.inputs["policy"])["Statement"]}
        assert (role.inputs["name"], role.inputs["path"]) == (
            "acme-web-pre-prod-rotation",
            "/app-secrets/acme-web-pre-prod/",
        )
        assert list(arns) == [f"acme-web-pre-prod-rot-{slug}"]
        assert function.inputs["loggingConfig"]["logGroup"] == (
            f"/aws/lambda/acme-web-pre-prod-rot-{slug}"
        )
        assert statements["OwnLogGroup"]["Resource"] == (
            f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/lambda/acme-web-pre-prod-rot-*:*"
        )

    return pulumi.Output.all(grants=rotation.role.inline_policy.id, **rotation.function_arns).apply(
        lambda values: check({name: arn for name, arn in values.items() if name != "grants"})
    )


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
            assert permission.inputs["sourceArn"] == (
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:acme/dev/*"
            )

    return pulumi.Output.all(*(p.id for p in rotation.permissions.values())).apply(check)


@pulumi.runtime.test
def test_the_declared_permission_refuses_other_accounts_stacks_and_services(monitor):
    rotation = declare({"a": token(64)})

    def check(values):
        function_arn, _ = values
        (permission,) = records_of(monitor, PERMISSION).values()
        policy = lambda_permission_policy(
            function_arn,
            principal=permission.inputs["principal"],
            source_account=permission.inputs["sourceAccount"],
            source_arn=permission.inputs["sourceArn"],
        )

        def decide(principal: str, account: str, secret_arn: str) -> Decision:
            context = {"aws:SourceAccount": account, "aws:SourceArn": secret_arn}
            return invoke(policy, principal, function_arn=function_arn, **context)

        own = ARN.format("a")
        other_account = own.replace(ACCOUNT_ID, "999988887777")
        manager = "secretsmanager.amazonaws.com"
        assert decide(manager, ACCOUNT_ID, own) is Decision.ALLOW
        assert decide(manager, "999988887777", other_account) is Decision.IMPLICIT_DENY
        assert decide(manager, ACCOUNT_ID, own.replace("acme/dev/", "acme/prod/")) is (
            Decision.IMPLICIT_DENY
        )
        assert decide("events.amazonaws.com", ACCOUNT_ID, own) is Decision.IMPLICIT_DENY

    ((slug, function),) = rotation.functions.items()
    return pulumi.Output.all(function.arn, rotation.permissions[slug].id).apply(check)


@pulumi.runtime.test
def test_the_rotation_role_trusts_lambda_for_this_account_only(monitor):
    rotation = declare({"a": token(64)})

    def check(_):
        trust = json.loads(
            records_of(monitor, ROLE)["rotation-lambda-role"].inputs["assumeRolePolicy"]
        )
        lambda_ = "lambda.amazonaws.com"
        assert assume(trust, lambda_, **{"aws:SourceAccount": ACCOUNT_ID}) is Decision.ALLOW
        assert assume(trust, lambda_, **{"aws:SourceAccount": "999988887777"}) is (
            Decision.IMPLICIT_DENY
        )
        assert assume(trust, "ecs-tasks.amazonaws.com", **{"aws:SourceAccount": ACCOUNT_ID}) is (
            Decision.IMPLICIT_DENY
        )

    return rotation.role_arn.apply(check)


@pulumi.runtime.test
def test_a_rotation_per_secret_immediately_only_for_a_generated_token(monitor):
    external_token = spec({"external": True, "rotation": {"every_days": 30, "strategy": "token"}})
    rotation = declare(
        {"a": token(64), "ext": external_token, "db": postgres("postgres-single-user")}
    )

    def check(arns):
        rotations = records_of(monitor, SECRET_ROTATION)
        token_function = f"acme-dev-rot-{rotation_profile(token(64)).slug}"
        assert set(rotations) == {"rotation-a", "rotation-ext", "rotation-db"}
        # The generated token's first value is made by its function, at deploy time.
        assert rotations["rotation-a"].inputs == {
            "secretId": ARN.format("a"),
            "rotationLambdaArn": arns[token_function],
            "rotationRules": {"automaticallyAfterDays": 30},
            "rotateImmediately": True,
        }
        assert rotations["rotation-ext"].inputs["rotateImmediately"] is False
        assert rotations["rotation-db"].inputs["rotateImmediately"] is False
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
        assert "CreateRotationInterfaces" not in statements
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
        assert {"CreateRotationInterfaces", "ManageRotationInterfaces"} <= set(sids)

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
        assert "CreateRotationInterfaces" not in sids

    return pulumi.Output.all(
        rotation.role.inline_policy.id, *(f.id for f in rotation.functions.values())
    ).apply(check)


def test_rejects_a_master_the_stack_does_not_declare(monitor):
    secrets = {"db": postgres("postgres-alternating-users", master="db-master")}

    with pytest.raises(ValueError, match="master secret\\(s\\) db-master are not declared"):
        declare(secrets, secret_arns={"db": ARN.format("db")})


@pulumi.runtime.test
def test_a_rotation_waits_for_its_first_value_and_its_functions_permission(monitor):
    # GIVEN the engine's view of what each resource was declared to depend on
    dependencies: dict[str, list[str]] = {}
    register = monitor.RegisterResource

    def recording(request):
        dependencies[request.name] = list(request.dependencies)
        return register(request)

    monitor.RegisterResource = recording
    first_value = pulumi.CustomResource("test:index:FirstValue", "first-value-a")

    # WHEN
    rotation = declare({"a": token(64), "b": token(64)}, first_values={"a": first_value})
    slug = rotation_profile(token(64)).slug

    def check(urns):
        first_value_urn, permission_urn, *_ = urns
        assert first_value_urn in dependencies["rotation-a"]
        assert first_value_urn not in dependencies["rotation-b"]
        assert permission_urn in dependencies["rotation-a"]
        assert permission_urn in dependencies["rotation-b"]

    return pulumi.Output.all(
        first_value.urn,
        rotation.permissions[slug].urn,
        *(r.id for r in rotation.rotations.values()),
    ).apply(check)
