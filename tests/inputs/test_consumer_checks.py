"""Consumer checks: a single-user login received through `env`, and accept_restart_gap's place."""

from __future__ import annotations

import pytest
import yaml

from bench.catalogs import generated_catalog
from inputs.catalog_reader import parse_catalog
from inputs.exceptions import InputError
from tests.conftest import PROJECT_DIR

SINGLE_USER_DB = {
    "description": "PostgreSQL login of the app",
    "external": True,
    "rotation": {"every_days": 7, "strategy": "postgres-single-user"},
}
FIXES = (
    "Use postgres-alternating-users, read it with runtime_read and a cache that refreshes on an "
    "authentication failure (docs/consumers.md), or accept the gap with "
    "rotation.accept_restart_gap: true"
)


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def with_single_user_db(catalog_data: dict, **rotation: object) -> dict:
    catalog_data["secrets"]["db"] = {
        **SINGLE_USER_DB,
        "rotation": {**SINGLE_USER_DB["rotation"], **rotation},
    }
    return catalog_data


def test_rejects_a_single_user_login_a_service_receives_through_env(catalog_data):
    # GIVEN a single-user rotation that the api receives as a container variable
    with_single_user_db(catalog_data)
    catalog_data["services"]["api"]["env"]["DB_LOGIN"] = "db"

    # WHEN the catalog is read, THEN it is a problem naming the secret, the service and the fixes
    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.db.rotation.strategy: postgres-single-user stops the old password "
        "at each rotation's setSecret, and service 'api' receives 'db' through env, which ECS "
        f"resolves once at task start: their tasks fail to log in until they are replaced. {FIXES}"
    ]


def test_rejects_it_once_naming_every_service_and_a_json_key_reference(catalog_data):
    fields = {name: {"value": "x"} for name in ("engine", "host", "port", "username", "dbname")}
    catalog_data["secrets"]["db"] = {
        "description": "x",
        "fields": {**fields, "password": {"generate": {"length": 32}}},
        "rotation": SINGLE_USER_DB["rotation"],
    }
    catalog_data["services"]["api"]["env"]["DB_PASSWORD"] = "db:password"
    catalog_data["services"]["worker"] = {"env": {"DB_USER": "db:username"}}

    (problem,) = problems_of(catalog_data)

    assert "and services 'api', 'worker' receive 'db' through env" in problem


def test_accepts_the_documented_opt_out(catalog_data):
    with_single_user_db(catalog_data, accept_restart_gap=True)
    catalog_data["services"]["api"]["env"]["DB_LOGIN"] = "db"

    assert parse_catalog(catalog_data, file="catalog.yaml").secrets["db"].rotation


def test_accepts_a_single_user_login_read_at_runtime(catalog_data):
    # a runtime reader can refresh on an authentication failure: an advisory of the plan
    with_single_user_db(catalog_data)
    catalog_data["services"]["api"]["runtime_read"].append("db")

    assert parse_catalog(catalog_data, file="catalog.yaml").services["api"].runtime_read


def test_ignores_a_service_that_never_exists_where_the_secret_does(catalog_data):
    with_single_user_db(catalog_data)
    catalog_data["secrets"]["db"]["only_in"] = ["prod"]
    catalog_data["services"]["dev-tool"] = {"env": {"DB_LOGIN": "db"}, "only_in": ["dev"]}

    (problem,) = problems_of(catalog_data)

    assert "secret 'db' does not exist in environment 'dev'" in problem


@pytest.mark.parametrize("strategy", ["token", "postgres-alternating-users"])
def test_rejects_accept_restart_gap_on_another_strategy(catalog_data, strategy):
    rotation = {"every_days": 30, "strategy": strategy, "accept_restart_gap": True}
    if strategy == "postgres-alternating-users":
        catalog_data["secrets"]["db-master"] = {"description": "x", "external": True}
        rotation["master"] = "db-master"
    catalog_data["secrets"]["rotated"] = {
        "description": "x",
        "external": True,
        "rotation": rotation,
    }

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.rotated.rotation.accept_restart_gap: is only for "
        "postgres-single-user, the one strategy whose old value stops working at setSecret; "
        f"with {strategy} it means nothing: remove it"
    ]


def test_the_committed_and_generated_catalogs_have_no_consumer_problem():
    committed = yaml.safe_load((PROJECT_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    generated = generated_catalog(secrets=200, services=20, widest_service=60, rotate_every=1)

    for data in (committed, generated):
        assert parse_catalog(data, file="catalog.yaml").secrets
