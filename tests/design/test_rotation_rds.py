"""RDS's master secrets and Describe calls: the grants, proven by evaluating requests."""

from __future__ import annotations

import json
from pathlib import Path

import parliament
import pytest
import yaml

from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.boundary import workload_boundary
from design.naming import StackNames
from design.rotation import RotatedSecret, rotated_secrets
from design.rotation_rds import (
    external_master_arns,
    external_statements,
    master_read_policy,
    rds_arns,
)
from design.stack_inputs import Mode, load_stack_inputs
from inputs.catalog import SecretSpec
from inputs.exceptions import InputError
from inputs.stackfile import StackConfig

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="prod")
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
ROLE = "arn:aws:iam::123456789012:role/app-secrets/acme-prod/acme-prod-rotation"
MASTER = (
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
    "rds!db-0b7c9e3a-5d1f-4c8e-9a2b-7f6e5d4c3b2a-AbCdEf"
)
OTHER_MASTER = MASTER.replace("0b7c9e3a", "99999999")
CATALOG_MASTER = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db-master-AbCdEf"
INSTANCE = "arn:aws:rds:eu-west-1:123456789012:db:app-prod"
REPLICA = "arn:aws:rds:eu-west-1:123456789012:db:app-prod-replica-1"
CLUSTER = "arn:aws:rds:eu-west-1:123456789012:cluster:app-aurora"
GET, DESCRIBE, PUT = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
)
DESCRIBE_INSTANCES, DESCRIBE_CLUSTERS = "rds:DescribeDBInstances", "rds:DescribeDBClusters"
ALLOW, IMPLICIT_DENY = Decision.ALLOW, Decision.IMPLICIT_DENY


def spec(rotation: dict) -> SecretSpec:
    return SecretSpec.model_validate(
        {
            "description": "x",
            "external": True,
            "rotation": {"every_days": 7, "strategy": "postgres-alternating-users", **rotation},
        }
    )


SPECS = {
    "db": spec({"master": {"dev": "db-master", "prod": MASTER}, "rds": {"prod": [INSTANCE]}}),
    "reports": spec({"master": "db-master", "rds": {"prod": [REPLICA, CLUSTER]}}),
}


def role_policies(masters: list[str], databases: list[str]) -> tuple[list[dict], dict]:
    """The rotation role's masters policy, and the workload boundary, as the stack declares."""
    identity = master_read_policy([], external=external_statements(masters, databases))
    boundary = workload_boundary(
        ACCOUNT,
        names=NAMES,
        key_arn=KEY_ARN,
        external_master_arns=masters,
        rds_arns=databases,
    )
    return [identity], boundary


def decide(action: str, resource: str, *, identity: list[dict], boundary: dict | None) -> Decision:
    request = Request(
        principal_arn=ROLE,
        action=action,
        resource_arn=resource,
        context={"aws:PrincipalArn": ROLE, "aws:PrincipalAccount": ACCOUNT.account_id},
    )
    return evaluate(request, identity_policies=identity, permissions_boundary=boundary)


# Per environment: which master, which databases.


def test_each_environment_gets_its_own_master_and_databases():
    prod = rotated_secrets(SPECS, environment="prod")
    dev = rotated_secrets(SPECS, environment="dev")

    assert (prod["db"].master, prod["db"].master_arn, prod["db"].rds_arns) == (
        None,
        MASTER,
        (INSTANCE,),
    )
    assert (dev["db"].master, dev["db"].master_arn, dev["db"].rds_arns) == ("db-master", None, ())
    assert external_master_arns(prod) == [MASTER]
    assert external_master_arns(dev) == []
    assert rds_arns(prod) == sorted([INSTANCE, REPLICA, CLUSTER])


def test_rejects_per_environment_masters_without_an_environment():
    with pytest.raises(ValueError, match="per environment; pass the environment"):
        rotated_secrets(SPECS)


def test_a_catalog_master_alone_needs_no_environment():
    rotated = rotated_secrets({"db": spec({"master": "db-master"})})

    assert rotated["db"].master == "db-master"
    assert rotated["db"] == RotatedSecret(
        profile=rotated["db"].profile, rules=rotated["db"].rules, master="db-master"
    )


# The statements: each Describe call on its own resource type, nothing on `*`.


