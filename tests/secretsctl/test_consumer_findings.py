"""The plan's consumer findings: in its JSON and table, advisory, carried by `check` and `diff`."""

from __future__ import annotations

import copy
import json

import pytest

from policies import PlanFormatError
from secretsctl.__main__ import main
from secretsctl.consumer_findings import CONSUMER_RULE, carried_findings
from secretsctl.diff import diff_plans
from secretsctl.plan import build_plan
from secretsctl.plan_table import CONSUMER_LINES, TABLE_WIDTH, render_table

STACK_CONFIG = {"aws:region": "eu-west-1", "app-secrets:prefix": "acme"}
SECRET_URN = (
    "urn:pulumi:dev::app-secrets::app-secrets:secrets:SecretStore$"
    "aws:secretsmanager/secret:Secret::{name}-secret"
)


@pytest.fixture
def consumer_catalog(catalog_data) -> dict:
    """admin-token (token, 30 days) through the api's env; a single-user login the worker reads
    at runtime, with a 10-minute cache."""
    catalog_data["secrets"]["admin-token"]["rotation"] = {"every_days": 30, "strategy": "token"}
    catalog_data["secrets"]["db"] = {
        "description": "PostgreSQL login",
        "external": True,
        "rotation": {"every_days": 7, "strategy": "postgres-single-user"},
    }
    catalog_data["services"]["worker"] = {"runtime_read": ["db"], "runtime_cache_seconds": 600}
    return catalog_data


def plan_args(write_project, catalog: dict, *extra: str, config: dict | None = None) -> list[str]:
    catalog_path, stack_path = write_project(catalog, config or STACK_CONFIG)
    return [
        "plan",
        "--stack",
        "dev",
        "--catalog",
        str(catalog_path),
        "--stack-file",
        str(stack_path),
        "--placeholders",
        *extra,
    ]


def consumer_entries(plan: dict) -> list[dict]:
    return [finding for finding in plan["findings"] if finding["rule"] == CONSUMER_RULE]


def test_the_json_plan_has_each_finding_with_its_numbers_and_exits_0(
    write_project, consumer_catalog, capsys
):
    # WHEN the catalog is planned
    status = main(plan_args(write_project, consumer_catalog))

    # THEN each finding is advisory, on its secret's URN, and names both numbers
    plan = json.loads(capsys.readouterr().out)
    token, login = consumer_entries(plan)
    assert status == 0
    assert {key: token[key] for key in token if key not in ("message", "fix")} == {
        "rule": CONSUMER_RULE,
        "control": "docs/consumers.md",
        "enforcement": "advisory",
        "urn": SECRET_URN.format(name="admin-token"),
        "secret": "admin-token",
        "service": "api",
        "strategy": "token",
        "delivery": "env",
        "graceSeconds": 30 * 86400,
        "refreshSeconds": None,
    }
    assert "30 days (2592000 s)" in token["message"]
    assert "(unbounded)" in token["message"]
    assert (login["secret"], login["service"], login["delivery"]) == (
        "db",
        "worker",
        "runtime_read",
    )
    assert (login["graceSeconds"], login["refreshSeconds"]) == (0, 600)
    assert "caches it for up to 600 s (runtime_cache_seconds)" in login["message"]


def test_a_restart_by_the_stack_clears_the_env_finding(write_project, consumer_catalog):
    consumer_catalog["services"]["api"]["ecs_service"] = "api"
    config = {**STACK_CONFIG, "app-secrets:ecsClusterName": "main"}
    catalog_path, stack_path = write_project(consumer_catalog, config)

    plan = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )

    assert [entry["secret"] for entry in consumer_entries(plan)] == ["db"]


def test_the_table_lists_them_apart_from_the_guardrails(
    write_project, consumer_catalog, tmp_path, capsys
):
    out = tmp_path / "plan.txt"

    status = main(
        plan_args(write_project, consumer_catalog, "--format", "table", "--out", str(out))
    )

    table = out.read_text(encoding="utf-8")
    lines = table.splitlines()
    assert status == 0
    assert "Guardrails: 0 mandatory, 3 advisory finding(s)" in table
    assert "Consumers of rotated secrets: 2 advisory finding(s) (docs/consumers.md)" in lines
    assert "  ADVISORY Service 'api' receives 'admin-token' through env, resolved once" in table
    assert (
        "  ADVISORY Service 'worker' reads 'db' at runtime and caches it for up to 600 s" in table
    )
    assert all(len(line) <= TABLE_WIDTH for line in lines)
    assert " more (--wide" not in table


def test_the_table_shows_the_first_ten_and_wide_shows_all(write_project, consumer_catalog):
    for index in range(CONSUMER_LINES + 2):
        consumer_catalog["services"][f"reader-{index:02d}"] = {"runtime_read": ["db"]}
    catalog_path, stack_path = write_project(consumer_catalog, STACK_CONFIG)
    plan = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )

    table, wide = render_table(plan), render_table(plan, wide=True)

    assert len(consumer_entries(plan)) == CONSUMER_LINES + 4
    assert table.count("  ADVISORY Service ") == CONSUMER_LINES
    assert "  +4 more (--wide or the JSON lists every one)" in table
    assert wide.count("  ADVISORY Service ") == CONSUMER_LINES + 4


def test_diff_tells_two_services_of_one_secret_apart(write_project, consumer_catalog):
    catalog_path, stack_path = write_project(consumer_catalog, STACK_CONFIG)
    base = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )
    head_catalog = copy.deepcopy(consumer_catalog)
    head_catalog["services"]["jobs"] = {"runtime_read": ["db"]}
    catalog_path, stack_path = write_project(head_catalog, STACK_CONFIG)
    head = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )

    findings = diff_plans(base, head)["findings"]

    assert [(f["secret"], f["service"]) for f in findings["new"]] == [("db", "jobs")]
    assert findings["fixed"] == []


def test_check_carries_them_from_the_plan_without_failing(
    write_project, consumer_catalog, tmp_path, capsys
):
    plan_file = tmp_path / "plan.json"
    assert main(plan_args(write_project, consumer_catalog, "--out", str(plan_file))) == 0

    status = main(["check", str(plan_file)])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    carried = [line for line in lines if line.startswith(f"ADVISORY {CONSUMER_RULE} ")]
    assert len(carried) == 2
    assert carried[0].startswith(
        f"ADVISORY {CONSUMER_RULE} {SECRET_URN.format(name='admin-token')}: Service 'api' "
    )
    assert " Fix: Set the service's ecs_service and the stack's ecsClusterName" in carried[0]
    assert lines[-1].startswith("PASSED: 0 mandatory and 5 advisory violation(s)")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"urn": "u", "message": "m", "fix": "f", "service": None}, '"service" must be a string'),
        (
            {"urn": "u", "message": "m", "fix": "f", "service": "s", "enforcement": "mandatory"},
            'must be "advisory"',
        ),
    ],
)
def test_check_refuses_a_malformed_consumer_finding(entry, expected):
    plan = {"findings": [{"rule": CONSUMER_RULE, "enforcement": "advisory", **entry}]}

    with pytest.raises(PlanFormatError, match=expected):
        carried_findings(plan)


def test_a_plan_without_consumer_findings_carries_none():
    assert carried_findings({}) == []
    assert carried_findings({"findings": [{"rule": "secret-rotation-recommended"}]}) == []
