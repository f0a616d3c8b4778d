"""The CI workflows keep their threat model: pull requests hold nothing, actions are pinned."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
WORKFLOW_PATHS = sorted(WORKFLOWS.glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+(\.\d+)*$")
STACKS = ("dev", "prod")


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` section, which YAML 1.1 (PyYAML) reads as the key True."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on or {}


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def grants(permissions: Any) -> set[str]:
    """What a `permissions:` block grants beyond read, e.g. {"id-token: write"}."""
    if isinstance(permissions, str):
        return {f"all: {permissions}"} if permissions != "read-all" else set()
    return {f"{scope}: {level}" for scope, level in (permissions or {}).items() if level != "read"}


@pytest.fixture(scope="module")
def pull_request_paths() -> list[Path]:
    paths = [path for path in WORKFLOW_PATHS if "pull_request" in triggers(load(path))]
    assert paths, "a workflow must review pull requests"
    return paths


def test_the_workflows_exist():
    assert {path.name for path in WORKFLOW_PATHS} >= {"preview.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOW_PATHS, ids=lambda path: path.name)
def test_no_workflow_runs_on_pull_request_target(path):
    assert "pull_request_target" not in triggers(load(path))
    assert "pull_request_target" not in path.read_text(encoding="utf-8")


def test_pull_request_jobs_get_no_oidc_token_and_no_write(pull_request_paths):
    for path in pull_request_paths:
        workflow = load(path)
        assert "permissions" in workflow, f"{path.name}: set permissions, not the defaults"
        assert grants(workflow["permissions"]) == set(), path.name
        for name, job in workflow["jobs"].items():
            assert grants(job.get("permissions")) == set(), f"{path.name}: job {name}"
            assert "environment" not in job, f"{path.name}: job {name} must not reach one"


def test_pull_request_workflows_reference_no_secret(pull_request_paths):
    for path in pull_request_paths:
        text = path.read_text(encoding="utf-8")
        assert re.search(r"\bsecrets\s*[.\[]", text) is None, path.name
        assert "secrets: inherit" not in text, path.name
        assert "configure-aws-credentials" not in text, path.name
        assert "PULUMI_ACCESS_TOKEN" not in text, path.name


@pytest.mark.parametrize("path", WORKFLOW_PATHS, ids=lambda path: path.name)
def test_every_third_party_action_is_pinned_to_a_commit(path):
    uses = [step["uses"] for step in steps(load(path)) if "uses" in step]
    third_party = [use for use in uses if not use.startswith(("./", "docker://"))]

    assert [use for use in third_party if not PINNED.match(use)] == []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert [line for line in lines if "@" in line and not VERSION_COMMENT.search(line)] == []


def pulumi_commands(job: dict[str, Any]) -> list[tuple[str, str]]:
    """(command, stack) of each Pulumi step of a job, in order: the action's or a `run:`."""
    found = []
    for step in job.get("steps", []):
        if step.get("uses", "").startswith("pulumi/actions@"):
            found.append((step["with"]["command"], str(step["with"]["stack-name"])))
        for match in re.finditer(r"pulumi (preview|up)\b.*?--stack[ =](\S+)", step.get("run", "")):
            found.append((match[1], match[2]))
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_previews_each_stack_right_before_its_up(stack):
    workflow = load(WORKFLOWS / "deploy.yml")
    jobs = [job for job in workflow["jobs"].values() if (("up", stack) in pulumi_commands(job))]

    assert len(jobs) == 1, f"one job deploys {stack}"
    commands = pulumi_commands(jobs[0])
    up = commands.index(("up", stack))
    assert up > 0 and commands[up - 1] == ("preview", stack)
    assert "pull_request" not in triggers(workflow)


def test_prod_deploys_inside_the_prod_environment():
    workflow = load(WORKFLOWS / "deploy.yml")
    job = next(job for job in workflow["jobs"].values() if ("up", "prod") in pulumi_commands(job))

    assert job.get("environment") in ("prod", {"name": "prod"})
    assert job.get("needs") in ("dev", ["dev"])
