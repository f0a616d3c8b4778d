"""RDS's master secrets and Describe calls, declared: the masters policy, the boundary, a plan."""

from __future__ import annotations

import copy
import json

import pulumi
import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from components.account import AwsAccount
from components.boundary import WorkloadBoundary, WorkloadBoundaryArgs
from design.naming import StackNames
from design.rotation import rotated_secrets
from inputs.catalog import SecretSpec
from secretsctl.plan import build_plan
from tests.components.test_secret_rotation import ARN, ATTACHMENT, POLICY, declare
from tests.conftest import ACCOUNT_ID, REGION, records_of

MASTER = (
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:"
    "rds!db-0b7c9e3a-5d1f-4c8e-9a2b-7f6e5d4c3b2a-AbCdEf"
)
INSTANCE = f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:db:app-dev"
CLUSTER = f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:cluster:app-aurora"
ROTATION_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/app-secrets/acme-dev/acme-dev-rotation"


def alternating(master: object, rds: dict | None = None) -> SecretSpec:
    rotation = {"every_days": 7, "strategy": "postgres-alternating-users", "master": master}
    return SecretSpec.model_validate(
        {
            "description": "x",
            "external": True,
            "rotation": {**rotation, **({"rds": rds} if rds else {})},
        }
    )


def declare_in(environment: str, secrets: dict[str, SecretSpec], **overrides):
    rotated = rotated_secrets(secrets, environment=environment)
    names = {*secrets, *(secret.master for secret in rotated.values() if secret.master)}
    return declare(
        {}, rotated=rotated, secret_arns={name: ARN.format(name) for name in names}, **overrides
    )


def decide(action: str, resource: str, *, identity: list, boundary: dict) -> Decision:
    request = Request(
        principal_arn=ROTATION_ROLE,
        action=action,
        resource_arn=resource,
        context={"aws:PrincipalArn": ROTATION_ROLE, "aws:PrincipalAccount": ACCOUNT_ID},
    )
    return evaluate(request, identity_policies=identity, permissions_boundary=boundary)


@pulumi.runtime.test
def test_rds_own_master_and_its_database_get_a_masters_policy_of_their_own(monitor):
    # GIVEN a secret whose dev master is RDS's own secret, with the instance to describe
    rotation = declare_in("dev", {"db": alternating({"dev": MASTER}, {"dev": [INSTANCE]})})

    def check(_):
        masters = records_of(monitor, POLICY)["rotation-masters"]
        assert json.loads(masters.inputs["policy"])["Statement"] == [
            {
                "Sid": "ReadExternalMasterSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": [MASTER],
            },
            {
                "Sid": "DescribeRotationInstances",
                "Effect": "Allow",
                "Action": "rds:DescribeDBInstances",
                "Resource": [INSTANCE],
            },
        ]
        attachment = records_of(monitor, ATTACHMENT)["rotation-masters"]
        assert attachment.inputs["policyArn"] == masters.outputs["arn"]

    return rotation.masters_attachment.id.apply(check)


@pulumi.runtime.test
def test_catalog_masters_and_rds_own_share_the_masters_policy(monitor):
    rotation = declare_in(
        "dev",
        {
            "db": alternating({"dev": MASTER}, {"dev": [INSTANCE, CLUSTER]}),
            "reports": alternating("db-master"),
        },
    )

    def check(_):
        masters = records_of(monitor, POLICY)["rotation-masters"]
        statements = json.loads(masters.inputs["policy"])["Statement"]
        assert [(s["Sid"], s["Resource"]) for s in statements] == [
            ("ReadMasterSecrets", [ARN.format("db-master")]),
            ("ReadExternalMasterSecrets", [MASTER]),
            ("DescribeRotationInstances", [INSTANCE]),
            ("DescribeRotationClusters", [CLUSTER]),
        ]

    return rotation.masters_attachment.id.apply(check)


def boundary_in(**fields) -> WorkloadBoundary:
    account = AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT_ID),
        region=pulumi.Output.from_input(REGION),
        partition=pulumi.Output.from_input("aws"),
    )
    return WorkloadBoundary(
        "workload-boundary",
        WorkloadBoundaryArgs(
            names=StackNames(prefix="acme", environment="dev"),
            account=account,
            key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/1111",
            **fields,
        ),
    )


