"""`secretsctl diff` (and its markdown): two real plans, what a pull request review needs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from secretsctl.__main__ import main
from secretsctl.diff import changed_paths, diff_plans
from secretsctl.diff_markdown import COLLAPSE_AFTER, UNKNOWN_DEPLOYER, render_markdown
from secretsctl.plan import build_plan

SENTINEL = "SENTINEL-diff-7d1e-never-print-me"
DESCRIPTION_SENTINEL = "DESCRIPTION-SENTINEL-9a4b"
"""A plain (not secret) input value: the diff must name the input and never show this."""
STACK_CONFIG = {
    "aws:region": "eu-west-1",
    "app-secrets:prefix": "acme",
    "app-secrets:githubRepository": "acme/app",
}
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
ROTATION_RULE = "secret-rotation-within-90-days"


def _plan(write_project, catalog: dict, *, secret_values: dict[str, str]) -> dict:
    catalog_path, stack_path = write_project(catalog, STACK_CONFIG)
    return build_plan(
        stack="dev",
        catalog_path=catalog_path,
        stack_path=stack_path,
        placeholders=True,
        secret_values=secret_values,
    )


@pytest.fixture
def plans(write_project, catalog_data) -> tuple[dict, dict]:
    """A base, and a head that adds `feature-key` (read by api at runtime) and removes
    `stripe-webhook-secret`, fixes admin-token's 120-day rotation and gives feature-key one."""
    base = copy.deepcopy(catalog_data)
    base["secrets"]["admin-token"]["rotation"] = {"every_days": 120, "strategy": "token"}
    head = copy.deepcopy(catalog_data)
    head["secrets"]["admin-token"]["rotation"] = {"every_days": 30, "strategy": "token"}
    head["secrets"]["admin-token"]["description"] = DESCRIPTION_SENTINEL
    head["secrets"]["feature-key"] = {
        "description": "Feature flag service key",
        "generate": {"length": 32},
        "rotation": {"every_days": 120, "strategy": "token"},
    }
    head["services"]["api"]["runtime_read"].append("feature-key")
    del head["secrets"]["stripe-webhook-secret"]
    values = {"openaiApiKey": "base-openai", "smtpPassword": "base-smtp"}
    return (
        _plan(write_project, base, secret_values=values),
        _plan(
            write_project, head, secret_values={"openaiApiKey": SENTINEL, "smtpPassword": SENTINEL}
        ),
    )


