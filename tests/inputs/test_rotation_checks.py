"""A rotation's master and RDS databases in the catalog: names, ARNs, per environment."""

from __future__ import annotations

import pytest

from inputs.catalog_reader import parse_catalog
from inputs.exceptions import InputError

DEV_ACCOUNT, PROD_ACCOUNT = "111122223333", "444455556666"
DEV_MASTER = (
    f"arn:aws:secretsmanager:eu-west-1:{DEV_ACCOUNT}:secret:"
    "rds!db-0b7c9e3a-5d1f-4c8e-9a2b-7f6e5d4c3b2a-AbCdEf"
)
PROD_MASTER = (
    f"arn:aws:secretsmanager:eu-west-1:{PROD_ACCOUNT}:secret:"
    "rds!cluster-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f-GhIjKl"
)
DEV_DB = f"arn:aws:rds:eu-west-1:{DEV_ACCOUNT}:db:app-dev"
DEV_REPLICA = f"arn:aws:rds:eu-west-1:{DEV_ACCOUNT}:db:app-dev-replica-1"
PROD_CLUSTER = f"arn:aws:rds:eu-west-1:{PROD_ACCOUNT}:cluster:app-prod"
PATH = "catalog.yaml: secrets.db.rotation"


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def with_rotation(catalog_data: dict, **rotation) -> dict:
    """The valid catalog plus `db`, an external secret rotated with alternating users."""
    catalog_data["secrets"]["db"] = {
        "description": "The app's PostgreSQL login",
        "external": True,
        "rotation": {"every_days": 30, "strategy": "postgres-alternating-users", **rotation},
    }
    return catalog_data


def test_accepts_a_master_per_environment_and_the_databases_to_describe(catalog_data):
    data = with_rotation(
        catalog_data,
        master={"dev": DEV_MASTER, "prod": PROD_MASTER},
        rds={"dev": [DEV_DB, DEV_REPLICA], "prod": [PROD_CLUSTER]},
    )

    rotation = parse_catalog(data, file="catalog.yaml").secrets["db"].rotation

    assert (rotation.master_in("dev"), rotation.master_in("prod")) == (DEV_MASTER, PROD_MASTER)
    assert rotation.rds_arns_in("dev") == (DEV_DB, DEV_REPLICA)
    assert rotation.rds_arns_in("staging") == ()


def test_accepts_a_catalog_master_in_one_environment_and_rds_own_in_another(catalog_data):
    data = with_rotation(
        catalog_data,
        master={"dev": "stripe-webhook-secret", "prod": PROD_MASTER},
        rds={"prod": [PROD_CLUSTER]},
    )

    rotation = parse_catalog(data, file="catalog.yaml").secrets["db"].rotation

    assert rotation.master_in("dev") == "stripe-webhook-secret"
    assert rotation.rds_arns_in("dev") == ()


def test_a_catalog_master_may_list_the_replicas_its_users_are_on(catalog_data):
    data = with_rotation(catalog_data, master="stripe-webhook-secret", rds={"dev": [DEV_REPLICA]})

    assert parse_catalog(data, file="catalog.yaml").secrets["db"].rotation.rds == {
        "dev": [DEV_REPLICA]
    }


def test_reports_every_problem_of_masters_and_databases_at_once(catalog_data):
    # GIVEN a wildcard master, an unknown environment and a missing one, a non-RDS ARN, a
    # wildcard database, and RDS's secret without its database
    data = with_rotation(
        catalog_data,
        master={"dev": DEV_MASTER.replace("-AbCdEf", "-*"), "staging": DEV_MASTER},
        rds={
            "dev": [f"arn:aws:ec2:eu-west-1:{DEV_ACCOUNT}:instance/i-0abc", f"{DEV_DB[:-7]}*"],
            "qa": [DEV_DB],
        },
    )

    assert problems_of(data) == [
        f"{PATH}.master: unknown environment 'staging'; known: dev, prod",
        f"{PATH}.master: has no master for environment 'prod', where the secret exists",
        f"{PATH}.master.dev: must name exactly one secret, without wildcards, got "
        f"{DEV_MASTER.replace('-AbCdEf', '-*')!r}",
        f"{PATH}.rds: unknown environment 'qa'; known: dev, prod",
        f"{PATH}.rds.dev.0: must be the ARN of an RDS DB instance "
        "(arn:aws:rds:REGION:ACCOUNT:db:NAME) or DB cluster "
        "(arn:aws:rds:REGION:ACCOUNT:cluster:NAME), NAME in lower case, got "
        f"'arn:aws:ec2:eu-west-1:{DEV_ACCOUNT}:instance/i-0abc'",
        f"{PATH}.rds.dev.1: must name exactly one database, without wildcards, got "
        f"{DEV_DB[:-7] + '*'!r}",
    ]


@pytest.mark.parametrize(
    "master",
    [
        f"arn:aws:rds:eu-west-1:{DEV_ACCOUNT}:db:app-dev",
        DEV_MASTER.removesuffix("-AbCdEf"),
        DEV_MASTER.replace("secretsmanager", "ssm"),
        f"arn:aws:secretsmanager:eu-west-1:{DEV_ACCOUNT}:secret:",
    ],
    ids=["rds-arn", "no-suffix", "other-service", "no-name"],
)
def test_rejects_a_master_that_is_no_full_secret_arn(catalog_data, master):
    data = with_rotation(catalog_data, master={"dev": master, "prod": "stripe-webhook-secret"})

    assert problems_of(data) == [
        f"{PATH}.master.dev: must be a catalog secret name or a secret's full ARN "
        "(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX, ending in the 6 characters "
        f"Secrets Manager adds), got {master!r}"
    ]


