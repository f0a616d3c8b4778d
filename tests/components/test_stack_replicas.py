"""Replicas planned offline: the replica blocks, a key per region, the output, and who may read."""

from __future__ import annotations

import json

import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from secretsctl.plan import build_plan
from tests.conftest import ACCOUNT_ID, REGION

REPLICA_REGIONS = ["us-west-2", "ap-southeast-2"]
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
REPLICA_KEY_TYPE = "aws:kms/replicaKey:ReplicaKey"
KMS_KEY_TYPE = "aws:kms/key:Key"


def plan_of(write_project, catalog: dict, **settings) -> dict:
    config = {
        "aws:region": REGION,
        "app-secrets:prefix": "acme",
        "app-secrets:accountId": ACCOUNT_ID,
        **{f"app-secrets:{key}": value for key, value in settings.items()},
    }
    catalog_path, stack_path = write_project(catalog, config)
    return build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


@pytest.fixture
def replicated(write_project, catalog_data) -> dict:
    """openai-api-key and app-config stay home; the others replicate to REPLICA_REGIONS."""
    catalog_data["secrets"]["openai-api-key"]["replicate"] = False
    catalog_data["secrets"]["app-config"]["replicate"] = False
    return plan_of(write_project, catalog_data, replicaRegions=REPLICA_REGIONS)


def test_without_replica_regions_nothing_changes(write_project, catalog_data):
    plan = plan_of(write_project, catalog_data)

    assert of_type(plan, REPLICA_KEY_TYPE) == []
    assert all("replicas" not in s["inputs"] for s in of_type(plan, SECRET_TYPE))
    assert "secretReplicaArns" not in plan["outputs"]
    assert [line["quantity"] for line in plan["cost"]["lines"] if line["item"] == "replicas"] == [0]


def test_each_replicated_secret_has_a_replica_per_region_under_its_regions_key(replicated):
    keys = {r["inputs"]["region"]: r for r in of_type(replicated, REPLICA_KEY_TYPE)}
    secrets = {s["inputs"]["name"]: s for s in of_type(replicated, SECRET_TYPE)}

    # THEN a replica key per region, an ARN of its region, all the one multi-region key's
    assert set(keys) == set(REPLICA_REGIONS)
    (primary,) = [k for k in of_type(replicated, KMS_KEY_TYPE) if k["inputs"].get("multiRegion")]
    assert primary["outputs"]["keyId"].startswith("mrk-")
    for region, key in keys.items():
        assert key["outputs"]["arn"] == (
            f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{primary['outputs']['keyId']}"
        )
        assert key["inputs"]["primaryKeyArn"] == primary["outputs"]["arn"]
        policy = json.loads(key["inputs"]["policy"])
        assert policy["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"] == (
            f"secretsmanager.{region}.amazonaws.com"
        )
    # AND the stack key is not multi-region: deployed stacks keep theirs
    assert replicated["outputs"]["kmsKeyArn"] != primary["outputs"]["arn"]
    # AND the replica blocks name each region's key, never overwriting a stranger's secret
    token = secrets["acme/dev/admin-token"]["inputs"]
    assert token["replicas"] == [
        {"region": region, "kmsKeyId": keys[region]["outputs"]["arn"]} for region in REPLICA_REGIONS
    ]
    assert token["forceOverwriteReplicaSecret"] is False
    assert "replicas" not in secrets["acme/dev/openai-api-key"]["inputs"]


def test_the_output_names_each_replica_in_its_region(replicated):
    arns = replicated["outputs"]["secretArns"]
    replicas = replicated["outputs"]["secretReplicaArns"]

    assert set(replicas) == {"admin-token", "stripe-webhook-secret"}
    assert replicas["admin-token"] == {
        region: arns["admin-token"].replace(f":{REGION}:", f":{region}:")
        for region in REPLICA_REGIONS
    }


def test_the_cost_counts_every_replica(replicated):
    (line,) = [line for line in replicated["cost"]["lines"] if line["item"] == "replicas"]

    assert line["quantity"] == 2 * len(REPLICA_REGIONS)
    assert line["monthlyUsd"] == pytest.approx(0.40 * 2 * len(REPLICA_REGIONS))


