"""share_with: exact role or root ARNs of other accounts, in environments the secret exists in."""

from __future__ import annotations

import pytest

from inputs.catalog_reader import parse_catalog
from inputs.exceptions import InputError
from secretsctl.__main__ import main

READER = "arn:aws:iam::444455556666:role/billing-reader"


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def test_accepts_roles_with_paths_and_account_roots(catalog_data):
    catalog_data["secrets"]["admin-token"]["share_with"] = {
        "prod": [
            READER,
            "arn:aws:iam::444455556666:role/team/app/reader",
            "arn:aws:iam::777788889999:root",
        ]
    }

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert len(catalog.secrets["admin-token"].shared_with_in("prod")) == 3
    assert catalog.secrets["admin-token"].shared_with_in("dev") == ()


def test_rejects_every_bad_share_at_once(catalog_data):
    # GIVEN a wildcard, a user, a bad ARN, a duplicate, an unknown and an absent environment
    catalog_data["secrets"]["admin-token"]["share_with"] = {
        "prod": [
            "arn:aws:iam::444455556666:role/*",
            "arn:aws:iam::*:root",
            "arn:aws:iam::444455556666:user/alice",
            "444455556666",
            READER,
            READER,
        ],
        "staging": [READER],
    }
    catalog_data["secrets"]["prod-only"]["share_with"] = {"dev": [READER]}

    problems = problems_of(catalog_data)

    path = "catalog.yaml: secrets.admin-token.share_with"
    assert (
        f"{path}.prod.0: must name exactly one role or account, without wildcards (* or ?), got 'arn:aws:iam::444455556666:role/*'"
        in problems
    )
    assert any(p.startswith(f"{path}.prod.1: must name exactly one role") for p in problems)
    assert any(p.startswith(f"{path}.prod.2: must be the ARN of an IAM role") for p in problems)
    assert any(p.startswith(f"{path}.prod.3: must be the ARN of an IAM role") for p in problems)
    assert f"{path}.prod.5: lists '{READER}' twice" in problems
    assert any(p.startswith(f"{path}.staging: unknown environment 'staging'") for p in problems)
    assert any(
        p.startswith("catalog.yaml: secrets.prod-only.share_with.dev: the secret does not exist")
        for p in problems
    )
    assert len(problems) == 7


def test_rejects_an_empty_list(catalog_data):
    catalog_data["secrets"]["admin-token"]["share_with"] = {"prod": []}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.share_with.prod: must name at least one principal"
    ]


def test_rejects_the_stacks_own_account_when_accountId_is_set(write_project, catalog_data, capsys):
    # GIVEN a principal of the account the stack file names
    catalog_data["secrets"]["admin-token"]["share_with"] = {
        "prod": ["arn:aws:iam::210987654321:role/own", READER]
    }
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "acme",
        "app-secrets:accountId": "210987654321",
    }
    catalog_path, stack_path = write_project(catalog_data, config, stack="prod")
    args = ["plan", "--stack", "prod", "--catalog", str(catalog_path)]
    args += ["--stack-file", str(stack_path), "--placeholders"]

    # WHEN the plan runs THEN it exits 2, naming share_with and services:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert (
        "catalog.yaml: secrets.admin-token.share_with.prod.0: "
        "'arn:aws:iam::210987654321:role/own' is in the stack's own account 210987654321: "
        "grant its principals through services: (env or runtime_read) instead"
    ) in err
    assert "Traceback" not in err


def test_without_accountId_the_plan_rejects_the_account_it_assumes(
    write_project, catalog_data, capsys
):
    # GIVEN no accountId: the plan assumes 123456789012, as its mock provider answers
    catalog_data["secrets"]["admin-token"]["share_with"] = {
        "prod": ["arn:aws:iam::123456789012:role/own"]
    }
    config = {"aws:region": "eu-west-1", "app-secrets:prefix": "acme"}
    catalog_path, stack_path = write_project(catalog_data, config, stack="prod")
    args = ["plan", "--stack", "prod", "--catalog", str(catalog_path)]
    args += ["--stack-file", str(stack_path), "--placeholders"]

    # WHEN the plan runs THEN it stops as bad input before the program, naming share_with
    assert main(args) == 2
    err = capsys.readouterr().err
    assert (
        "catalog.yaml: secrets.admin-token.share_with.prod.0: "
        "'arn:aws:iam::123456789012:role/own' is in the stack's own account 123456789012"
    ) in err
