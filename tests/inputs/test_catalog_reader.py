"""Reading catalog.yaml: the committed file loads, and every problem is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inputs.catalog_reader import (
    load_catalog,
    parse_catalog,
    parse_catalog_partially,
    read_catalog,
)
from inputs.exceptions import InputError

PROJECT_DIR = Path(__file__).resolve().parents[2]


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def test_committed_catalog_loads():
    catalog = load_catalog(PROJECT_DIR / "catalog.yaml")

    assert catalog.environments == ["dev", "prod"]
    assert {"admin-token", "openai-api-key", "stripe-webhook-secret", "app-config"} <= set(
        catalog.secrets
    )
    assert catalog.secrets["app-config"].source == "fields"
    assert catalog.secrets["stripe-webhook-secret"].source == "external"


def test_rejects_unknown_keys_naming_what_is_allowed(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"]["lenght"] = 12
    catalog_data["secrets"]["admin-token"]["owner"] = "me"
    catalog_data["extra"] = 1

    problems = problems_of(catalog_data)

    assert "catalog.yaml: extra: unknown key; allowed: environments, secrets, services" in problems
    assert (
        "catalog.yaml: secrets.admin-token.generate.lenght: unknown key; "
        "allowed: length, special, upper, lower, numeric, exclude_characters, generation"
    ) in problems
    assert any(
        line.startswith(
            "catalog.yaml: secrets.admin-token.owner: unknown key; allowed: description"
        )
        for line in problems
    )


def test_rejects_bad_names(catalog_data):
    catalog_data["secrets"]["bad name!"] = {"description": "x", "external": True}
    catalog_data["services"]["Bad_Service"] = {}
    catalog_data["services"]["api"]["env"]["1BAD"] = "admin-token"

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.bad name!: bad name: must be 1-256 letters, digits and /_+=.@-"
        in problems
    )
    assert any(line.startswith("catalog.yaml: services.Bad_Service: bad name") for line in problems)
    assert any(line.startswith("catalog.yaml: services.api.env.1BAD") for line in problems)


def test_rejects_a_secret_name_longer_than_256(catalog_data):
    catalog_data["secrets"]["x" * 257] = {"description": "x", "external": True}

    assert problems_of(catalog_data) == [
        f"catalog.yaml: secrets.{'x' * 257}: bad name: must be 1-256 letters, digits and /_+=.@-"
    ]


@pytest.mark.parametrize("raw", [None, [], "secrets"])
def test_rejects_a_file_that_is_not_a_mapping(raw):
    catalog, problems = parse_catalog_partially(raw, file="catalog.yaml")

    assert problems == ["catalog.yaml: must be a mapping with keys environments, secrets, services"]
    assert (catalog.environments, catalog.secrets, catalog.services) == ([], {}, {})


def test_rejects_missing_top_level_keys():
    assert problems_of({}) == [
        "catalog.yaml: environments: is required: the environments the stacks deploy",
        "catalog.yaml: secrets: is required",
    ]


def test_rejects_empty_or_bad_environments(catalog_data):
    catalog_data["environments"] = []
    assert problems_of(catalog_data) == [
        "catalog.yaml: environments: must name at least one environment"
    ]

    catalog_data["environments"] = "dev"
    assert problems_of(catalog_data) == ["catalog.yaml: environments: must be a list, got 'dev'"]


def test_rejects_entries_that_are_not_a_mapping(catalog_data):
    catalog_data["services"] = ["api"]

    assert problems_of(catalog_data) == [
        "catalog.yaml: services: must be a mapping of name -> settings"
    ]


def test_reports_every_problem_at_once(catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_data["secrets"]["app-config"]["fields"]["REDIS_PASSWORD"]["generate"]["length"] = 1
    catalog_data["services"]["api"]["env"]["MISSING"] = "nope"
    catalog_data["environments"] = ["dev", "Prod"]

    problems = problems_of(catalog_data)

    assert len(problems) == 4, problems


def test_partial_read_keeps_the_valid_entries(catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_data["services"]["worker"] = {"env": {"GHOST": "no-such-secret"}}

    catalog, problems = parse_catalog_partially(catalog_data, file="catalog.yaml")

    assert "admin-token" not in catalog.secrets
    assert "openai-api-key" in catalog.secrets
    assert "worker" not in catalog.services
    assert "api" in catalog.services  # its reference to the invalid admin-token is not repeated
    assert problems == [
        "catalog.yaml: secrets.admin-token.description: is required",
        "catalog.yaml: services.worker.env.GHOST: unknown secret 'no-such-secret'",
    ]


def test_reports_a_secret_declared_twice_with_the_other_problems(tmp_path):
    # GIVEN a catalog that declares one secret twice, and has another problem
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "environments: [dev]\n"
        "secrets:\n"
        "  db:\n"
        "    description: first\n"
        "    external: true\n"
        "  db:\n"
        "    description: second\n"
        "    generate: {length: 2}\n",
        encoding="utf-8",
    )

    # WHEN it is read THEN both are reported at once, the duplicate with its lines
    _, problems = read_catalog(path)
    assert problems[0] == (
        "catalog.yaml: secrets.db: duplicate key 'db' at line 6, first at line 3; YAML would "
        "keep only the last one, so remove or rename one of them"
    )
    assert any("secrets.db.generate.length" in line for line in problems[1:])


def test_load_reports_yaml_errors_with_the_line(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("secrets:\n  a: [unclosed\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load_catalog(path)

    assert caught.value.problems[0].startswith("catalog.yaml: line ")
    assert "not valid YAML" in caught.value.problems[0]


def test_bad_yaml_never_quotes_the_line_it_stopped_at(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "environments: [dev]\nsecrets:\n  x: {description: [SENTINEL-yaml-91aa\n  y: 1\n",
        encoding="utf-8",
    )

    _, problems = read_catalog(path)

    (line,) = problems
    assert line.startswith("catalog.yaml: line ")
    assert "not valid YAML" in line
    assert "SENTINEL" not in line


def test_load_reports_a_missing_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_catalog(tmp_path / "nope.yaml")

    assert caught.value.problems == [f"{tmp_path / 'nope.yaml'}: file not found"]


def test_read_returns_the_problems_without_raising(tmp_path):
    catalog, problems = read_catalog(tmp_path / "nope.yaml")

    assert problems == [f"{tmp_path / 'nope.yaml'}: file not found"]
    assert catalog.secrets == {}


def test_read_hands_out_a_fresh_problem_list(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    catalog_data["extra"] = 1
    path.write_text(yaml.safe_dump(catalog_data), encoding="utf-8")

    _, first = read_catalog(path)
    first.clear()
    _, second = read_catalog(path)

    assert second == ["catalog.yaml: extra: unknown key; allowed: environments, secrets, services"]


def test_load_rereads_a_changed_file(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog_data), encoding="utf-8")
    assert "admin-token" in load_catalog(path).secrets

    del catalog_data["secrets"]["admin-token"]
    catalog_data["services"]["api"]["env"].pop("ADMIN_TOKEN")
    path.write_text(yaml.safe_dump(catalog_data) + "\n# changed\n", encoding="utf-8")

    assert "admin-token" not in load_catalog(path).secrets