def _write(tmp_path: Path, name: str, plan: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _by_name(entries: list[dict]) -> dict[str, dict]:
    return {entry["name"]: entry for entry in entries}


def test_shows_the_added_secret_and_the_role_that_gained_access_to_it(plans):
    base, head = plans

    changes = diff_plans(base, head)
    markdown = render_markdown(changes, title="dev")

    added = _by_name(changes["resources"]["added"])
    assert added["feature-key-secret"]["type"] == SECRET_TYPE
    api_task = head["outputs"]["taskRoleArns"]["api"]
    gained = {(g["role"], g["secret"], g["action"]) for g in changes["access"]["gained"]}
    assert (api_task, "feature-key", "secretsmanager:GetSecretValue") in gained
    assert not any(g["secret"] == "feature-key" for g in changes["access"]["lost"])
    assert "| added | `feature-key-secret` | `aws:secretsmanager/secret:Secret` |" in markdown
    role_name = api_task.rsplit("/", 1)[-1]
    assert f"| gained | `{role_name}` | `feature-key` | `DescribeSecret`, `GetSecretValue` |" in (
        markdown
    )


def test_names_a_changed_input_and_never_its_value(plans, tmp_path, capsys):
    base_path, head_path = (_write(tmp_path, n, p) for n, p in zip(("b", "h"), plans, strict=True))

    outputs = []
    for fmt in ("markdown", "json"):
        assert main(["diff", str(base_path), str(head_path), "--format", fmt]) == 0
        outputs.append(capsys.readouterr().out)

    changed = _by_name(json.loads(outputs[1])["resources"]["changed"])
    assert changed["admin-token-secret"]["inputs"] == ["description"]
    assert "| changed | `admin-token-secret` |" in outputs[0]
    assert "inputs `description`" in outputs[0]
    for text in outputs:
        assert SENTINEL not in text
        assert DESCRIPTION_SENTINEL not in text
        assert "[secret]" not in text


def test_shows_a_removed_resource_and_the_access_it_took_away(plans):
    changes = diff_plans(*plans)

    removed = _by_name(changes["resources"]["removed"])
    assert removed["stripe-webhook-secret-secret"]["type"] == SECRET_TYPE
    assert {grant["secret"] for grant in changes["access"]["lost"]} == {"stripe-webhook-secret"}


def test_compares_findings_by_rule_and_resource(plans):
    changes = diff_plans(*plans)

    new = {(f["rule"], f["urn"].rsplit("::", 1)[-1]) for f in changes["findings"]["new"]}
    fixed = {(f["rule"], f["urn"].rsplit("::", 1)[-1]) for f in changes["findings"]["fixed"]}
    assert new == {(ROTATION_RULE, "rotation-feature-key")}
    assert (ROTATION_RULE, "rotation-admin-token") in fixed
    assert changes["summary"]["findingsNew"] == 1


def test_fails_on_a_new_mandatory_finding_only_when_asked(plans, tmp_path, capsys):
    base_path, head_path = (_write(tmp_path, n, p) for n, p in zip(("b", "h"), plans, strict=True))

    assert main(["diff", str(base_path), str(head_path)]) == 0
    assert main(["diff", str(base_path), str(head_path), "--fail-on-new-findings"]) == 1
    assert capsys.readouterr().err.endswith(
        "secretsctl diff: 1 new mandatory guardrail finding(s)\n"
    )
    # base already has a mandatory finding: one that is not new does not fail the diff
    assert any(f["enforcement"] == "mandatory" for f in plans[0]["findings"])
    assert main(["diff", str(base_path), str(base_path), "--fail-on-new-findings"]) == 0


def _with_deployers(plan: dict, deployer: str | None = "ci") -> dict:
    """`plan` with each resource's deployer set (or, for None, absent), as the plan may say."""
    plan = copy.deepcopy(plan)
    for resource in plan["resources"]:
        resource.pop("deployer", None)
        if deployer is not None:
            resource["deployer"] = deployer
    return plan


def test_lists_the_changes_an_administrator_deploys(plans):
    base = _with_deployers(plans[0])
    head = copy.deepcopy(base)
    key = next(r for r in head["resources"] if r["type"] == "aws:kms/key:Key")
    key["deployer"] = "administrator"
    key["inputs"]["description"] = "changed"
    key["protect"] = not key["protect"]
    unknown = next(r for r in head["resources"] if r["type"] == SECRET_TYPE)
    del unknown["deployer"]
    unknown["inputs"]["description"] = "changed too"

    changes = diff_plans(base, head)
    markdown = render_markdown(changes, title="dev")

    listed = _by_name(changes["administrator"])
    assert set(listed) == {key["name"], unknown["name"]}
    assert listed[key["name"]]["deployer"] == "administrator"
    assert listed[unknown["name"]]["deployer"] is None
    options = _by_name(changes["resources"]["changed"])[key["name"]]["options"]
    assert set(options) == {"protect", "deployer"}
    assert f"| changed | `{key['name']}` | `aws:kms/key:Key` | administrator |" in markdown
    assert f"| changed | `{unknown['name']}` | `{SECRET_TYPE}` | {UNKNOWN_DEPLOYER} |" in markdown
    assert "**2 for an administrator** (1 of unknown deployer)" in markdown


def test_a_ci_change_needs_no_administrator(plans):
    base = _with_deployers(plans[0])
    head = copy.deepcopy(base)
    head["resources"][0]["ignoreChanges"] = ["tags"]

    changes = diff_plans(base, head)

    assert changes["administrator"] == []
    assert changes["resources"]["changed"][0]["options"]["ignoreChanges"] == {
        "base": [],
        "head": ["tags"],
    }
    assert "no administrator change" in render_markdown(changes, title="dev")


def test_the_same_plan_has_no_changes(plans):
    markdown = render_markdown(diff_plans(plans[0], plans[0]), title="dev")

    assert markdown == "### dev\n\nNo changes.\n"


def test_long_lists_fold_into_details(plans):
    changes = diff_plans(*plans)

    markdown = render_markdown(changes, title="dev")

    rows = sum(changes["summary"][key] for key in ("added", "changed", "removed"))
    assert rows > COLLAPSE_AFTER
    assert f"<details><summary>{rows} resource changes</summary>" in markdown


def test_changed_paths_are_names_and_two_secret_markers_compare_equal():
    base = {"a": "[secret]", "b": {"c": 1, "d": 2}, "gone": 1, "s": "[secret]"}
    head = {"a": "[secret]", "b": {"c": 1, "d": 3}, "new": 1, "s": "plain"}

    assert changed_paths(base, head) == ["b.d", "gone", "new", "s"]


def test_markdown_cannot_be_broken_by_a_name(plans):
    base = _with_deployers(plans[0])
    head = copy.deepcopy(base)
    head["resources"][0]["name"] = "a|b`c"
    head["resources"][0]["urn"] += "-renamed"

    markdown = render_markdown(diff_plans(base, head), title="<b>dev</b>")

    assert "### \\<b\\>dev\\</b\\>" in markdown
    assert "| added | `a\\|b'c` |" in markdown


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "not a secretsctl plan: the plan must be a JSON object, got list"),
        ('{"resources": []}', 'not a secretsctl plan: "access" must be a list, got NoneType'),
        (
            '{"resources": [], "access": [{"role": "r"}], "findings": []}',
            'not a secretsctl plan: access[0]: "secret" must be a str',
        ),
    ],
)
def test_rejects_an_unreadable_plan_in_one_line(plans, tmp_path, capsys, content, problem):
    good = _write(tmp_path, "good.json", plans[0])
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")

    code = main(["diff", str(good), str(bad)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith(f"secretsctl diff: {bad}: {problem}")
    assert captured.err.count("\n") == 1
