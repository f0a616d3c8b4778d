"""What rotate, rollback and status share: reading the stack, and one-line errors by cause."""

from __future__ import annotations

import argparse

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
)

from secretsctl.__main__ import main
from secretsctl.errors import CommandError
from secretsctl.operations import (
    aws_errors,
    load_stack,
    run_operation,
    secret_name,
    secret_spec,
)
from tests.secretsctl.conftest import ERROR_PAGE
from tests.secretsctl.moto_stack import CATALOG, unique_prefix, write_stack

COMMANDS = [["status"], ["verify"], ["rotate", "api-token"], ["rollback", "api-token"]]
"""The commands that call AWS, with their arguments."""
FLAG_COMMANDS = [*COMMANDS, ["import-env", "app.env"]]
"""Every command that takes the stack arguments (--region, --endpoint-url, ...)."""
NO_CREDENTIALS = (
    "AWS: no credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, e.g. after aws sso login)"
)


def stack_args(tmp_path, **overrides) -> argparse.Namespace:
    catalog_path, stack_path = write_stack(tmp_path, prefix=unique_prefix())
    values = {
        "stack": "dev",
        "stack_file": stack_path,
        "catalog": catalog_path,
        "region": None,
        "endpoint_url": None,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_loads_the_environments_secrets_and_the_stack_files_region(tmp_path):
    target = load_stack(stack_args(tmp_path))

    assert list(target.inputs.secrets) == ["api-token", "partner-key", "static-token", "db"]
    assert target.region == "us-east-1"
    assert secret_name(target, "db") == f"{target.inputs.settings.prefix}/dev/db"
    assert secret_spec(target, "db").rotation.strategy == "postgres-single-user"
    assert load_stack(stack_args(tmp_path, region="eu-west-1")).region == "eu-west-1"


def test_rejects_a_secret_of_another_environment(tmp_path):
    target = load_stack(stack_args(tmp_path))

    with pytest.raises(CommandError) as caught:
        secret_spec(target, "prod-only")

    assert caught.value.status == 2
    assert str(caught.value) == (
        "prod-only: not a secret of stack dev (environment dev); its secrets: "
        "api-token, partner-key, static-token, db"
    )


def test_rejects_every_problem_of_catalog_and_stack_at_once(tmp_path, capsys):
    args = stack_args(tmp_path)
    broken = {**CATALOG, "secrets": {**CATALOG["secrets"], "bad": {"description": "x"}}}
    write_stack(tmp_path, prefix="Bad_Prefix", catalog=broken)

    with pytest.raises(CommandError) as caught:
        load_stack(args)

    assert caught.value.status == 2
    problems = caught.value.problems
    assert any(
        line.startswith("catalog.yaml: secrets.bad: needs exactly one value source")
        for line in problems
    )
    assert any(line.startswith("Pulumi.dev.yaml: app-secrets:prefix: must be") for line in problems)
    # printed the one way every command prints input problems: one line each
    assert run_operation("rotate", args, lambda _args: load_stack(args)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "secretsctl rotate: invalid input:"
    assert lines[1:-1] == [f"  {line}" for line in problems]
    assert lines[-1] == f"{len(problems)} problem(s); nothing was done."


def test_rejects_a_missing_stack_file(tmp_path):
    with pytest.raises(CommandError) as caught:
        load_stack(stack_args(tmp_path, stack_file=tmp_path / "Pulumi.nope.yaml"))

    assert caught.value.status == 2
    assert any("stack file not found" in line for line in caught.value.problems)


def test_aws_errors_name_the_secret_and_the_code():
    error = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "DescribeSecret"
    )

    with pytest.raises(CommandError) as caught, aws_errors("acme/dev/db"):
        raise error

    assert caught.value.status == 1
    assert str(caught.value) == "acme/dev/db: AWS error AccessDeniedException: not allowed"


@pytest.mark.parametrize(
    ("failure", "status", "message"),
    [
        (CommandError("db: refused", status=2), 2, "secretsctl rotate: db: refused\n"),
        (
            ProfileNotFound(profile="nope"),
            1,
            "secretsctl rotate: AWS: profile 'nope' (AWS_PROFILE) is not in the AWS config "
            "files; set AWS_PROFILE to one of their profiles, or unset it\n",
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
            1,
            "secretsctl rotate: AWS: cannot connect to http://127.0.0.1:1; check --endpoint-url, "
            "the region and the network\n",
        ),
        (
            NoCredentialsError(),
            1,
            f"secretsctl rotate: {NO_CREDENTIALS}\n",
        ),
    ],
)
def test_run_operation_turns_failures_into_one_line_and_a_status(failure, status, message, capsys):
    def operation(_args):
        raise failure

    assert run_operation("rotate", argparse.Namespace(), operation) == status
    assert capsys.readouterr().err == message


# Every AWS command fails the same way: one line on stderr, the same words, the same status.


@pytest.mark.parametrize("command", FLAG_COMMANDS, ids=lambda words: words[0])
@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        (
            "--endpoint-url",
            "localhost:57847",
            "must be a URL with http:// or https:// and a host, e.g. http://127.0.0.1:4566",
        ),
        ("--region", "us east", "must be an AWS region such as eu-west-1, got 'us east'"),
    ],
)
def test_rejects_an_invalid_flag_with_one_usage_error(
    moto_stack, command, option, value, problem, capsys
):
    capsys.readouterr()
    with pytest.raises(SystemExit) as caught:
        main([*command, *moto_stack.options(), option, value])

    err = capsys.readouterr().err
    assert caught.value.code == 2
    errors = [line for line in err.splitlines() if "error:" in line]
    assert errors == [f"secretsctl {command[0]}: error: argument {option}: {problem}"]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda words: words[0])
