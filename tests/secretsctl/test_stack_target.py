"""The one target loader of the AWS commands: validated inputs, no value read, region, client."""

from __future__ import annotations

import argparse

import pytest

from design.stack_inputs import UNREAD
from inputs.exceptions import InputError
from secretsctl.stack_target import add_stack_arguments, load_target, target_from_args

SENTINEL = "SENTINEL-target-9d2b-never-print"


def config(**extra) -> dict:
    return {"aws:region": "eu-west-1", "app-secrets:prefix": "acme", **extra}


def test_loads_the_stack_without_any_value(write_project, catalog_data):
    # GIVEN a stack whose values are encrypted (secure:), which these commands cannot read
    catalog_path, stack_path = write_project(
        catalog_data,
        config(**{"app-secrets:openaiApiKey": {"secure": "v1:abc"}}),
    )

    # WHEN the target is loaded
    target = load_target(stack="dev", catalog_path=catalog_path, stack_path=stack_path)

    # THEN it validates the catalog and settings and knows the stack's names and region
    assert target.inputs.names.secret_full_name("admin-token") == "acme/dev/admin-token"
    assert target.region == "eu-west-1"
    assert target.catalog_path == catalog_path


def test_an_absent_value_is_no_problem(write_project, catalog_data):
    catalog_path, stack_path = write_project(catalog_data, config())

    target = load_target(stack="dev", catalog_path=catalog_path, stack_path=stack_path)

    assert target.inputs.settings.prefix == "acme"


def test_region_flag_overrides_the_stack_file(write_project, catalog_data):
    catalog_path, stack_path = write_project(catalog_data, config())

    target = load_target(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, region="us-west-2"
    )

    assert target.region == "us-west-2"


def test_rejects_a_stack_without_region_and_every_other_problem(write_project, catalog_data):
    catalog_path, stack_path = write_project(
        catalog_data, {"app-secrets:prefix": "BAD", "app-secrets:openaiApiKey": SENTINEL}
    )

    with pytest.raises(InputError) as caught:
        load_target(stack="dev", catalog_path=catalog_path, stack_path=stack_path)

    problems = caught.value.problems
    assert "Pulumi.dev.yaml: aws:region: is required (or pass --region)" in problems
    assert any(line.startswith("Pulumi.dev.yaml: app-secrets:prefix:") for line in problems)
    assert SENTINEL not in "\n".join(problems)
    assert UNREAD not in "\n".join(problems)


def test_target_from_args_uses_every_stack_argument(write_project, catalog_data):
    catalog_path, stack_path = write_project(catalog_data, config())
    parser = argparse.ArgumentParser()
    add_stack_arguments(parser)
    args = parser.parse_args(
        [
            "--stack",
            "dev",
            "--catalog",
            str(catalog_path),
            "--stack-file",
            str(stack_path),
            "--region",
            "ap-south-1",
            "--endpoint-url",
            "http://127.0.0.1:5000",
        ]
    )

    target = target_from_args(args)

    assert (target.region, target.endpoint_url) == ("ap-south-1", "http://127.0.0.1:5000")
    client = target.client("secretsmanager")
    assert client.meta.region_name == "ap-south-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:5000"