@pulumi.runtime.test
def test_the_declared_role_and_boundary_allow_exactly_the_master_and_the_database(monitor):
    # GIVEN the rotation and the boundary, both told of RDS's master and the instance
    rotation = declare_in("dev", {"db": alternating({"dev": MASTER}, {"dev": [INSTANCE]})})
    boundary = boundary_in(rotation_external_master_arns=[MASTER], rotation_rds_arns=[INSTANCE])

    def check(_):
        policies = records_of(monitor, POLICY)
        identity = [json.loads(policies["rotation-masters"].inputs["policy"])]
        limit = json.loads(policies["workload-boundary-policy"].inputs["policy"])

        def allowed(action: str, resource: str) -> bool:
            return decide(action, resource, identity=identity, boundary=limit) is Decision.ALLOW

        assert allowed("secretsmanager:GetSecretValue", MASTER)
        assert not allowed("secretsmanager:PutSecretValue", MASTER)
        assert not allowed("secretsmanager:GetSecretValue", MASTER.replace("0b7c", "9999"))
        assert allowed("rds:DescribeDBInstances", INSTANCE)
        assert not allowed("rds:DescribeDBInstances", INSTANCE.replace("app-dev", "billing"))
        assert not allowed("rds:DescribeDBClusters", CLUSTER)

    return pulumi.Output.all(rotation.masters_attachment.id, boundary.arn).apply(check)


# The whole stack, planned: new resources only with the new keys, and the grants wired.

CATALOG_MASTER_DEV = {"dev": "stripe-webhook-secret", "prod": "stripe-webhook-secret"}


def plan_with(write_project, catalog_data: dict, master: dict, rds: dict | None) -> dict:
    catalog = copy.deepcopy(catalog_data)
    rotation = {"every_days": 7, "strategy": "postgres-alternating-users", "master": master}
    catalog["secrets"]["db"] = {
        "description": "The app's PostgreSQL login",
        "external": True,
        "rotation": {**rotation, **({"rds": rds} if rds else {})},
    }
    config = {"aws:region": REGION, "app-secrets:prefix": "acme"}
    catalog_path, stack_path = write_project(catalog, config)
    return build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


def documents(plan: dict, type_: str) -> dict[str, dict]:
    return {
        r["urn"].rsplit("::", 1)[1]: json.loads(r["inputs"]["policy"])
        for r in plan["resources"]
        if r["type"] == type_
    }


@pytest.fixture
def rds_plan(write_project, catalog_data) -> dict:
    return plan_with(
        write_project,
        catalog_data,
        {"dev": MASTER, "prod": "stripe-webhook-secret"},
        {"dev": [INSTANCE]},
    )


def test_the_planned_rotation_role_reads_rds_master_and_describes_its_instance(rds_plan):
    policies = documents(rds_plan, POLICY)
    inline = documents(rds_plan, "aws:iam/rolePolicy:RolePolicy")
    identity = [policies["rotation-masters"], inline["rotation-lambda-grants"]]
    boundary = policies["workload-boundary-policy"]

    def allowed(action: str, resource: str) -> bool:
        return decide(action, resource, identity=identity, boundary=boundary) is Decision.ALLOW

    assert allowed("secretsmanager:GetSecretValue", MASTER)
    assert allowed("secretsmanager:DescribeSecret", MASTER)
    assert allowed("rds:DescribeDBInstances", INSTANCE)
    assert not allowed("rds:DescribeDBInstances", INSTANCE.replace("app-dev", "billing"))
    assert not allowed("secretsmanager:PutSecretValue", MASTER)


def test_rds_own_master_adds_no_resource_a_catalog_master_does_not(
    write_project, catalog_data, rds_plan
):
    # GIVEN the same rotation with a catalog master in dev
    with_catalog_master = plan_with(write_project, catalog_data, CATALOG_MASTER_DEV, None)

    # THEN the same resources, only the policies' statements differ
    def urns(plan: dict) -> set[str]:
        return {resource["urn"] for resource in plan["resources"]}

    assert urns(rds_plan) == urns(with_catalog_master)
    assert "rds:" not in json.dumps(documents(with_catalog_master, POLICY))