def test_each_describe_call_is_on_exactly_its_databases():
    statements = {
        statement["Sid"]: statement
        for statement in external_statements([MASTER], [INSTANCE, CLUSTER, REPLICA])
    }

    assert statements == {
        "ReadExternalMasterSecrets": {
            "Sid": "ReadExternalMasterSecrets",
            "Effect": "Allow",
            "Action": [DESCRIBE, GET],
            "Resource": [MASTER],
        },
        "DescribeRotationInstances": {
            "Sid": "DescribeRotationInstances",
            "Effect": "Allow",
            "Action": DESCRIBE_INSTANCES,
            "Resource": [INSTANCE, REPLICA],
        },
        "DescribeRotationClusters": {
            "Sid": "DescribeRotationClusters",
            "Effect": "Allow",
            "Action": DESCRIBE_CLUSTERS,
            "Resource": [CLUSTER],
        },
    }
    assert external_statements([], []) == []


def test_the_actions_take_the_resource_types_rds_authorizes_them_on():
    definitions = json.loads(
        (Path(parliament.__file__).parent / "iam_definition.json").read_text(encoding="utf-8")
    )
    rds = next(service for service in definitions if service["prefix"] == "rds")
    types = {
        privilege["privilege"]: {item["resource_type"] for item in privilege["resource_types"]}
        for privilege in rds["privileges"]
    }

    assert types["DescribeDBInstances"] == {"db*"}
    assert types["DescribeDBClusters"] == {"cluster*"}
    document = json.dumps(
        master_read_policy([], external=external_statements([MASTER], [INSTANCE, CLUSTER]))
    )
    findings = {finding.issue for finding in parliament.analyze_policy_string(document).findings}
    assert not findings & {"RESOURCE_MISMATCH", "UNKNOWN_ACTION", "RESOURCE_STAR"}, findings


# Evaluated: the role may do exactly this, by its policy AND by the boundary.


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        (GET, MASTER, ALLOW),
        (DESCRIBE, MASTER, ALLOW),
        (PUT, MASTER, IMPLICIT_DENY),
        ("secretsmanager:UpdateSecretVersionStage", MASTER, IMPLICIT_DENY),
        (GET, OTHER_MASTER, IMPLICIT_DENY),
        (DESCRIBE_INSTANCES, INSTANCE, ALLOW),
        (DESCRIBE_INSTANCES, INSTANCE.replace("app-prod", "billing"), IMPLICIT_DENY),
        (DESCRIBE_INSTANCES, CLUSTER, IMPLICIT_DENY),
        (DESCRIBE_CLUSTERS, CLUSTER, ALLOW),
        (DESCRIBE_CLUSTERS, CLUSTER.replace("app-aurora", "billing"), IMPLICIT_DENY),
        (DESCRIBE_CLUSTERS, INSTANCE, IMPLICIT_DENY),
        ("rds:ModifyDBInstance", INSTANCE, IMPLICIT_DENY),
        ("rds:DescribeDBSnapshots", INSTANCE, IMPLICIT_DENY),
    ],
)
def test_the_rotation_role_reads_the_master_and_describes_the_databases_only(
    action, resource, expected
):
    identity, boundary = role_policies([MASTER], [INSTANCE, CLUSTER])

    assert decide(action, resource, identity=identity, boundary=boundary) is expected


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        (GET, MASTER),
        (DESCRIBE, MASTER),
        (DESCRIBE_INSTANCES, INSTANCE),
        (DESCRIBE_CLUSTERS, CLUSTER),
    ],
)
def test_neither_the_policy_nor_the_boundary_alone_allows_it(action, resource):
    identity, boundary = role_policies([MASTER], [INSTANCE, CLUSTER])
    _, plain_boundary = role_policies([], [])
    # the masters policy as it is with a catalog master only
    no_identity = [master_read_policy([CATALOG_MASTER], external=[])]

    assert decide(action, resource, identity=identity, boundary=plain_boundary) is IMPLICIT_DENY
    assert decide(action, resource, identity=no_identity, boundary=boundary) is IMPLICIT_DENY


def test_the_boundary_names_nothing_outside_the_stack_without_the_new_keys():
    _, boundary = role_policies([], [])

    text = json.dumps(boundary)
    assert "rds:" not in text and "rds!" not in text


# KMS: RDS's secret is encrypted with aws/secretsmanager unless its owner chose a key.

