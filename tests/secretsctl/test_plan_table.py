"""The plan table: fits 120 columns, names every mandatory guardrail finding, --wide shows all."""

from __future__ import annotations

import json

import pytest
import yaml

from bench.catalogs import generated_catalog
from secretsctl.__main__ import main
from secretsctl.plan import build_plan
from secretsctl.plan_table import TABLE_WIDTH, clip, render_table


@pytest.fixture(scope="module")
def forty_secrets_plan(tmp_path_factory) -> dict:
    """40 secrets of every kind and 6 services, one of which reads 30 of them."""
    directory = tmp_path_factory.mktemp("forty")
    catalog = generated_catalog(secrets=40, services=6, widest_service=30, rotate_every=2)
    catalog["secrets"]["a-very-long-secret-name-for-the-billing-reconciliation-job"] = {
        "description": "x",
        "generate": {"length": 32},
    }
    catalog["secrets"]["shared-token"] = {"description": "x", "external": True}
    for service in catalog["services"].values():
        service["env"]["SHARED_TOKEN_FOR_EVERY_SERVICE"] = "shared-token"
    (directory / "catalog.yaml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    config = {"aws:region": "eu-west-1", "app-secrets:prefix": "acme-platform"}
    (directory / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}), "utf-8")
    return build_plan(
        stack="dev",
        catalog_path=directory / "catalog.yaml",
        stack_path=directory / "Pulumi.dev.yaml",
        placeholders=True,
    )


def test_the_table_fits_120_columns_at_forty_secrets(forty_secrets_plan):
    lines = render_table(forty_secrets_plan).splitlines()

    too_wide = [line for line in lines if len(line) > TABLE_WIDTH]
    assert too_wide == []
    assert any("+" in line and line.endswith(" more") for line in lines)
    assert any(line.startswith("a-very-long-secret-name-for-the…") for line in lines)


def test_wide_shows_every_name_and_consumer(forty_secrets_plan):
    wide = render_table(forty_secrets_plan, wide=True)

    assert "NAME IN AWS" in wide
    for secret in forty_secrets_plan["secrets"]:
        assert secret["secretName"] in wide
        for consumer in secret["consumers"]:
            assert consumer in wide
    assert " more" not in wide.split("Who may do what")[0]


def test_clip_keeps_short_text_and_marks_a_cut():
    assert clip("abc", 3) == "abc"
    assert clip("abcdef", 4) == "abc…"


def test_a_mandatory_finding_is_in_the_table_and_exits_1_after_writing(
    write_project, catalog_data, tmp_path, capsys
):
    # GIVEN a secret that rotates every 120 days, beyond the 90-day control
    catalog_data["secrets"]["admin-token"]["rotation"] = {"every_days": 120, "strategy": "token"}
    catalog_path, stack_path = write_project(
        catalog_data, {"aws:region": "eu-west-1", "app-secrets:prefix": "acme"}
    )
    out = tmp_path / "plan.txt"
    args = ["plan", "--stack", "dev", "--catalog", str(catalog_path), "--stack-file"]
    args += [str(stack_path), "--placeholders", "--format", "table", "--out", str(out)]

    # WHEN it is planned as a table
    status = main(args)

    # THEN the table is written and names the finding, and the exit status is 1, as
    # `pulumi preview --policy-pack` would fail
    table = out.read_text(encoding="utf-8")
    assert status == 1
    assert "Guardrails: 1 mandatory" in table
    assert "MANDATORY secret-rotation-within-90-days rotation-admin-token" in table
    assert all(len(line) <= TABLE_WIDTH for line in table.splitlines())
    assert "Fix: " in table
    assert "mandatory guardrail finding" in capsys.readouterr().err


def test_rejects_an_out_directory_that_does_not_exist_before_planning(tmp_path, capsys):
    out = tmp_path / "missing" / "plan.json"

    assert main(["plan", "--stack", "dev", "--placeholders", "--out", str(out)]) == 2

    err = capsys.readouterr().err
    assert f"--out: {out}: directory {out.parent} does not exist" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_the_committed_plan_has_no_mandatory_finding(capsys):
    assert main(["plan", "--stack", "prod", "--placeholders"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert [f for f in plan["findings"] if f["enforcement"] == "mandatory"] == []
