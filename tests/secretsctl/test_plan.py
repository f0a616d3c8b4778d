"""`secretsctl plan`: the committed stacks plan offline, bad input exits 2, no value leaks."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from secretsctl.__main__ import main
from secretsctl.mocks import ALPHANUMERIC, derived_characters
from secretsctl.plan import build_plan
from secretsctl.plan_table import render_table
from tests.conftest import PROJECT_DIR

SENTINEL = "SENTINEL-c0ffee-never-print-me"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"
VERSION_TYPE = "aws:secretsmanager/secretVersion:SecretVersion"


def resources_of(plan: dict, type_: str) -> list[dict]:
    return [resource for resource in plan["resources"] if resource["type"] == type_]


@pytest.fixture(scope="module", params=["dev", "prod"])
def committed_plan(request) -> dict:
    return build_plan(stack=request.param, placeholders=True)


def test_committed_stacks_plan_to_the_documented_shape(committed_plan):
    assert set(committed_plan) >= {"project", "stack", "account", "region", "resources", "outputs"}
    assert committed_plan["project"] == "app-secrets"
    assert committed_plan["region"] == "us-east-1"
    for resource in committed_plan["resources"]:
        assert set(resource) == {
            "urn",
            "type",
            "name",
            "deployer",
            "parent",
            "protect",
            "ignoreChanges",
            "inputs",
            "outputs",
        }
        assert resource["urn"].startswith(f"urn:pulumi:{committed_plan['stack']}::app-secrets::")
    json.loads(json.dumps(committed_plan))


def test_every_secret_uses_the_stack_key(committed_plan):
    key_arn = committed_plan["outputs"]["kmsKeyArn"]
    secrets = resources_of(committed_plan, SECRET_TYPE)

    assert secrets
    assert {secret["inputs"]["kmsKeyId"] for secret in secrets} == {key_arn}
    assert key_arn.startswith(f"arn:aws:kms:us-east-1:{committed_plan['account']}:key/")


def test_outputs_list_every_secret_of_the_environment(committed_plan):
    outputs = committed_plan["outputs"]
    expected = {"admin-token", "openai-api-key", "stripe-webhook-secret", "app-config"}
    if committed_plan["stack"] == "prod":
        expected.add("session-signing-key")

    assert set(outputs["secretArns"]) == expected
    assert outputs["secretNames"]["admin-token"] == f"acme/{committed_plan['stack']}/admin-token"
    assert outputs["externalSecretArns"] == {
        "stripe-webhook-secret": outputs["secretArns"]["stripe-webhook-secret"]
    }
    assert outputs["kmsKeyAlias"] == f"alias/acme-{committed_plan['stack']}-secrets"
    assert outputs["secretPathPrefix"] == f"acme/{committed_plan['stack']}/"


def test_every_value_is_secret_and_external_secrets_have_none(committed_plan):
    versions = {
        resource["name"]: resource for resource in resources_of(committed_plan, VERSION_TYPE)
    }

    assert "stripe-webhook-secret-value" not in versions
    # A generated token with rotation gets its first value from its rotation function, in AWS.
    assert "admin-token-value" not in versions
    assert set(versions) >= {"openai-api-key-value", "app-config-value"}
    assert {version["inputs"]["secretString"] for version in versions.values()} == {"[secret]"}


def test_dev_deletes_at_once_and_prod_is_protected():
    dev = build_plan(stack="dev", placeholders=True)
    prod = build_plan(stack="prod", placeholders=True)

    for secret in resources_of(dev, SECRET_TYPE):
        assert (secret["inputs"]["recoveryWindowInDays"], secret["protect"]) == (0, False)
    for secret in resources_of(prod, SECRET_TYPE):
        assert (secret["inputs"]["recoveryWindowInDays"], secret["protect"]) == (30, True)
    # the secrets key, the alert topic's key and the logs key
    assert [key["protect"] for key in resources_of(prod, "aws:kms/key:Key")] == [True, True, True]
    assert [key["protect"] for key in resources_of(dev, "aws:kms/key:Key")] == [False, False, False]


def test_plan_is_reproducible():
    assert build_plan(stack="dev", placeholders=True) == build_plan(stack="dev", placeholders=True)


def test_no_value_reaches_the_plan_the_table_or_the_logs(caplog):
    caplog.set_level(logging.DEBUG)

    plan = build_plan(
        stack="prod", secret_values={"openaiApiKey": SENTINEL, "smtpPassword": SENTINEL}
    )
    generated = derived_characters("password:admin-token-password", 64, alphabet=ALPHANUMERIC)

    text = json.dumps(plan) + render_table(plan) + render_table(plan, wide=True) + caplog.text
    assert SENTINEL not in text
    assert generated not in text
    assert "[secret]" in text


def test_cli_writes_json_and_table(tmp_path, capsys):
    out = tmp_path / "plan.json"

    assert main(["plan", "--stack", "dev", "--placeholders", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["stack"] == "dev"

    assert main(["plan", "--stack", "dev", "--placeholders", "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "admin-token" in table and "every secret is named acme/dev/SECRET in AWS" in table
    assert "generate" in table and "api (env ADMIN_TOKEN)" in table
    assert "external" in table
    assert "NAME IN AWS" not in table

    assert main(["plan", "--stack", "dev", "--placeholders", "--format", "table", "--wide"]) == 0
    wide = capsys.readouterr().out
    assert "NAME IN AWS" in wide and "acme/dev/admin-token" in wide


def test_encrypted_values_need_placeholders_offline(capsys):
    assert main(["plan", "--stack", "dev"]) == 2

    err = capsys.readouterr().err
    assert (
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is encrypted (secure:) and cannot be decrypted offline"
        in err
    )
    assert "Traceback" not in err


def test_rejects_an_absent_value_unless_placeholders(write_project, catalog_data, capsys):
    catalog_path, stack_path = write_project(
        catalog_data,
        {
            "aws:region": "eu-west-1",
            "app-secrets:prefix": "acme",
            "app-secrets:smtpPassword": {"secure": "v1:x"},
        },
    )
    args = [
        "plan",
        "--stack",
        "dev",
        "--catalog",
        str(catalog_path),
        "--stack-file",
        str(stack_path),
    ]

    assert main(args) == 2
    assert (
        "app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it)"
        in capsys.readouterr().err
    )
    assert main([*args, "--placeholders"]) == 0


def test_bad_input_exits_2_with_every_problem_and_no_traceback(write_project, catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_data["services"]["api"]["env"]["GHOST"] = "ghost"
    catalog_path, stack_path = write_project(
        catalog_data,
        {
            "app-secrets:prefix": "acme",
            "app-secrets:openaiApiKey": SENTINEL,
            "app-secrets:bogus": 1,
        },
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "secretsctl",
            "plan",
            "--stack",
            "dev",
            "--catalog",
            str(catalog_path),
            "--stack-file",
            str(stack_path),
            "--placeholders",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert SENTINEL not in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert "catalog.yaml: secrets.admin-token.description: is required" in lines
    assert "catalog.yaml: services.api.env.GHOST: unknown secret 'ghost'" in lines
    assert "Pulumi.dev.yaml: aws:region: is required (e.g. us-east-1)" in lines
    assert any(
        line.startswith("Pulumi.dev.yaml: app-secrets:openaiApiKey: is stored in plaintext")
        for line in lines
    )
    assert lines[-1] == "4 problem(s); nothing was planned."


def test_unknown_stack_keys_are_reported_when_the_catalog_is_valid(
    write_project, catalog_data, capsys
):
    catalog_path, stack_path = write_project(
        catalog_data,
        {"aws:region": "eu-west-1", "app-secrets:prefix": "acme", "app-secrets:bogus": 1},
    )

    code = main(
        [
            "plan",
            "--stack",
            "dev",
            "--catalog",
            str(catalog_path),
            "--stack-file",
            str(stack_path),
            "--placeholders",
        ]
    )

    assert code == 2
    assert (
        "Pulumi.dev.yaml: app-secrets:bogus: unknown key; allowed: prefix, environment"
        in capsys.readouterr().err
    )


def test_missing_stack_file_is_a_clean_error(tmp_path, capsys):
    assert main(["plan", "--stack", "qa", "--stack-file", str(tmp_path / "Pulumi.qa.yaml")]) == 2
    assert "stack file not found" in capsys.readouterr().err


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stack_files_set_every_value_as_a_secret(stack):
    from inputs.catalog_reader import load_catalog
    from inputs.stackfile import read_stack_file

    stack_file = read_stack_file(PROJECT_DIR / f"Pulumi.{stack}.yaml")
    needed = load_catalog(PROJECT_DIR / "catalog.yaml").secrets_in(stack)
    keys = {
        f"app-secrets:{key}"
        for key, secret, _ in load_catalog(PROJECT_DIR / "catalog.yaml").config_uses()
        if secret in needed
    }

    assert keys
    assert keys <= stack_file.secret_keys


def test_committed_stacks_violate_no_mandatory_guardrail(committed_plan):
    mandatory = [
        finding for finding in committed_plan["findings"] if finding["enforcement"] == "mandatory"
    ]

    assert mandatory == []
    assert {finding["rule"] for finding in committed_plan["findings"]} <= {
        "secret-rotation-recommended",
        "consumer-refresh-within-grace-window",  # the api's admin-token: docs/consumers.md
    }


def test_plan_estimates_the_monthly_cost_in_json_and_table(committed_plan):
    secrets = len(resources_of(committed_plan, SECRET_TYPE))

    cost = committed_plan["cost"]

    assert cost["lines"][0] == {
        "item": "secrets",
        "quantity": secrets,
        "unitUsd": 0.4,
        "monthlyUsd": round(0.4 * secrets, 2),
    }
    assert cost["monthlyUsd"] == round(0.45 * secrets, 2)  # + 10,000 calls at $0.05 each
    assert "10,000 API calls per secret per month" in cost["assumption"]
    assert f"Monthly estimate: ${cost['monthlyUsd']:,.2f}" in render_table(committed_plan)


def test_api_calls_assumption_is_a_plan_option(capsys):
    assert main(["plan", "--stack", "dev", "--placeholders", "--api-calls-per-secret", "0"]) == 0

    plan = json.loads(capsys.readouterr().out)
    assert plan["cost"]["monthlyUsd"] == round(0.4 * len(resources_of(plan, SECRET_TYPE)), 2)
    assert plan["cost"]["assumption"].startswith("0 API calls per secret per month")


def test_committed_stacks_alert_and_only_prod_has_break_glass(committed_plan):
    rules = {
        r["inputs"]["name"]
        for r in resources_of(committed_plan, "aws:cloudwatch/eventRule:EventRule")
    }
    stack = committed_plan["stack"]
    expected = {
        f"acme-{stack}-{kind}"
        for kind in (
            "access-denied",
            "rotation-failed",
            "secret-deleted",
            "policy-changed",
            "external-access",
            "iam-changed",
        )
    }
    if stack == "prod":
        expected.add("acme-prod-break-glass-used")

    assert rules == expected
    assert len(resources_of(committed_plan, "aws:sns/topic:Topic")) == 1
    roles = {r["inputs"]["name"] for r in resources_of(committed_plan, "aws:iam/role:Role")}
    assert ("acme-prod-break-glass" in roles) == (stack == "prod")


def test_create_trail_and_alert_subscriptions_reach_the_plan(write_project, catalog_data):
    catalog_path, stack_path = write_project(
        catalog_data,
        {
            "aws:region": "eu-west-1",
            "app-secrets:prefix": "acme",
            "app-secrets:accountId": "123456789012",
            "app-secrets:createTrail": True,
            "app-secrets:alertEmails": ["security@example.com"],
        },
    )

    plan = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )

    (bucket,) = resources_of(plan, "aws:s3/bucket:Bucket")
    (trail,) = resources_of(plan, "aws:cloudtrail/trail:Trail")
    (subscription,) = resources_of(plan, "aws:sns/topicSubscription:TopicSubscription")
    assert bucket["inputs"]["bucket"] == "acme-dev-trail-123456789012"
    assert trail["inputs"]["s3BucketName"] == "acme-dev-trail-123456789012"
    assert plan["outputs"]["trailArn"] == (
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-dev-secrets-trail"
    )
    assert subscription["inputs"]["endpoint"] == "security@example.com"


def test_duplicate_keys_exit_2_with_the_other_problems(write_project, catalog_data, capsys):
    # GIVEN a stack file that sets a key twice and a catalog that declares a secret twice
    catalog_path, stack_path = write_project(catalog_data, {"app-secrets:prefix": "acme"})
    stack_path.write_text(
        "config:\n  aws:region: eu-west-1\n  app-secrets:prefix: acme\n"
        "  app-secrets:prefix: other\n",
        encoding="utf-8",
    )
    catalog_text = catalog_path.read_text(encoding="utf-8")
    catalog_path.write_text(
        catalog_text.replace(
            "secrets:\n",
            "secrets:\n  admin-token:\n    description: twice\n    external: true\n",
            1,
        ),
        encoding="utf-8",
    )

    # WHEN the plan runs THEN both duplicates are reported with the rest, and nothing is planned
    code = main(
        [
            "plan",
            "--stack",
            "dev",
            "--catalog",
            str(catalog_path),
            "--stack-file",
            str(stack_path),
            "--placeholders",
        ]
    )

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = [line.strip() for line in captured.err.splitlines()]
    assert any(
        line.startswith(
            "Pulumi.dev.yaml: config.app-secrets:prefix: duplicate key "
            "'app-secrets:prefix' at line 4, first at line 3"
        )
        for line in lines
    )
    assert any(
        line.startswith("catalog.yaml: secrets.admin-token: duplicate key 'admin-token' at line")
        for line in lines
    )