def test_rejects_a_stack_file_region_that_is_no_region(moto_stack, command, capsys):
    write_stack(moto_stack.stack_path.parent, prefix=moto_stack.prefix, region="us east")

    status, out, err = moto_stack.run(capsys, *command)

    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        f"secretsctl {command[0]}: invalid input:",
        "  Pulumi.dev.yaml: aws:region: must be an AWS region such as eu-west-1, got 'us east'",
        "1 problem(s); nothing was done.",
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda words: words[0])
def test_fails_in_one_line_when_the_endpoint_refuses_connections(
    moto_stack, command, closed_endpoint, capsys
):
    status, out, err = moto_stack.run(capsys, *command, endpoint_url=closed_endpoint)

    assert status == 1
    assert out == ""
    assert err == (
        f"secretsctl {command[0]}: AWS: cannot connect to {closed_endpoint}; check "
        "--endpoint-url, the region and the network\n"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda words: words[0])
def test_fails_in_one_line_without_credentials(
    moto_stack, command, no_aws_retries, monkeypatch, capsys
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps the credentials it found

    status, out, err = moto_stack.run(capsys, *command)

    assert status == 1
    assert out == ""
    assert err == f"secretsctl {command[0]}: {NO_CREDENTIALS}\n"


@pytest.mark.parametrize("command", COMMANDS[2:], ids=lambda words: words[0])
def test_an_html_error_page_is_one_line(moto_stack, command, html_endpoint, capsys):
    status, _, err = moto_stack.run(capsys, *command, endpoint_url=html_endpoint)

    assert status == 1
    assert err == (
        f"secretsctl {command[0]}: {moto_stack.full_name('api-token')}: AWS error 403: "
        "403 Forbidden\n"
    )


@pytest.mark.parametrize(("command", "verb"), [("rotate", "rotated"), ("rollback", "rolled back")])
def test_refuses_a_secret_pending_deletion_with_the_restore_command(
    moto_stack, command, verb, capsys
):
    secret_arn = moto_stack.create("api-token", "SENTINEL-pending-3c1f", rotation_enabled=True)
    moto_stack.service.client.delete_secret(SecretId=secret_arn, RecoveryWindowInDays=7)
    before = moto_stack.service.stages(secret_arn)

    status, out, err = moto_stack.run(capsys, command, "api-token")

    name = moto_stack.full_name("api-token")
    assert (status, out) == (1, "")
    assert err.startswith(f"secretsctl {command}: {name}: pending deletion (requested ")
    assert err.endswith(
        f"), so it cannot be {verb}; restore it first: aws secretsmanager restore-secret "
        f"--secret-id {name} --region us-east-1 --endpoint-url {moto_stack.endpoint_url}\n"
    )
    assert err.count("\n") == 1
    assert moto_stack.service.stages(secret_arn) == before


def test_aws_errors_reduce_the_message_to_one_line():
    error = ClientError({"Error": {"Code": "502", "Message": ERROR_PAGE.decode()}}, "ListSecrets")

    with pytest.raises(CommandError) as caught, aws_errors("acme/dev/db"):
        raise error

    assert str(caught.value) == "acme/dev/db: AWS error 502: 403 Forbidden"