@pytest.mark.parametrize(
    ("master", "message"),
    [
        (
            DEV_MASTER,
            "a secret ARN names one account and region: give it per environment, as a mapping "
            "of environment -> ARN (e.g. {prod: arn:aws:secretsmanager:...}), got "
            f"{DEV_MASTER!r}",
        ),
        (
            ["db-master"],
            "must be a catalog secret name, or a mapping of environment -> catalog secret name "
            "or secret ARN, got list",
        ),
        (
            {"dev": 5},
            "must be a catalog secret name, or a mapping of environment -> catalog secret name "
            "or secret ARN, got a mapping with other than strings",
        ),
        (
            "bad name!",
            "must be a catalog secret name, or a mapping of environment -> catalog secret name "
            "or secret ARN; a name is 1-256 letters, digits and /_+=.@-, got 'bad name!'",
        ),
    ],
    ids=["one-arn", "list", "number", "bad-name"],
)
def test_rejects_a_master_of_another_shape(catalog_data, master, message):
    assert problems_of(with_rotation(catalog_data, master=master)) == [f"{PATH}.master: {message}"]


def test_a_catalog_master_per_environment_must_exist_there(catalog_data):
    data = with_rotation(catalog_data, master={"dev": "prod-only", "prod": "ghost"})

    assert problems_of(data) == [
        f"{PATH}.master.dev: secret 'prod-only' does not exist in environment 'dev'; "
        "add it to the master's only_in",
        f"{PATH}.master.prod: unknown secret 'ghost'",
    ]


def test_rejects_databases_where_nothing_needs_them(catalog_data):
    # GIVEN databases for a strategy that never asks RDS, and for an environment the secret
    # is not in
    catalog_data["secrets"]["token"] = {
        "description": "x",
        "external": True,
        "rotation": {
            "every_days": 30,
            "strategy": "postgres-single-user",
            "rds": {"dev": [DEV_DB]},
        },
    }
    data = with_rotation(catalog_data, master={"prod": PROD_MASTER}, rds={"dev": [DEV_DB]})
    data["secrets"]["db"]["only_in"] = ["prod"]

    assert problems_of(data) == [
        "catalog.yaml: secrets.token.rotation.rds: only postgres-alternating-users describes "
        "RDS databases",
        f"{PATH}.rds: the secret does not exist in environment 'dev' (only_in: prod); remove the "
        "rds list of 'dev'",
        f"{PATH}.rds.prod: the master of 'prod' is a secret RDS manages for a DB cluster: list "
        "that cluster's ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME) under rds.prod, so that "
        "the rotation may describe it",
    ]


def test_rds_own_secret_needs_its_kind_of_database(catalog_data):
    data = with_rotation(
        catalog_data,
        master={"dev": DEV_MASTER, "prod": PROD_MASTER},
        rds={"dev": [DEV_DB], "prod": [PROD_CLUSTER.replace(":cluster:", ":db:")]},
    )

    assert problems_of(data) == [
        f"{PATH}.rds.prod: the master of 'prod' is a secret RDS manages for a DB cluster: list "
        "that cluster's ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME) under rds.prod, so that "
        "the rotation may describe it"
    ]


def test_one_environments_master_and_databases_are_in_one_account_and_region(catalog_data):
    data = with_rotation(
        catalog_data,
        master={"dev": DEV_MASTER, "prod": "stripe-webhook-secret"},
        rds={
            "dev": [DEV_DB, DEV_REPLICA.replace("eu-west-1", "us-east-1")],
            "prod": [PROD_CLUSTER],
        },
    )

    assert problems_of(data) == [
        f"{PATH}.rds.dev: the master and the RDS databases of 'dev' must be in one partition, "
        f"account and region (the stack's); got aws/{DEV_ACCOUNT}/eu-west-1, "
        f"aws/{DEV_ACCOUNT}/us-east-1"
    ]


@pytest.mark.parametrize(
    ("rds", "message"),
    [
        ({"dev": []}, "rds.dev: must list at least one ARN"),
        (
            {"dev": DEV_DB},
            "rds.dev: must be a list, got 'arn:aws:rds:eu-west-1:111122223333:db:app-dev'",
        ),
        (
            {"dev": [DEV_DB.replace("app-dev", "App-Dev")]},
            "rds.dev.0: must be the ARN of an RDS DB instance (arn:aws:rds:REGION:ACCOUNT:db:NAME) "
            "or DB cluster (arn:aws:rds:REGION:ACCOUNT:cluster:NAME), NAME in lower case, got "
            f"{DEV_DB.replace('app-dev', 'App-Dev')!r}",
        ),
    ],
    ids=["empty", "not-a-list", "upper-case"],
)
def test_rejects_a_database_list_that_names_no_database(catalog_data, rds, message):
    data = with_rotation(catalog_data, master="stripe-webhook-secret", rds=rds)

    assert problems_of(data) == [f"{PATH}.{message}"]