AWS_MANAGED_KEY = "arn:aws:kms:eu-west-1:123456789012:key/2222"
AWS_SECRETSMANAGER_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow access through AWS Secrets Manager for all principals in the account "
            "that are authorized to use AWS Secrets Manager",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:CreateGrant",
                "kms:DescribeKey",
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": "123456789012",
                    "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                }
            },
        },
        {
            "Sid": "Allow direct access to key metadata to the account",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
            "Resource": "*",
        },
    ],
}
"""The key policy AWS gives aws/secretsmanager (AWS's documentation of the AWS managed key)."""
CUSTOMER_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
"""A customer managed key's default policy: it only lets identity policies grant."""


def decrypt(key_policy: dict) -> Decision:
    identity, boundary = role_policies([MASTER], [INSTANCE])
    request = Request(
        principal_arn=ROLE,
        action="kms:Decrypt",
        resource_arn=AWS_MANAGED_KEY,
        context={
            "aws:PrincipalArn": ROLE,
            "aws:PrincipalAccount": ACCOUNT.account_id,
            "kms:CallerAccount": ACCOUNT.account_id,
            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
        },
    )
    return evaluate(
        request,
        identity_policies=identity,
        resource_policy=key_policy,
        permissions_boundary=boundary,
    )


def key_statement(principal: object, **conditions: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                        **conditions,
                    }
                },
            }
        ],
    }


def test_aws_secretsmanager_lets_the_role_decrypt_rds_own_secret_and_a_default_key_does_not():
    assert decrypt(AWS_SECRETSMANAGER_KEY_POLICY) is ALLOW
    # docs/rotation.md: a customer key's own policy must let the rotation role decrypt
    assert decrypt(CUSTOMER_KEY_POLICY) is IMPLICIT_DENY


def test_a_customer_key_policy_must_grant_the_role_as_aws_secretsmanager_does():
    # Naming the role's ARN: limited by the role's boundary, which allows the stack key only
    assert decrypt(key_statement({"AWS": ROLE})) is IMPLICIT_DENY
    # Principal * narrowed to the role: not limited by it
    granted = key_statement(
        {"AWS": "*"}, **{"kms:CallerAccount": ACCOUNT.account_id, "aws:PrincipalArn": ROLE}
    )
    assert decrypt(granted) is ALLOW


# The stack's region: the function calls Secrets Manager and RDS in its own.


def test_rejects_a_master_or_a_database_in_another_region_than_the_stacks(tmp_path, catalog_data):
    catalog_data["secrets"]["db"] = {
        "description": "x",
        "external": True,
        "rotation": {
            "every_days": 7,
            "strategy": "postgres-alternating-users",
            "master": {"dev": MASTER.replace("eu-west-1", "us-east-1"), "prod": MASTER},
            "rds": {"dev": [INSTANCE.replace("eu-west-1", "us-east-1")], "prod": [INSTANCE]},
        },
    }
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog_data), encoding="utf-8")

    def load(stack: str, region: str):
        config = StackConfig(
            file=f"Pulumi.{stack}.yaml",
            values={"prefix": "acme", "openaiApiKey": "x", "smtpPassword": "y"},
            secret_keys=frozenset({"openaiApiKey", "smtpPassword"}),
            region=region,
        )
        return load_stack_inputs(config, stack=stack, mode=Mode.DEPLOY, project_dir=tmp_path)

    # GIVEN prod's ARNs in eu-west-1 and dev's in us-east-1
    inputs, _, _ = load("prod", "eu-west-1")
    assert inputs.settings.environment == "prod"
    load("dev", "us-east-1")

    # WHEN dev deploys to eu-west-1 THEN both of its ARNs are reported, with the catalog path
    with pytest.raises(InputError) as caught:
        load("dev", "eu-west-1")
    assert caught.value.problems == [
        "catalog.yaml: secrets.db.rotation.master.dev: is in region 'us-east-1', but stack "
        "'dev' deploys to 'eu-west-1': the rotation function calls Secrets Manager and RDS in "
        "its own region",
        "catalog.yaml: secrets.db.rotation.rds.dev.0: is in region 'us-east-1', but stack "
        "'dev' deploys to 'eu-west-1': the rotation function calls Secrets Manager and RDS in "
        "its own region",
    ]
