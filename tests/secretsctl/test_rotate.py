"""`secretsctl rotate` against moto's server: starts a rotation, refuses what cannot rotate."""

from __future__ import annotations

import pytest

SENTINEL = "SENTINEL-rotate-value-7d1e"

pytestmark = pytest.mark.usefixtures("reads_no_value")


def test_starts_a_rotation_with_the_configuration_stored_in_aws(moto_stack, capsys, reads_no_value):
    # GIVEN a rotated secret with rotation enabled in AWS
    secret_arn = moto_stack.create("api-token", SENTINEL, rotation_enabled=True)
    before = moto_stack.service.stages(secret_arn)

    # WHEN
    status, out, err = moto_stack.run(capsys, "rotate", "api-token")

    # THEN RotateSecret names the secret only, so AWS uses the function and schedule that
    # pulumi up configured. (moto, unlike AWS, then forgets the function and makes the new
    # version AWSCURRENT at once; what it shows is only that a new version was started.)
    secret_name = moto_stack.full_name("api-token")
    assert status == 0, err
    assert ("RotateSecret", {"SecretId": secret_name}) in reads_no_value
    (started,) = set(moto_stack.service.stages(secret_arn)) - set(before)
    assert out.splitlines() == [
        f"{secret_name}: rotation started, strategy token: version {started} is AWSPENDING "
        "until the function's finishSecret makes it AWSCURRENT",
        "Follow it with: python -m secretsctl status --stack dev",
    ]
    assert SENTINEL not in out + err


def test_rejects_a_secret_without_a_rotation_block(moto_stack, capsys):
    moto_stack.create("static-token", SENTINEL)

    status, out, err = moto_stack.run(capsys, "rotate", "static-token")

    assert status == 2
    assert out == ""
    assert err.startswith("secretsctl rotate: static-token: has no rotation block in catalog.yaml")
    assert err.count("\n") == 1


def test_rejects_a_secret_the_stack_does_not_have(moto_stack, capsys):
    status, _, err = moto_stack.run(capsys, "rotate", "prod-only")

    assert status == 2
    assert err == (
        "secretsctl rotate: prod-only: not a secret of stack dev (environment dev); its secrets: "
        "api-token, partner-key, static-token, db\n"
    )


def test_fails_when_rotation_is_not_enabled_in_aws(moto_stack, capsys):
    moto_stack.create("api-token", SENTINEL, rotation_enabled=False)

    status, _, err = moto_stack.run(capsys, "rotate", "api-token")

    assert status == 1
    assert err == (
        f"secretsctl rotate: {moto_stack.full_name('api-token')}: rotation is not enabled in AWS; "
        "run pulumi up for stack dev to configure it\n"
    )


def test_fails_with_the_secret_and_the_aws_error_code(moto_stack, capsys):
    status, _, err = moto_stack.run(capsys, "rotate", "api-token")

    assert status == 1
    assert err.startswith(
        f"secretsctl rotate: {moto_stack.full_name('api-token')}: "
        "AWS error ResourceNotFoundException"
    )
    assert err.count("\n") == 1 and "Traceback" not in err


def test_the_region_defaults_to_the_stack_files(moto_stack, capsys, monkeypatch):
    # GIVEN the environment names another region than the stack file (us-east-1)
    moto_stack.create("api-token", SENTINEL, rotation_enabled=True)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    # WHEN / THEN the stack file's region wins, and --region overrides it
    assert moto_stack.run(capsys, "rotate", "api-token")[0] == 0
    status, _, err = moto_stack.run(capsys, "rotate", "api-token", "--region", "eu-west-1")
    assert status == 1
    assert "ResourceNotFoundException" in err


def test_rejects_an_invalid_stack_file_one_line_per_problem(moto_stack, capsys):
    moto_stack.stack_path.write_text(
        "config:\n  aws:region: us-east-1\n  app-secrets:prefix: Not_Valid\n", encoding="utf-8"
    )

    status, _, err = moto_stack.run(capsys, "rotate", "api-token")

    assert status == 2
    lines = err.splitlines()
    assert lines[0] == "secretsctl rotate: invalid input:"
    assert lines[1].startswith("  Pulumi.dev.yaml: app-secrets:prefix: must be")
    assert lines[2:] == ["1 problem(s); nothing was done."]
