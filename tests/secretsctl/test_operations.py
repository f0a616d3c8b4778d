"""What rotate, rollback and status share: reading the stack, and one-line errors by cause."""

from __future__ import annotations

import argparse

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ProfileNotFound

from secretsctl.errors import CommandError
from secretsctl.operations import (
    aws_errors,
    load_stack,
    run_operation,
    secret_name,
    secret_spec,
)
from tests.secretsctl.moto_stack import CATALOG, unique_prefix, write_stack


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
            2,
            "secretsctl rotate: The config profile (nope) could not be found; check AWS_PROFILE "
            "and --region\n",
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
            1,
            'secretsctl rotate: AWS: Could not connect to the endpoint URL: "http://127.0.0.1:1"\n',
        ),
    ],
)
def test_run_operation_turns_failures_into_one_line_and_a_status(failure, status, message, capsys):
    def operation(_args):
        raise failure

    assert run_operation("rotate", argparse.Namespace(), operation) == status
    assert capsys.readouterr().err == message
