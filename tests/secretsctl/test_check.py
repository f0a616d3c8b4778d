"""Tests for secretsctl/check.py: `secretsctl check PLAN.json` and `findings`.

They live here, beside the rules they run, until tests/secretsctl/ takes them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from secretsctl import check

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"


def _secret(name: str, **inputs: Any) -> dict[str, Any]:
    defaults = {
        "name": f"acme/dev/{name}",
        "kmsKeyId": KEY_ARN,
        "recoveryWindowInDays": 0,
        "tags": {"Project": "acme", "Environment": "dev", "ManagedBy": "pulumi"},
    }
    defaults.update(inputs)
    return {
        "urn": f"urn:pulumi:dev::app-secrets::{SECRET_TYPE}::{name}",
        "type": SECRET_TYPE,
        "name": name,
        "parent": None,
        "protect": False,
        "ignoreChanges": [],
        "inputs": defaults,
        "outputs": {"arn": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"},
    }


def _plan(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "project": "app-secrets",
        "stack": "dev",
        "environment": "dev",
        "account": "123456789012",
        "region": "us-east-1",
        "resources": list(resources),
        "outputs": {},
    }


def _run(path: Path) -> int:
    parser = argparse.ArgumentParser(prog="secretsctl")
    check.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["check", str(path)])
    return args.func(args)


def _write(tmp_path: Path, plan: Any) -> Path:
    path = tmp_path / "plan-dev.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_add_parser_registers_check_with_a_plan_argument() -> None:
    parser = argparse.ArgumentParser(prog="secretsctl")
    check.add_parser(parser.add_subparsers(dest="command"))

    args = parser.parse_args(["check", "plan-dev.json"])

    assert (args.command, args.plan, args.func) == ("check", Path("plan-dev.json"), check.run)


def test_fails_with_exit_1_and_prints_each_mandatory_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a plan with a secret on the AWS managed key
    path = _write(tmp_path, _plan(_secret("admin-token", kmsKeyId="alias/aws/secretsmanager")))

    # WHEN
    status = _run(path)

    # THEN
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert status == 1 and err == ""
    assert lines[0] == (
        f"MANDATORY secret-encrypted-with-cmk urn:pulumi:dev::app-secrets::{SECRET_TYPE}::"
        "admin-token: The secret is encrypted with the AWS managed key (kmsKeyId "
        "'alias/aws/secretsmanager'). Fix: Set kmsKeyId to the ARN of the stack's "
        "customer-managed KMS key."
    )
    assert lines[1].startswith("ADVISORY secret-rotation-recommended urn:")
    assert lines[-1] == (
        f"FAILED: 1 mandatory and 1 advisory violation(s) in 1 resource(s) of stack dev ({path})"
    )


def test_passes_with_exit_0_when_only_advisory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _plan(_secret("admin-token")))

    status = _run(path)

    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[0].startswith("ADVISORY secret-rotation-recommended ")
    assert out.splitlines()[-1].startswith("PASSED: 0 mandatory and 1 advisory violation(s)")


def test_passes_an_empty_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(_write(tmp_path, _plan())) == 0
    assert capsys.readouterr().out.startswith("PASSED: 0 mandatory and 0 advisory")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "plan-dev.json: no such file"),
        ("{not json", "plan-dev.json: not valid JSON: Expecting property name"),
        (b"\xff\xfe{}", "plan-dev.json: not UTF-8 text"),
        ("[]", "plan-dev.json: not a secretsctl plan: the plan must be a JSON object"),
        ('{"resources": [{"urn": "u"}]}', 'not a secretsctl plan: resources[0]: "type" must be'),
    ],
)
def test_rejects_unreadable_plans_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, expected: str
) -> None:
    path = tmp_path / "plan-dev.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    status = _run(path)

    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("secretsctl check: ") and expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_rejects_a_directory_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path) == 2
    assert "is a directory" in capsys.readouterr().err


def test_findings_are_json_ready_dicts() -> None:
    plan = _plan(_secret("admin-token", tags={"Project": "acme"}))

    result = check.findings(plan)

    assert result[0] == {
        "rule": "secret-has-required-tags",
        "control": "SecretsManager.5",
        "enforcement": "mandatory",
        "urn": f"urn:pulumi:dev::app-secrets::{SECRET_TYPE}::admin-token",
        "message": "Missing or empty tags: Environment, ManagedBy (got ['Project']).",
        "fix": "Tag the secret with non-empty Project, Environment and ManagedBy values.",
    }
    assert result[1]["enforcement"] == "advisory"
    assert json.loads(json.dumps(result)) == result


@pytest.fixture(scope="module")
def committed_dev_plan() -> dict:
    from secretsctl.plan import build_plan

    return build_plan(stack="dev", placeholders=True)


def _edited(plan: dict, type_: str, edit) -> dict:
    import copy

    edited = copy.deepcopy(plan)
    resource = next(r for r in edited["resources"] if r["type"] == type_)
    edit(resource)
    return edited


def _check(tmp_path: Path, plan: dict, capsys) -> tuple[int, str]:
    from secretsctl.__main__ import main

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    status = main(["check", str(path)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_judges_inputs_a_removed_kms_key_fails_though_outputs_echo_it(
    committed_dev_plan, tmp_path, capsys
):
    # GIVEN the committed plan with kmsKeyId taken out of one secret's inputs only
    plan = _edited(
        committed_dev_plan,
        "aws:secretsmanager/secret:Secret",
        lambda resource: resource["inputs"].pop("kmsKeyId"),
    )

    # WHEN it is checked / THEN the customer-managed key rule fails it
    status, output = _check(tmp_path, plan, capsys)
    assert status == 1
    assert "MANDATORY" in output and "kms" in output.lower()


@pytest.mark.parametrize(
    ("drop_output", "expected_status", "expected"),
    [(False, 2, "inputs and outputs disagree on 'policy'"), (True, 1, "MANDATORY")],
)
def test_a_wildcard_grant_added_to_the_inputs_only_never_passes(
    committed_dev_plan, tmp_path, capsys, drop_output, expected_status, expected
):
    # GIVEN `secretsmanager:*` on `*` added to one role policy's inputs, its output left as it
    # was (a contradiction) or removed (the output echo gone)
    def widen(resource):
        policy = json.loads(resource["inputs"]["policy"])
        policy["Statement"].append(
            {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}
        )
        resource["inputs"]["policy"] = json.dumps(policy)
        if drop_output:
            resource["outputs"].pop("policy")

    plan = _edited(committed_dev_plan, "aws:iam/rolePolicy:RolePolicy", widen)

    # WHEN it is checked / THEN it is refused as inconsistent, or fails the wildcard rule
    status, output = _check(tmp_path, plan, capsys)
    assert status == expected_status
    assert expected in output


def test_rejects_a_plan_whose_inputs_and_outputs_disagree(committed_dev_plan, tmp_path, capsys):
    def contradict(resource):
        resource["outputs"]["kmsKeyId"] = "arn:aws:kms:us-east-1:111111111111:key/other"

    plan = _edited(committed_dev_plan, "aws:secretsmanager/secret:Secret", contradict)

    status, output = _check(tmp_path, plan, capsys)
    assert status == 2
    assert "inputs and outputs disagree on 'kmsKeyId'" in output
    assert output.count("\n") == 1
