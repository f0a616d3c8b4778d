"""Principals of other accounts in the access report: evaluated from the resource and key policies."""

from __future__ import annotations

import copy
import json

import pytest

from secretsctl.access import access_report, render_matrix
from secretsctl.plan import build_plan
from tests.secretsctl import test_access

READER = "arn:aws:iam::444455556666:role/billing-reader"
SHARED_CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "billing-api-key": {
            "description": "x",
            "generate": {"length": 32},
            "share_with": {"prod": [READER]},
        },
        "other": {"description": "x", "generate": {"length": 32}},
    },
    "services": {"web": {"runtime_read": ["billing-api-key", "other"]}},
}


def plan_for(write_project, stack: str) -> dict:
    config = {"aws:region": "eu-west-1", "app-secrets:prefix": "acme"}
    catalog_path, stack_path = write_project(SHARED_CATALOG, config, stack=stack)
    return build_plan(
        stack=stack, catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


def external(plan: dict) -> list[dict]:
    return [entry for entry in plan["access"] if entry.get("external")]


def test_lists_the_shared_principal_with_exactly_its_actions(write_project):
    plan = plan_for(write_project, "prod")

    assert external(plan) == [
        {
            "role": READER,
            "secret": "billing-api-key",
            "actions": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "external": True,
        }
    ]
    assert READER in "\n".join(render_matrix(plan["access"]))


def test_the_stacks_own_roles_keep_their_access(write_project):
    plan = plan_for(write_project, "prod")
    task_role = plan["outputs"]["taskRoleArns"]["web"]

    own = {
        entry["secret"]: entry["actions"] for entry in plan["access"] if entry["role"] == task_role
    }

    read = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert own == {"billing-api-key": read, "other": read}


def test_no_value_without_the_key_policys_grant(write_project):
    # GIVEN the key policy without the shared grant
    plan = plan_for(write_project, "prod")
    unshared = copy.deepcopy(plan)
    for resource in unshared["resources"]:
        if resource["type"] == "aws:kms/key:Key" and "secrets" in resource["urn"]:
            policy = json.loads(resource["inputs"]["policy"])
            policy["Statement"] = [s for s in policy["Statement"] if "Shared" not in s["Sid"]]
            resource["inputs"]["policy"] = json.dumps(policy)

    # WHEN the report is evaluated THEN the value cannot be read, only described
    entries = [entry for entry in access_report(unshared) if entry.get("external")]
    assert [entry["actions"] for entry in entries] == [["secretsmanager:DescribeSecret"]]


def test_other_environments_carry_no_trace_of_the_principal(write_project):
    plan = plan_for(write_project, "dev")

    assert external(plan) == []
    assert "444455556666" not in json.dumps(plan["resources"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stacks_roles_get_exactly_the_intended_access(write_project, stack):
    plan = test_access.plan_for(write_project, SHARED_CATALOG, stack)

    own = [entry for entry in plan["access"] if not entry.get("external")]

    assert own == test_access.intended(plan, SHARED_CATALOG)
