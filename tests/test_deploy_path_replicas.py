"""ci-deploy on a stack with replicas: it may replicate to exactly the listed regions, no more."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aws_model.iam_eval import Decision
from design import provider_actions as types
from design.deployers import ADMINISTRATOR, CI
from secretsctl.plan import build_plan
from tests.test_deploy_path import Stack, decided, provider_calls

PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION, REPLICA_REGIONS = "eu-west-1", ["us-west-2", "ap-southeast-2"]
REPLICATE = "secretsmanager:ReplicateSecretToRegions"
REMOVE = "secretsmanager:RemoveRegionsFromReplication"


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request, tmp_path_factory) -> Stack:
    """The committed catalog, deployed with replicas; `prod` is production."""
    directory = tmp_path_factory.mktemp(request.param)
    (directory / "catalog.yaml").write_bytes((PROJECT_DIR / "catalog.yaml").read_bytes())
    config = {
        "aws:region": REGION,
        "app-secrets:prefix": "acme",
        "app-secrets:githubRepository": "acme/app",
        "app-secrets:replicaRegions": REPLICA_REGIONS,
    }
    stack_path = directory / f"Pulumi.{request.param}.yaml"
    stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return Stack(
        build_plan(
            stack=request.param,
            catalog_path=directory / "catalog.yaml",
            stack_path=stack_path,
            placeholders=True,
        )
    )


def secrets_of(stack: Stack) -> list[dict]:
    return [s for s in stack.by_type[types.SECRET] if s["deployer"] == CI]


def replication_context(regions: list[str], *, overwrite: str = "false") -> dict:
    return {
        "secretsmanager:AddReplicaRegions": regions,
        "secretsmanager:ForceOverwriteReplicaSecret": overwrite,
    }


def test_every_ci_resource_stays_deployable(stack):
    refused = [
        c[:3] for c, d in decided(stack, list(provider_calls(stack))) if d is not (Decision.ALLOW)
    ]

    assert refused == []


def test_the_replica_keys_are_the_administrators(stack):
    keys = stack.by_type["aws:kms/replicaKey:ReplicaKey"]

    assert {k["inputs"]["region"] for k in keys} == set(REPLICA_REGIONS)
    assert {k["deployer"] for k in keys} == {ADMINISTRATOR}


def test_ci_deploy_makes_the_replicas_the_provider_makes(stack):
    for secret in secrets_of(stack):
        arn = secret["outputs"]["arn"]
        key = {"secretsmanager:KmsKeyArn": secret["inputs"]["kmsKeyId"]}
        context = {**key, **replication_context(REPLICA_REGIONS)}
        assert stack.decide("secretsmanager:CreateSecret", arn, **context) is Decision.ALLOW
        assert stack.decide(REPLICATE, arn, **context) is Decision.ALLOW
        # removing a replica deletes it: not in prod, where the administrator does it
        removal = stack.decide(REMOVE, arn)
        assert removal is (Decision.EXPLICIT_DENY if stack.production else Decision.ALLOW)
    outputs = stack.plan["outputs"]
    tags = {"aws:ResourceTag/Project": "acme", "aws:ResourceTag/Environment": stack.plan["stack"]}
    for region, key_arn in outputs["replicaKeyArns"].items():
        via = {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com", **tags}
        for action in ("kms:Encrypt", "kms:GenerateDataKey"):
            assert stack.decide(action, key_arn, **via) is Decision.ALLOW
            # never directly, never through another region's Secrets Manager
            assert stack.decide(action, key_arn, **tags) is not Decision.ALLOW
            other = {**via, "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
            assert stack.decide(action, key_arn, **other) is not Decision.ALLOW


def test_ci_deploy_replicates_nowhere_else_and_overwrites_nothing(stack):
    (secret, *_) = secrets_of(stack)
    arn = secret["outputs"]["arn"]
    key = {"secretsmanager:KmsKeyArn": secret["inputs"]["kmsKeyId"]}

    for action in ("secretsmanager:CreateSecret", REPLICATE):
        elsewhere = {**key, **replication_context([*REPLICA_REGIONS, "eu-central-1"])}
        assert stack.decide(action, arn, **elsewhere) is Decision.EXPLICIT_DENY
        overwrite = {**key, **replication_context(REPLICA_REGIONS, overwrite="true")}
        assert stack.decide(action, arn, **overwrite) is Decision.EXPLICIT_DENY
    # nor another stack's secret
    other = arn.replace(f"acme/{stack.plan['stack']}/", "other/dev/")
    assert stack.decide(REPLICATE, other, **replication_context(REPLICA_REGIONS)) is not (
        Decision.ALLOW
    )
    # nor with a key of another region's, or one not the stack's
    foreign_key = stack.plan["outputs"]["replicaKeyArns"]["us-west-2"].replace(
        "us-west-2", "eu-central-1"
    )
    via = {
        "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com",
        "aws:ResourceTag/Project": "acme",
        "aws:ResourceTag/Environment": stack.plan["stack"],
    }
    assert stack.decide("kms:Encrypt", foreign_key, **via) is not Decision.ALLOW
