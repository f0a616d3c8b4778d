"""`secretsctl verify` against moto's server: drift out of band is a failure; no value is read."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from secretsctl.__main__ import main
from secretsctl.stack_target import StackTarget
from secretsctl.verify_checks import (
    CRITICAL,
    FAILURE,
    OK,
    WARNING,
    Finding,
)
from tests.rotation.secret_leaks import assert_no_secret
from tests.secretsctl.deployed_stack import DeployedStack, fresh_stack

SENTINELS = {
    "api-token": "SENTINEL-api-token-7f3a9c",
    "openai-api-key": "SENTINEL-openai-5d21e8",
}


@pytest.fixture
def deployed(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    stack = fresh_stack(moto_endpoint, tmp_path)
    stack.deploy(SENTINELS)
    stack.deploy_roles()
    return stack


def run_verify(stack: DeployedStack, *, now: datetime | None = None) -> list[Finding]:
    return stack.verify(now=now)


def status_of(findings: list[Finding], secret: str, check: str) -> Finding:
    (finding,) = [f for f in findings if f.secret == secret and f.check == check]
    return finding


def failures(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.status == FAILURE]


def test_a_faithful_deployment_passes_with_the_empty_external_secret_as_a_warning(deployed):
    findings = run_verify(deployed)

    assert failures(findings) == []
    assert [(f.secret, f.check) for f in findings if f.status == WARNING] == [
        ("partner-key", "value")
    ]
    assert status_of(findings, "api-token", "rotation").status == OK
    assert status_of(findings, "api-token", "last-rotation").status == OK
    assert status_of(findings, "openai-api-key", "kms-key").status == OK
    assert status_of(findings, "openai-api-key", "resource-policy").status == OK
    rotation_role = f"{deployed.prefix}-dev-rotation"
    assert {f.secret for f in findings} == {
        "-",
        "api-token",
        "openai-api-key",
        "partner-key",
        rotation_role,
    }
    assert [(f.check, f.status) for f in findings if f.secret == rotation_role] == [
        ("role-exists", OK),
        ("role-trust", OK),
        ("role-policies", OK),
    ]


def test_fails_when_a_secret_was_deleted_out_of_band(deployed):
    deployed.secrets.delete_secret(
        SecretId=deployed.full_name("openai-api-key"), ForceDeleteWithoutRecovery=True
    )

    finding = status_of(run_verify(deployed), "openai-api-key", "exists")

    assert finding.status == FAILURE
    assert finding.detail == (
        "not found: deleted out of band (and purged) or never deployed; "
        "run pulumi up --refresh --stack dev"
    )


def test_fails_on_a_secret_pending_deletion(deployed):
    deployed.secrets.delete_secret(SecretId=deployed.full_name("api-token"), RecoveryWindowInDays=7)

    finding = status_of(run_verify(deployed), "api-token", "pending-deletion")

    assert finding.status == FAILURE
    assert (
        f"aws secretsmanager restore-secret --secret-id {deployed.full_name('api-token')} "
        "--region us-east-1 --endpoint-url http://127.0.0.1:" in finding.detail
    )


def test_a_pending_deletion_gives_the_request_time_and_no_made_up_deadline(deployed):
    # GIVEN a deletion requested with the shortest recovery window
    name = deployed.full_name("api-token")
    deployed.secrets.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    (entry,) = deployed.secrets.list_secrets(
        IncludePlannedDeletion=True, Filters=[{"Key": "name", "Values": [name]}]
    )["SecretList"]
    requested = entry["DeletedDate"].astimezone(UTC)

    # WHEN
    finding = status_of(run_verify(deployed), "api-token", "pending-deletion")

    # THEN DeletedDate is the request, and the end of the window is not a date AWS gave
    assert finding.detail.startswith(
        f"deletion requested {requested:%Y-%m-%dT%H:%M:%SZ}; restorable until the recovery "
        "window it was deleted with ends: at least 7 days after the request, at most 30 "
        "(AWS does not return the window; this stack deletes with recoveryWindowDays 30); "
        "restore it now: aws secretsmanager restore-secret"
    )
    assert "scheduled for deletion on" not in finding.detail


def test_fails_when_rotation_was_disabled_out_of_band(deployed):
    deployed.secrets.cancel_rotate_secret(SecretId=deployed.full_name("api-token"))

    finding = status_of(run_verify(deployed), "api-token", "rotation")

    assert finding.status == FAILURE
    assert finding.detail == (
        "rotation is disabled; the catalog rotates it: run pulumi up --refresh --stack dev"
    )


def test_fails_when_the_rotation_schedule_drifted(deployed):
    deployed.enable_rotation("api-token", days=60)

    finding = status_of(run_verify(deployed), "api-token", "rotation")

    assert finding.status == FAILURE
    assert finding.detail == (
        "schedule is every 60 days; the catalog says every 30 days: "
        "run pulumi up --refresh --stack dev"
    )


def test_fails_when_the_last_rotation_is_older_than_the_schedule(deployed):
    later = datetime.now(UTC) + timedelta(days=32)

    finding = status_of(run_verify(deployed, now=later), "api-token", "last-rotation")

    assert finding.status == FAILURE
    assert "overdue (every 30 days)" in finding.detail


def test_rotation_within_the_grace_day_passes(deployed):
    later = datetime.now(UTC) + timedelta(days=30, hours=12)

    assert status_of(run_verify(deployed, now=later), "api-token", "last-rotation").status == OK


def test_fails_on_an_unmanaged_secret_under_the_prefix(deployed):
    deployed.secrets.create_secret(Name=deployed.full_name("hand-made"), SecretString="x")
    deployed.secrets.create_secret(Name=f"{deployed.prefix}/prod/elsewhere", SecretString="x")

    findings = run_verify(deployed)

    finding = status_of(findings, deployed.full_name("hand-made"), "undeclared")
    assert finding.status == FAILURE
    assert not [f for f in findings if "elsewhere" in f.secret]


def test_an_undeclared_secret_on_its_way_out_is_a_warning(deployed):
    name = deployed.full_name("removed-from-catalog")
    deployed.secrets.create_secret(Name=name, SecretString="x")
    deployed.secrets.delete_secret(SecretId=name, RecoveryWindowInDays=7)

    finding = status_of(run_verify(deployed), name, "undeclared")

    assert finding.status == WARNING
    assert finding.detail.startswith("not in the catalog, and its deletion was requested ")
    assert "restorable until the recovery window it was deleted with ends" in finding.detail


def test_fails_on_missing_and_changed_tags(deployed):
    secret_id = deployed.full_name("openai-api-key")
    deployed.secrets.untag_resource(SecretId=secret_id, TagKeys=["Environment", "ManagedBy"])
    deployed.secrets.tag_resource(SecretId=secret_id, Tags=[{"Key": "Team", "Value": "other"}])

    finding = status_of(run_verify(deployed), "openai-api-key", "tags")

    assert finding.status == FAILURE
    assert finding.detail == (
        "missing Environment, ManagedBy; Team is 'other', expected 'platform': "
        "run pulumi up --refresh --stack dev"
    )


def test_fails_on_a_secret_encrypted_with_another_key(deployed):
    other_key = deployed.kms.create_key(Description="not the stack key")["KeyMetadata"]["Arn"]
    deployed.secrets.update_secret(SecretId=deployed.full_name("api-token"), KmsKeyId=other_key)

    finding = status_of(run_verify(deployed), "api-token", "kms-key")

    assert finding.status == FAILURE
    assert finding.detail == (
        f"encrypted with {other_key}, not the stack key: run pulumi up --refresh --stack dev"
    )


def test_fails_everywhere_when_the_key_alias_is_gone(deployed):
    deployed.kms.delete_alias(AliasName=f"alias/{deployed.prefix}-dev-secrets")

    findings = run_verify(deployed)

    assert status_of(findings, "-", "kms-key").status == FAILURE
    assert status_of(findings, "partner-key", "kms-key").status == FAILURE


def test_fails_without_the_resource_policy(deployed):
    deployed.secrets.delete_resource_policy(SecretId=deployed.full_name("partner-key"))

    finding = status_of(run_verify(deployed), "partner-key", "resource-policy")

    assert finding.status == FAILURE
    assert finding.detail == "no resource policy: run pulumi up --refresh --stack dev"


def test_fails_with_a_resource_policy_that_differs(deployed):
    deployed.secrets.put_resource_policy(
        SecretId=deployed.full_name("partner-key"),
        ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )

    finding = status_of(run_verify(deployed), "partner-key", "resource-policy")

    assert finding.status == FAILURE
    assert finding.detail == (
        "differs from the stack's (DenyOutsideAccount): run pulumi up --refresh --stack dev"
    )


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_a_public_resource_policy_is_critical(deployed, principal, capsys):
    # GIVEN someone replaced the stack's policy with one that lets anybody read the secret
    name = deployed.full_name("partner-key")
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    deployed.secrets.put_resource_policy(
        SecretId=name,
        ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )

    # WHEN
    finding = status_of(run_verify(deployed), "partner-key", "resource-policy")
    code = main(["verify", *deployed.cli_args()])

    # THEN it is not reported as drift, but as what it is, with what to do now
    assert finding.status == CRITICAL
    assert finding.detail.startswith(
        "PUBLIC: the resource policy allows any principal (Principal *): the secret is "
        "readable from outside the account. Now: aws secretsmanager delete-resource-policy "
        f"--secret-id {name} --region us-east-1 --endpoint-url http://127.0.0.1:"
    )
    assert finding.detail.endswith(
        "then pulumi up --refresh --stack dev to put the stack's policy back, rotate or replace "
        "the value, and look in CloudTrail for GetSecretValue calls from other accounts"
    )
    assert code == 1
    table = capsys.readouterr().out
    assert [line.split()[:3] for line in table.splitlines() if " CRITICAL " in line] == [
        ["partner-key", "resource-policy", "CRITICAL"]
    ]
    assert "FAILED: 1 critical, 0 failure(s)" in table


def test_an_allow_all_inside_the_accounts_deny_is_drift_not_public(deployed):
    name = deployed.full_name("partner-key")
    arn = deployed.secrets.describe_secret(SecretId=name)["ARN"]
    policy = json.loads(deployed.secrets.get_resource_policy(SecretId=arn)["ResourcePolicy"])
    policy["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}
    )
    deployed.secrets.put_resource_policy(SecretId=name, ResourcePolicy=json.dumps(policy))

    assert status_of(run_verify(deployed), "partner-key", "resource-policy").status == FAILURE


def test_fails_when_a_value_was_never_written(deployed):
    name = deployed.full_name("api-token")
    deployed.secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    deployed.secrets.create_secret(Name=name)  # created empty, as if its version failed

    assert status_of(run_verify(deployed), "api-token", "value").status == FAILURE


def test_cli_exits_0_when_everything_matches_and_1_on_a_failure(deployed, capsys):
    assert main(["verify", *deployed.cli_args()]) == 0
    passed = capsys.readouterr().out
    assert "PASSED: 0 failure(s), 1 warning(s)" in passed

    deployed.secrets.cancel_rotate_secret(SecretId=deployed.full_name("api-token"))

    assert main(["verify", *deployed.cli_args()]) == 1
    table = capsys.readouterr().out
    failed_rows = [line.split() for line in table.splitlines() if " FAILURE " in line]
    assert [row[:3] for row in failed_rows] == [["api-token", "rotation", "FAILURE"]]
    assert "FAILED: 1 failure(s)" in table


def test_cli_writes_json(deployed, capsys):
    deployed.secrets.create_secret(Name=deployed.full_name("stray"), SecretString="x")

    assert main(["verify", *deployed.cli_args(), "--format", "json"]) == 1

    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is False
    assert report["secretPath"] == f"{deployed.prefix}/dev/"
    assert report["summary"] == {"ok": 22, "warnings": 1, "failures": 1, "critical": 0}
    assert {
        "secret": deployed.full_name("stray"),
        "check": "undeclared",
        "status": "failure",
        "detail": "under the stack's path but not in the catalog: declare it or delete it",
    } in report["findings"]


def test_never_reads_or_prints_a_value(deployed, capsys, caplog, monkeypatch):
    # GIVEN a client that refuses GetSecretValue and BatchGetSecretValue outright
    original = StackTarget.client

    def guarded(self, service):
        client = original(self, service)

        def refuse(**_):
            raise AssertionError("verify asked for a secret value")

        for operation in ("GetSecretValue", "BatchGetSecretValue"):
            client.meta.events.register(f"before-call.secretsmanager.{operation}", refuse)
        return client

    monkeypatch.setattr(StackTarget, "client", guarded)
    deployed.secrets.put_secret_value(
        SecretId=deployed.full_name("partner-key"), SecretString="SENTINEL-partner-0b9e"
    )
    caplog.set_level(logging.DEBUG)  # botocore would log a value it received at DEBUG

    # WHEN verify runs in both formats
    main(["verify", *deployed.cli_args()])
    main(["verify", *deployed.cli_args(), "--format", "json"])

    # THEN no value shows anywhere
    captured = capsys.readouterr()
    text = captured.out + captured.err + caplog.text
    assert_no_secret(text, [*SENTINELS.values(), "SENTINEL-partner-0b9e"])
    assert "SENTINEL" not in text


def test_rejects_a_stack_without_its_file(capsys, tmp_path):
    code = main(["verify", "--stack", "nope", "--stack-file", str(tmp_path / "Pulumi.nope.yaml")])

    assert code == 2
    err = capsys.readouterr().err
    assert "stack file not found" in err
    assert "Traceback" not in err


def test_fails_on_an_unreachable_endpoint_as_a_failed_aws_call(deployed, closed_endpoint, capsys):
    args = deployed.cli_args()
    args[args.index("--endpoint-url") + 1] = closed_endpoint

    assert main(["verify", *args]) == 1

    err = capsys.readouterr().err
    assert err == (
        f"secretsctl verify: AWS: cannot connect to {closed_endpoint}; check --endpoint-url, "
        "the region and the network\n"
    )


def test_fails_when_listsecrets_is_denied_in_one_line(deployed, html_endpoint, capsys):
    args = deployed.cli_args()
    args[args.index("--endpoint-url") + 1] = html_endpoint

    assert main(["verify", *args]) == 1

    assert capsys.readouterr().err == (
        f"secretsctl verify: AWS: cannot list the secrets under {deployed.prefix}/dev/: "
        "403: 403 Forbidden (it needs secretsmanager:ListSecrets); nothing was verified\n"
    )
