"""Who deploys what: one rule by type and place, unknown types to the administrator."""

from __future__ import annotations

import pytest

from design import provider_actions as types
from design.deployers import ADMINISTRATOR, CI, deployer, with_deployers
from design.naming import BOUNDARY_PATH, BREAK_GLASS_PATH, CI_ROLE_PATH, StackNames

NAMES = StackNames(prefix="acme-web", environment="pre-prod")
WORKLOAD = NAMES.workload_path


@pytest.mark.parametrize(
    ("resource_type", "place", "expected"),
    [
        (types.SECRET, None, CI),
        (types.SECRET_VERSION, None, CI),
        (types.SECRET_POLICY, None, CI),
        (types.SECRET_ROTATION, None, CI),
        (types.RANDOM_PASSWORD, None, CI),
        (types.TASK_DEFINITION, None, CI),
        (types.ROLE, WORKLOAD, CI),
        (types.MANAGED_POLICY, WORKLOAD, CI),
        (types.ROLE_POLICY, WORKLOAD, CI),
        (types.ROLE_POLICY_ATTACHMENT, WORKLOAD, CI),
        (types.ROLE, CI_ROLE_PATH, ADMINISTRATOR),
        (types.ROLE, BREAK_GLASS_PATH, ADMINISTRATOR),
        (types.ROLE, "/app-secrets/acme-web-pre-prod-x/", ADMINISTRATOR),
        (types.MANAGED_POLICY, BOUNDARY_PATH, ADMINISTRATOR),
        (types.ROLE_POLICY, None, ADMINISTRATOR),
        (types.LOG_GROUP, "/app-secrets/acme-web-pre-prod/api", CI),
        (types.LOG_GROUP, "/aws/lambda/acme-web-pre-prod-rot-token-0e8cfa", CI),
        (types.LOG_GROUP, "/aws/lambda/acme-web-pre-prod-other", ADMINISTRATOR),
        (types.LOG_GROUP, "/aws/cloudtrail/acme-web-pre-prod", ADMINISTRATOR),
        (types.FUNCTION, "acme-web-pre-prod-rot-token-0e8cfa", CI),
        (types.FUNCTION, "acme-web-pre-prod-relay", ADMINISTRATOR),
        (types.PERMISSION, "acme-web-pre-prod-rot-token-0e8cfa", CI),
        (types.KEY, None, ADMINISTRATOR),
        (types.ALIAS, None, ADMINISTRATOR),
        (types.OIDC_PROVIDER, None, ADMINISTRATOR),
        (types.TOPIC, None, ADMINISTRATOR),
        (types.EVENT_RULE, None, ADMINISTRATOR),
        (types.EVENT_TARGET, None, ADMINISTRATOR),
        (types.EVENT_RULE, "acme-web-pre-prod-rotated-001", CI),
        (types.EVENT_TARGET, "acme-web-pre-prod-rotated-042", CI),
        (types.EVENT_RULE, "acme-web-pre-prod-rotated-1", ADMINISTRATOR),
        (types.EVENT_RULE, "acme-web-pre-prod-restart-failed", ADMINISTRATOR),
        (types.EVENT_RULE, "acme-web-pre-prod-iam-changed", ADMINISTRATOR),
        (types.EVENT_RULE, "acme-web-pre-prod-rotated-001-x", ADMINISTRATOR),
        (types.STATE_MACHINE, "acme-web-pre-prod-restarts", CI),
        (types.STATE_MACHINE, "acme-web-pre-prod-other", ADMINISTRATOR),
        ("aws:cloudtrail/trail:Trail", None, ADMINISTRATOR),
        ("aws:s3/bucket:Bucket", None, ADMINISTRATOR),
        ("aws:accessanalyzer/analyzer:Analyzer", None, ADMINISTRATOR),
        ("aws:brand/new:Type", None, ADMINISTRATOR),
    ],
)
def test_each_type_and_place_has_one_deployer(resource_type, place, expected):
    assert deployer(resource_type, place=place, names=NAMES) == expected


def resource(urn: str, kind: str, *, parent: str | None = None, **inputs) -> dict:
    return {"urn": urn, "type": kind, "parent": parent, "inputs": inputs, "outputs": inputs}


def test_role_policies_and_components_take_their_place_from_what_they_hold():
    # GIVEN a workload role and a CI role, each with an inline policy, under two components
    resources = [
        resource("w", "app-secrets:roles:WorkloadRole"),
        resource("w-role", types.ROLE, parent="w", name="wl", path=WORKLOAD),
        resource("w-grants", types.ROLE_POLICY, parent="w", role="wl"),
        resource("c", "app-secrets:ci:CiRoles"),
        resource("c-role", types.ROLE, parent="c", name="ci", path=CI_ROLE_PATH),
        resource("c-grants", types.ROLE_POLICY, parent="c", role="ci"),
        resource("outer", "app-secrets:rotation:Rotation"),
        resource("inner", "app-secrets:roles:WorkloadRole", parent="outer"),
        resource("inner-role", types.ROLE, parent="inner", name="r", path=WORKLOAD),
        resource("empty", "app-secrets:secrets:SecretStore"),
    ]

    # WHEN deployers are added
    found = {item["urn"]: item["deployer"] for item in with_deployers(resources, names=NAMES)}

    # THEN a role policy follows its role, and a component is ci only if all it holds is
    assert found == {
        "w": CI,
        "w-role": CI,
        "w-grants": CI,
        "c": ADMINISTRATOR,
        "c-role": ADMINISTRATOR,
        "c-grants": ADMINISTRATOR,
        "outer": CI,
        "inner": CI,
        "inner-role": CI,
        "empty": ADMINISTRATOR,
    }


def test_a_plan_gives_every_resource_a_deployer(plan_dev):
    assert {item["deployer"] for item in plan_dev["resources"]} == {CI, ADMINISTRATOR}
    administrator = {
        item["type"] for item in plan_dev["resources"] if item["deployer"] == ADMINISTRATOR
    }
    assert types.KEY in administrator and types.OIDC_PROVIDER in administrator
    assert types.SECRET not in administrator


@pytest.fixture(scope="module")
def plan_dev() -> dict:
    from secretsctl.plan import build_plan

    return build_plan(stack="dev", placeholders=True)