def _role(plan: dict, name: str) -> tuple[str, list[str], str]:
    role = next(r for r in of_type(plan, "aws:iam/role:Role") if r["outputs"]["name"] == name)
    policies = [
        r["inputs"]["policy"]
        for r in of_type(plan, "aws:iam/rolePolicy:RolePolicy")
        if r["inputs"]["role"] == name
    ]
    boundary = next(
        r["inputs"]["policy"]
        for r in of_type(plan, "aws:iam/policy:Policy")
        if r["outputs"]["arn"] == role["inputs"]["permissionsBoundary"]
    )
    return role["outputs"]["arn"], policies, boundary


def _decide(
    plan: dict, role: str, action: str, resource: str, *, region: str, boundary_only=False
) -> Decision:
    role_arn, policies, boundary = _role(plan, role)
    context = {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
    request = Request(principal_arn=role_arn, action=action, resource_arn=resource, context=context)
    if boundary_only:  # the boundary alone, as if the identity policy allowed everything
        everything = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        )
        return evaluate(request, identity_policies=[everything], permissions_boundary=boundary)
    return evaluate(request, identity_policies=policies, permissions_boundary=boundary)


@pytest.mark.parametrize("region", REPLICA_REGIONS)
def test_a_reader_may_read_its_secrets_replica_and_decrypt_there(replicated, region):
    replicas = replicated["outputs"]["secretReplicaArns"]
    key_arns = replicated["outputs"]["replicaKeyArns"]

    # the execution role reads admin-token (env); the task role openai-api-key (runtime_read)
    assert (
        _decide(
            replicated,
            "acme-dev-api-exec",
            "secretsmanager:GetSecretValue",
            replicas["admin-token"][region],
            region=region,
        )
        is Decision.ALLOW
    )
    assert (
        _decide(replicated, "acme-dev-api-exec", "kms:Decrypt", key_arns[region], region=region)
        is Decision.ALLOW
    )
    # but not by calling KMS itself
    role_arn, policies, boundary = _role(replicated, "acme-dev-api-exec")
    direct = Request(
        principal_arn=role_arn, action="kms:Decrypt", resource_arn=key_arns[region], context={}
    )
    assert evaluate(direct, identity_policies=policies, permissions_boundary=boundary) is not (
        Decision.ALLOW
    )


@pytest.mark.parametrize("region", REPLICA_REGIONS)
def test_no_reader_gains_another_secrets_replica_nor_a_home_only_secrets(replicated, region):
    arns = replicated["outputs"]["secretArns"]
    replicas = replicated["outputs"]["secretReplicaArns"]

    # the execution role never reads stripe-webhook-secret, primary or replica
    assert (
        _decide(
            replicated,
            "acme-dev-api-exec",
            "secretsmanager:GetSecretValue",
            replicas["stripe-webhook-secret"][region],
            region=region,
        )
        is Decision.IMPLICIT_DENY
    )
    # openai-api-key and app-config have no replica: their names there are nobody's to read,
    # not even for the execution role that reads app-config beside the replicated admin-token
    homes = (("acme-dev-api-task", "openai-api-key"), ("acme-dev-api-exec", "app-config"))
    for role, secret in homes:
        home_only = arns[secret].replace(f":{REGION}:", f":{region}:")
        read = "secretsmanager:GetSecretValue"
        denied = _decide(replicated, role, read, home_only, region=region)
        assert denied is Decision.IMPLICIT_DENY
        assert _decide(replicated, role, read, arns[secret], region=REGION) is Decision.ALLOW
    # nor can anyone write a replica, whatever its identity policy says
    assert (
        _decide(
            replicated,
            "acme-dev-api-exec",
            "secretsmanager:PutSecretValue",
            replicas["admin-token"][region],
            region=region,
            boundary_only=True,
        )
        is Decision.IMPLICIT_DENY
    )


def test_a_region_not_listed_is_denied_by_identity_and_boundary(replicated):
    arns = replicated["outputs"]["secretArns"]
    elsewhere = arns["admin-token"].replace(f":{REGION}:", ":eu-central-1:")

    for boundary_only in (False, True):
        assert (
            _decide(
                replicated,
                "acme-dev-api-exec",
                "secretsmanager:GetSecretValue",
                elsewhere,
                region="eu-central-1",
                boundary_only=boundary_only,
            )
            is Decision.IMPLICIT_DENY
        )
    # while the boundary alone allows the listed regions
    replica = replicated["outputs"]["secretReplicaArns"]["admin-token"]["us-west-2"]
    assert (
        _decide(
            replicated,
            "acme-dev-api-exec",
            "secretsmanager:GetSecretValue",
            replica,
            region="us-west-2",
            boundary_only=True,
        )
        is Decision.ALLOW
    )
