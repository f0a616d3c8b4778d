"""`secretsctl rotate` against moto's server: starts a rotation, refuses what cannot rotate."""

from __future__ import annotations

import shlex
import sys

import pytest

from tests.secretsctl.moto_stack import Terminal, write_stack

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
        f"Follow it with: python -m secretsctl status {shlex.join(moto_stack.options())}",
    ]
    assert SENTINEL not in out + err


def test_the_follow_up_command_keeps_every_option_given_shell_quoted(moto_stack, capsys, tmp_path):
    # GIVEN the stack's files in a directory whose name needs quoting, and a region flag
    directory = tmp_path / "it's a dir"
    directory.mkdir()
    moto_stack.catalog_path, moto_stack.stack_path = write_stack(
        directory, prefix=moto_stack.prefix
    )
    moto_stack.create("api-token", SENTINEL, rotation_enabled=True)

    # WHEN
    status, out, err = moto_stack.run(capsys, "rotate", "api-token", "--region", "us-east-1")

    # THEN the hint, pasted into a shell, runs status on the same stack, files and endpoint
    assert status == 0, err
    hint = out.splitlines()[-1].removeprefix("Follow it with: ")
    assert shlex.split(hint) == [
        "python",
        "-m",
        "secretsctl",
        "status",
        "--stack",
        "dev",
        "--stack-file",
        str(moto_stack.stack_path),
        "--catalog",
        str(moto_stack.catalog_path),
        "--region",
        "us-east-1",
        "--endpoint-url",
        moto_stack.endpoint_url,
    ]


def test_prod_off_a_terminal_needs_yes(prod_stack, capsys):
    # GIVEN a rotated secret of prod, and no terminal (pytest's stdin is none)
    secret_arn = prod_stack.create("api-token", SENTINEL, rotation_enabled=True)
    before = prod_stack.service.stages(secret_arn)
    (current,) = before

    # WHEN
    status, out, err = prod_stack.run(capsys, "rotate", "api-token")

    # THEN it says what it would do, asks nothing and changes nothing
    name = prod_stack.full_name("api-token")
    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        f"About to rotate {name} (a new version becomes AWSPENDING, then AWSCURRENT when the "
        f"function's finishSecret succeeds; version {current}, now AWSCURRENT, becomes "
        "AWSPREVIOUS) in environment prod.",
        "secretsctl rotate: environment prod: not on a terminal, so nothing was asked or "
        "changed; pass --yes to confirm",
    ]
    assert prod_stack.service.stages(secret_arn) == before


def test_prod_rotates_with_yes(prod_stack, capsys):
    secret_arn = prod_stack.create("api-token", SENTINEL, rotation_enabled=True)
    before = prod_stack.service.stages(secret_arn)

    status, out, err = prod_stack.run(capsys, "rotate", "api-token", "--yes")

    assert status == 0, err
    assert err.startswith(f"About to rotate {prod_stack.full_name('api-token')} (a new version")
    assert set(prod_stack.service.stages(secret_arn)) - set(before)
    assert "rotation started" in out


@pytest.mark.parametrize(("typed", "status"), [("prod\n", 0), ("yes\n", 1)])
def test_prod_on_a_terminal_asks_for_the_environments_name(
    prod_stack, capsys, monkeypatch, typed, status
):
    secret_arn = prod_stack.create("api-token", SENTINEL, rotation_enabled=True)
    before = prod_stack.service.stages(secret_arn)
    monkeypatch.setattr(sys, "stdin", Terminal(typed))

    code, _, err = prod_stack.run(capsys, "rotate", "api-token")

    assert code == status, err
    assert "Type prod to go ahead: " in err
    assert (prod_stack.service.stages(secret_arn) != before) == (status == 0)


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
        "run pulumi up --refresh --stack dev to configure it\n"
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
