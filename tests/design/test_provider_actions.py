"""The provider-action table: real IAM actions, "*" only where IAM has no resource level."""

from __future__ import annotations

import json
from pathlib import Path

import parliament
import pytest

from design import provider_actions as types
from design.deployers import ALWAYS_CI, IAM_PATH_TYPES, NAMED_TYPES
from design.provider_actions import (
    ACTIONS_ON_STAR,
    INVOKED_WITH,
    TABLE,
    actions_of,
    prod_denied_deletions,
)

DEFINITIONS = json.loads(
    (Path(parliament.__file__).parent / "iam_definition.json").read_text(encoding="utf-8")
)
RESOURCE_TYPES = {
    f"{service['prefix']}:{privilege['privilege']}": {
        item["resource_type"] for item in privilege["resource_types"]
    }
    for service in DEFINITIONS
    for privilege in service["privileges"]
}
"""Every IAM action parliament knows, with the resource types it accepts ("" for none)."""
CI_TYPES = ALWAYS_CI | IAM_PATH_TYPES | NAMED_TYPES
ALL_ACTIONS = sorted(
    {
        action
        for entry in TABLE.values()
        for action in (*entry.create, *entry.read, *entry.update, *entry.delete)
    }
    | {action for actions in INVOKED_WITH.values() for action in actions}
)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_action_is_a_real_iam_action(action):
    assert action in RESOURCE_TYPES, f"{action} is not in parliament's iam_definition.json"


def test_star_is_used_exactly_for_the_actions_without_resource_level():
    without = {action for action in ALL_ACTIONS if RESOURCE_TYPES[action] <= {""}}

    assert without == ACTIONS_ON_STAR


def test_every_ci_type_has_an_entry_from_the_provider_source():
    assert set(TABLE) >= CI_TYPES
    for resource_type, entry in TABLE.items():
        assert entry.source.startswith(("internal/service/", "terraform-provider-random")), (
            resource_type
        )
        assert set(entry.update_deletes) <= set(entry.delete), resource_type


def test_prod_keeps_only_the_deletions_an_update_performs():
    assert "ecs:DeregisterTaskDefinition" in actions_of(types.TASK_DEFINITION, production=True)
    assert "iam:DeletePolicyVersion" in actions_of(types.MANAGED_POLICY, production=True)
    assert "secretsmanager:DeleteSecret" not in actions_of(types.SECRET, production=True)
    assert "secretsmanager:DeleteSecret" in actions_of(types.SECRET, production=False)
    assert actions_of("aws:unknown/type:Type", production=False) == ()


def test_prod_denies_every_deletion_but_the_update_deletions():
    denied = prod_denied_deletions(CI_TYPES & set(TABLE))

    assert denied == (
        "events:DeleteRule",
        "events:RemoveTargets",
        "iam:DeletePolicy",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "lambda:DeleteFunction",
        "lambda:RemovePermission",
        "logs:DeleteLogGroup",
        "secretsmanager:CancelRotateSecret",
        "secretsmanager:DeleteResourcePolicy",
        "secretsmanager:DeleteSecret",
        "states:DeleteStateMachine",
    )
