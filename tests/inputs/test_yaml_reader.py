"""Reading YAML: the safe loader, and every duplicate key reported with its lines."""

from __future__ import annotations

import pytest
import yaml

from inputs.yaml_reader import YAML_LOADER, load_yaml


def test_yaml_loader_is_safe():
    with pytest.raises(yaml.YAMLError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=YAML_LOADER)
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']", file="x.yaml")


def test_loads_what_yaml_load_loads():
    text = "a: 1\nb: [x, {c: true}]\nd: &anchor {e: 2}\nf: {<<: *anchor, g: 3}\n"

    data, problems = load_yaml(text, file="x.yaml")

    assert data == yaml.load(text, Loader=YAML_LOADER)
    assert problems == []


def test_an_empty_document_is_none():
    assert load_yaml("", file="x.yaml") == (None, [])


def test_reports_every_duplicate_at_every_depth():
    text = (
        "config:\n"  # 1
        "  app-secrets:prefix: a\n"  # 2
        "  aws:region: eu-west-1\n"  # 3
        "  app-secrets:prefix: b\n"  # 4
        "list:\n"  # 5
        "  - {k: 1, k: 2}\n"  # 6
        "config: {}\n"  # 7
    )

    _, problems = load_yaml(text, file="Pulumi.dev.yaml")

    assert problems == [
        "Pulumi.dev.yaml: config.app-secrets:prefix: duplicate key 'app-secrets:prefix' at line "
        "4, first at line 2; YAML would keep only the last one, so remove or rename one of them",
        "Pulumi.dev.yaml: list.0.k: duplicate key 'k' at line 6, first at line 6; YAML would "
        "keep only the last one, so remove or rename one of them",
        "Pulumi.dev.yaml: config: duplicate key 'config' at line 7, first at line 1; YAML "
        "would keep only the last one, so remove or rename one of them",
    ]


def test_keys_of_different_types_are_not_duplicates():
    # `1` is an integer key and `"1"` a string one: YAML keeps both.
    data, problems = load_yaml('1: a\n"1": b\n', file="x.yaml")

    assert data == {1: "a", "1": "b"}
    assert problems == []
