"""Replicas' pure decisions: bad input, replica ARNs, key policies, boundary and grants."""

from __future__ import annotations

import json

import pytest
import yaml

from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.boundary import workload_boundary
from design.naming import StackNames
from design.replicas import (
    in_region,
    replica_arns,
    replica_key_alias,
    replica_key_policy,
    replica_kms_statements,
    replicated_names,
)
from design.stack_inputs import Mode, load_stack_inputs
from inputs.catalog import Catalog
from inputs.exceptions import InputError
from inputs.stackfile import StackConfig

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="dev")
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/admin-token-AbC123"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
STACK_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
VALUES = {"openaiApiKey": "x", "smtpPassword": "x"}


@pytest.fixture
def catalog_file(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    return path


def load(catalog_file, replica_regions) -> list[str] | tuple[str, ...]:
    """The stack's replica regions, or the problems it is rejected with."""
    config = StackConfig(
        file="Pulumi.dev.yaml",
        values={"prefix": "acme", "replicaRegions": replica_regions, **VALUES},
        secret_keys=frozenset(VALUES),
        region="eu-west-1",
    )
    try:
        inputs, _, _ = load_stack_inputs(
            config, stack="dev", mode=Mode.DEPLOY, project_dir=catalog_file.parent
        )
    except InputError as exc:
        return tuple(exc.problems)
    return inputs.settings.replica_regions


def test_replica_regions_default_to_none_and_take_a_json_list(catalog_file):
    assert load(catalog_file, []) == []
    assert load(catalog_file, '["us-west-2", "ap-south-1"]') == ["us-west-2", "ap-south-1"]


def test_rejects_the_stacks_own_region(catalog_file):
    assert load(catalog_file, ["us-west-2", "eu-west-1"]) == (
        "Pulumi.dev.yaml: app-secrets:replicaRegions: must not list the stack's own region "
        "'eu-west-1': the primary secrets live there",
    )


def test_rejects_an_unknown_region_name(catalog_file):
    (problem,) = load(catalog_file, ["us-west-2", "mars-north-1x"])

    assert problem.startswith("Pulumi.dev.yaml: app-secrets:replicaRegions: ")
    assert "item 2 'mars-north-1x'" in problem


def test_rejects_a_region_listed_twice(catalog_file):
    (problem,) = load(catalog_file, ["us-west-2", "ap-south-1", "us-west-2"])

    assert problem.startswith("Pulumi.dev.yaml: app-secrets:replicaRegions: ")
    assert "repeated: us-west-2" in problem


def test_every_secret_replicates_but_those_that_opt_out(catalog_data):
    catalog_data["secrets"]["openai-api-key"]["replicate"] = False
    secrets = Catalog.model_validate(catalog_data).secrets_in("dev")

    assert replicated_names(secrets, ["us-west-2"]) == [
        "admin-token",
        "app-config",
        "stripe-webhook-secret",
    ]
    assert replicated_names(secrets, []) == []


def test_a_replica_is_the_primarys_arn_in_its_region():
    assert replica_arns(SECRET_ARN, ["us-west-2"]) == {
        "us-west-2": (
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:acme/dev/admin-token-AbC123"
        )
    }
    assert in_region(KEY_ARN, "ap-south-1") == KEY_ARN.replace("eu-west-1", "ap-south-1")
    assert replica_key_alias(NAMES) == "alias/acme-dev-replicas"


def test_a_replica_keys_policy_allows_use_only_through_secrets_manager_of_its_region():
    policy = replica_key_policy(ACCOUNT, "us-west-2")
    use = policy["Statement"][1]

    assert use["Condition"]["StringEquals"] == {
        "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com",
        "kms:CallerAccount": "123456789012",
    }
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_replica_kms_statements_pair_each_regions_key_with_its_secrets_manager():
    statements = replica_kms_statements(KEY_ARN, ["us-west-2", "ap-south-1"])

    assert [
        (s["Resource"], s["Condition"]["StringEquals"]["kms:ViaService"]) for s in statements
    ] == [
        (in_region(KEY_ARN, "us-west-2"), "secretsmanager.us-west-2.amazonaws.com"),
        (in_region(KEY_ARN, "ap-south-1"), "secretsmanager.ap-south-1.amazonaws.com"),
    ]
    assert len({s["Sid"] for s in statements}) == 2


def _boundary_decides(action: str, resource: str, *, region: str, regions) -> Decision:
    boundary = workload_boundary(
        ACCOUNT,
        names=NAMES,
        key_arn=STACK_KEY_ARN,
        replica_regions=regions,
        replica_key_arn=KEY_ARN if regions else None,
    )
    everything = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    request = Request(
        principal_arn="arn:aws:iam::123456789012:role/app-secrets/acme-dev/x",
        action=action,
        resource_arn=resource,
        context={"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"},
    )
    return evaluate(
        request,
        identity_policies=[json.dumps(everything)],
        permissions_boundary=json.dumps(boundary),
    )


def test_the_boundary_widens_exactly_to_the_replica_regions_and_only_to_read():
    replica = in_region(SECRET_ARN, "us-west-2")
    read = "secretsmanager:GetSecretValue"

    assert (
        _boundary_decides(read, replica, region="us-west-2", regions=["us-west-2"])
        is Decision.ALLOW
    )
    assert (
        _boundary_decides(read, replica, region="us-west-2", regions=[]) is Decision.IMPLICIT_DENY
    )
    elsewhere = in_region(SECRET_ARN, "ap-south-1")
    assert _boundary_decides(read, elsewhere, region="ap-south-1", regions=["us-west-2"]) is (
        Decision.IMPLICIT_DENY
    )
    assert (
        _boundary_decides(
            "secretsmanager:PutSecretValue", replica, region="us-west-2", regions=["us-west-2"]
        )
        is Decision.IMPLICIT_DENY
    )
    other_path = replica.replace("acme/dev/", "acme/prod/")
    assert _boundary_decides(read, other_path, region="us-west-2", regions=["us-west-2"]) is (
        Decision.IMPLICIT_DENY
    )
    key = in_region(KEY_ARN, "us-west-2")
    assert _boundary_decides("kms:Decrypt", key, region="us-west-2", regions=["us-west-2"]) is (
        Decision.ALLOW
    )
    assert _boundary_decides("kms:Decrypt", key, region="eu-west-1", regions=["us-west-2"]) is (
        Decision.IMPLICIT_DENY
    )


def test_rejects_a_service_whose_grants_fit_iam_only_without_their_replicas(tmp_path):
    # GIVEN 400 secrets one role reads: they fit, but not four times over
    secrets = {f"s{index:04d}": {"description": "x", "external": True} for index in range(400)}
    catalog = {
        "environments": ["dev"],
        "secrets": secrets,
        "services": {"wide": {"env": {f"V{name}": name for name in secrets}}},
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")

    def problems(replica_regions: list[str]) -> list[str]:
        config = StackConfig(
            file="Pulumi.dev.yaml",
            values={"prefix": "acme", "replicaRegions": replica_regions},
            secret_keys=frozenset(),
            region="eu-west-1",
        )
        try:
            load_stack_inputs(config, stack="dev", mode=Mode.DEPLOY, project_dir=tmp_path)
        except InputError as exc:
            return exc.problems
        return []

    assert problems([]) == []
    (problem,) = problems(["us-west-2", "us-east-2", "ap-south-1"])
    assert problem.startswith("catalog.yaml: services.wide.env: too many secrets for one IAM role")
