"""The program as a whole: URNs stay put across refactors, and names come from typed parts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from secretsctl.plan import build_plan
from tests.conftest import PROJECT_DIR

FIXTURES = Path(__file__).parent / "fixtures"
HYPHENATED = {"prefix": "acme-web", "environment": "pre-prod"}


def recorded_urns(stack: str) -> set[str]:
    return set((FIXTURES / f"urns-{stack}.txt").read_text(encoding="utf-8").split())


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_committed_stacks_keep_every_urn(stack):
    # GIVEN the URNs recorded from the committed stack before any refactor
    recorded = recorded_urns(stack)

    # WHEN the committed stack is planned today
    planned = {
        resource["urn"] for resource in build_plan(stack=stack, placeholders=True)["resources"]
    }

    # THEN no resource was renamed, re-typed or re-parented: a changed URN is a delete and a
    # create for `pulumi up`, so a deliberate rename must come with `aliases` and a new list
    assert planned - recorded == set(), "new URNs (a rename needs aliases; then update fixtures)"
    assert recorded - planned == set(), "URNs gone (pulumi up would delete these resources)"


def test_the_recorded_urns_cover_every_component():
    components = {urn for urn in recorded_urns("prod") if "Stack$app-secrets:" in urn}

    assert {urn.rsplit("::", 2)[-2].split("$")[-1] for urn in components} == {
        "app-secrets:alerting:Alerting",
        "app-secrets:boundary:WorkloadBoundary",
        "app-secrets:break_glass:BreakGlassRole",
        "app-secrets:ci:CiRoles",
        "app-secrets:kms:LogsKey",
        "app-secrets:kms:SecretsKey",
        "app-secrets:rotation:Rotation",
        "app-secrets:secrets:SecretStore",
        "app-secrets:services:ServiceAccess",
    }


@pytest.fixture(scope="module")
def hyphenated_plan(tmp_path_factory) -> dict:
    """The committed catalog, planned for prefix `acme-web` and environment `pre-prod`."""
    import yaml

    directory = tmp_path_factory.mktemp("hyphenated")
    catalog = yaml.safe_load((PROJECT_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    catalog["environments"].append("pre-prod")
    catalog_path = directory / "catalog.yaml"
    catalog_path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    stack_path = directory / "Pulumi.pre-prod.yaml"
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": HYPHENATED["prefix"],
        "app-secrets:githubRepository": "acme/app",
        "app-secrets:breakGlassPrincipals": ["arn:aws:iam::123456789012:user/oncall"],
    }
    stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return build_plan(
        stack="pre-prod", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


def _policies(plan: dict) -> list[dict]:
    found = []
    for resource in plan["resources"]:
        for key in ("policy", "assumeRolePolicy"):
            text = resource["inputs"].get(key)
            if isinstance(text, str) and text.startswith("{"):
                found.append(json.loads(text))
    return found


def _tag_conditions(node, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if re.fullmatch(r"aws:(Resource|Request)Tag/(Project|Environment)", key):
                found.append((key.rsplit("/", 1)[1], value))
            _tag_conditions(value, found)
    elif isinstance(node, list):
        for item in node:
            _tag_conditions(item, found)
    return found


def test_a_hyphenated_stack_tags_every_resource_with_its_own_parts(hyphenated_plan):
    tagged = [r for r in hyphenated_plan["resources"] if isinstance(r["inputs"].get("tags"), dict)]

    assert tagged
    for resource in tagged:
        assert resource["inputs"]["tags"]["Project"] == "acme-web", resource["urn"]
        assert resource["inputs"]["tags"]["Environment"] == "pre-prod", resource["urn"]


def test_a_hyphenated_stack_conditions_its_ci_policies_on_its_own_tags(hyphenated_plan):
    conditions = _tag_conditions(_policies(hyphenated_plan), [])

    # ci-preview describes the stack's keys by tag (ci-deploy no longer manages keys)
    assert len(conditions) >= 2
    assert set(conditions) == {("Project", "acme-web"), ("Environment", "pre-prod")}


def test_a_hyphenated_stack_names_everything_after_prefix_and_environment(hyphenated_plan):
    names = [
        resource["inputs"][key]
        for resource in hyphenated_plan["resources"]
        for key in ("name", "family")
        if isinstance(resource["inputs"].get(key), str) and resource["inputs"][key] != "grants"
    ]
    text = json.dumps(_policies(hyphenated_plan))

    assert names
    for name in names:
        assert "acme-web-pre-prod" in name or name.startswith("acme-web/pre-prod/"), name
    assert "acme-web-pre-prod-ci-deploy" in names
    assert "alias/acme-web-pre-prod-secrets" in names
    assert "acme-web-pre/" not in text and '"prod"' not in text
