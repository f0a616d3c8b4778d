"""`secretsctl verify` on replicas, against moto's server: each listed one there, in sync, keyed."""

from __future__ import annotations

import copy

import pytest
from moto.secretsmanager.models import secretsmanager_backends

from secretsctl.verify_checks import FAILURE, OK, Finding
from tests.rotation.rotation_service import REGION
from tests.secretsctl.deployed_stack import ACCOUNT_ID, CATALOG, DeployedStack, fresh_stack

REGIONS = ["us-west-2", "eu-west-1"]
SENTINELS = {"api-token": "SENTINEL-api-token-1b2c", "openai-api-key": "SENTINEL-openai-9d8e"}


@pytest.fixture
def catalog() -> dict:
    """partner-key stays in the stack's region."""
    data = copy.deepcopy(CATALOG)
    data["secrets"]["partner-key"]["replicate"] = False
    return data


@pytest.fixture
def replicated(aws_environment, moto_endpoint, tmp_path, catalog) -> DeployedStack:
    stack = fresh_stack(moto_endpoint, tmp_path)
    stack.write(catalog, config={"app-secrets:replicaRegions": REGIONS})
    stack.deploy(SENTINELS)
    stack.key_arns = stack.deploy_replicas(REGIONS)
    return stack


def moto_replica(stack: DeployedStack, name: str, region: str) -> dict:
    """What moto's server reports of one replica (its ReplicationStatus entry), to edit."""
    backend = secretsmanager_backends[ACCOUNT_ID][REGION]
    secret = next(s for s in backend.secrets.values() if s.name == stack.full_name(name))
    return next(replica.config for replica in secret.replicas if replica.region == region)


def replica_checks(findings: list[Finding]) -> dict[tuple[str, str], Finding]:
    return {
        (f.secret, f.check): f
        for f in findings
        if f.check.startswith("replica") or f.check == "replicas"
    }


def test_every_listed_replica_is_there_in_sync_under_the_replica_key(replicated):
    checks = replica_checks(replicated.verify())

    assert {key: f.status for key, f in checks.items()} == {
        ("-", "replica-key"): OK,
        **{
            (name, f"replica:{region}"): OK
            for name in ("api-token", "openai-api-key")
            for region in REGIONS
        },
    }


def test_fails_a_missing_replica_and_one_under_another_key(replicated):
    # GIVEN eu-west-1's replica of api-token removed, and openai-api-key's re-keyed in moto
    replicated.secrets.remove_regions_from_replication(
        SecretId=replicated.full_name("api-token"), RemoveReplicaRegions=["eu-west-1"]
    )
    moto_replica(replicated, "openai-api-key", "us-west-2")["KmsKeyId"] = "alias/aws/secretsmanager"

    checks = replica_checks(replicated.verify())

    assert checks[("api-token", "replica:eu-west-1")].status == FAILURE
    assert "not replicated to eu-west-1" in checks[("api-token", "replica:eu-west-1")].detail
    assert checks[("api-token", "replica:us-west-2")].status == OK
    wrong_key = checks[("openai-api-key", "replica:us-west-2")]
    assert wrong_key.status == FAILURE
    assert "alias/aws/secretsmanager" in wrong_key.detail


def test_fails_a_replica_out_of_sync(replicated):
    moto_replica(replicated, "api-token", REGIONS[0]).update(
        Status="Failed", StatusMessage="Access denied to key"
    )

    finding = replica_checks(replicated.verify())[("api-token", f"replica:{REGIONS[0]}")]

    assert finding.status == FAILURE
    assert finding.detail.startswith("Failed: Access denied to key")


def test_reports_a_replica_the_config_no_longer_lists(replicated, catalog):
    # GIVEN partner-key replicated out of band, and eu-west-1 dropped from the stack config
    replicated.replicate("partner-key", {"us-west-2": replicated.key_arns["us-west-2"]})
    replicated.write(catalog, config={"app-secrets:replicaRegions": ["us-west-2"]})

    checks = replica_checks(replicated.verify())

    assert checks[("partner-key", "replica:us-west-2")].status == FAILURE
    assert "does not list" in checks[("partner-key", "replica:us-west-2")].detail
    assert checks[("api-token", "replica:eu-west-1")].status == FAILURE
    assert checks[("api-token", "replica:us-west-2")].status == OK


def test_fails_when_the_replica_key_is_gone(replicated, catalog):
    replicated.write(catalog, config={"app-secrets:replicaRegions": [*REGIONS, "ap-south-1"]})

    checks = replica_checks(replicated.verify())

    assert checks[("-", "replica-key")].status == FAILURE
    assert "no replica in ap-south-1" in checks[("-", "replica-key")].detail
    assert checks[("api-token", "replica:ap-south-1")].status == FAILURE
