"""The catalog models: defaults, per-field limits, and the helpers the later layers use."""

from __future__ import annotations

import pytest

from inputs.catalog import (
    RANDOM_SPECIALS,
    Catalog,
    FieldSpec,
    GenerateSpec,
    SecretSpec,
    ServiceSpec,
    TaskSpec,
    split_reference,
)
from inputs.catalog_reader import parse_catalog
from inputs.exceptions import InputError


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_catalog(data, file="catalog.yaml")
    return caught.value.problems


def test_valid_catalog_parses_with_defaults(catalog_data):
    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    generate = catalog.secrets["app-config"].fields["REDIS_PASSWORD"].generate
    assert (generate.length, generate.special, generate.generation) == (32, True, 1)
    assert catalog.services["api"].task is None
    assert list(catalog.secrets_in("dev")) == [
        "admin-token",
        "openai-api-key",
        "stripe-webhook-secret",
        "app-config",
    ]
    assert "prod-only" in catalog.secrets_in("prod")


def test_models_default_every_optional_field():
    secret = SecretSpec(description="x", external=True)
    service = ServiceSpec()
    task = TaskSpec(image="nginx")

    assert (secret.tags, secret.only_in, secret.rotation, secret.fields) == ({}, None, None, None)
    assert (service.env, service.runtime_read, service.only_in, service.task) == (
        {},
        [],
        None,
        None,
    )
    assert (task.cpu, task.memory, task.environment) == (256, 512, {})
    assert FieldSpec() == FieldSpec(generate=None, config=None, value=None)


def test_models_are_frozen():
    spec = GenerateSpec()

    with pytest.raises(ValueError, match="frozen"):
        spec.length = 64


def test_config_uses_name_the_path(catalog_data):
    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.config_uses() == [
        ("openaiApiKey", "openai-api-key", "secrets.openai-api-key"),
        ("smtpPassword", "app-config", "secrets.app-config.fields.SMTP_PASSWORD"),
    ]


@pytest.mark.parametrize(
    ("body", "source"),
    [
        ({"generate": {}}, "generate"),
        ({"config": "someKey"}, "config"),
        ({"external": True}, "external"),
        ({"fields": {"A": {"value": 1}}}, "fields"),
    ],
)
def test_source_names_the_kind_of_value(body, source):
    assert SecretSpec(description="x", **body).source == source


def test_specials_are_the_random_punctuation_less_the_excluded():
    assert GenerateSpec().specials == RANDOM_SPECIALS
    assert GenerateSpec(special=False).specials == ""
    assert GenerateSpec(exclude_characters="!@/").specials == RANDOM_SPECIALS[2:]


def test_exists_in_every_environment_unless_limited():
    catalog = Catalog(
        environments=["dev", "prod"],
        secrets={
            "everywhere": SecretSpec(description="x", external=True),
            "prod-only": SecretSpec(description="x", external=True, only_in=["prod"]),
        },
        services={"billing": ServiceSpec(only_in=["prod"])},
    )

    assert list(catalog.secrets_in("dev")) == ["everywhere"]
    assert list(catalog.secrets_in("prod")) == ["everywhere", "prod-only"]
    assert catalog.services_in("dev") == {}
    assert list(catalog.services_in("prod")) == ["billing"]


def test_split_reference():
    assert split_reference("app-config:REDIS_PASSWORD") == ("app-config", "REDIS_PASSWORD")
    assert split_reference("admin-token") == ("admin-token", None)


def test_rejects_missing_description(catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.description: is required"
    ]


def test_rejects_a_description_longer_than_aws_allows(catalog_data):
    catalog_data["secrets"]["admin-token"]["description"] = "x" * 2049

    (line,) = problems_of(catalog_data)

    assert line.startswith("catalog.yaml: secrets.admin-token.description: ")
    assert "2048" in line


@pytest.mark.parametrize("length", [0, 7, 4097])
def test_rejects_lengths_out_of_range(catalog_data, length):
    catalog_data["secrets"]["admin-token"]["generate"]["length"] = length

    assert problems_of(catalog_data) == [
        f"catalog.yaml: secrets.admin-token.generate.length: must be between 8 and 4096, got {length}"
    ]


@pytest.mark.parametrize("length", [8, 4096])
def test_accepts_the_limits_of_the_length(catalog_data, length):
    catalog_data["secrets"]["admin-token"]["generate"]["length"] = length

    catalog = parse_catalog(catalog_data, file="catalog.yaml")

    assert catalog.secrets["admin-token"].generate.length == length


def test_generate_allows_every_class_by_default_as_pulumi_random_does():
    generate = GenerateSpec()

    assert (generate.upper, generate.lower, generate.numeric) == (True, True, True)


@pytest.mark.parametrize(
    "kept", [{"upper": True}, {"lower": True}, {"numeric": True}, {"special": True}]
)
def test_accepts_a_generate_block_with_one_class_left(catalog_data, kept):
    classes = {"upper": False, "lower": False, "numeric": False, "special": False, **kept}
    catalog_data["secrets"]["admin-token"]["generate"] = {"length": 64, **classes}

    generate = parse_catalog(catalog_data, file="catalog.yaml").secrets["admin-token"].generate

    assert (generate.upper, generate.lower, generate.numeric, generate.special) == tuple(
        classes[name] for name in ("upper", "lower", "numeric", "special")
    )


def test_rejects_a_generate_block_that_leaves_no_character_class(catalog_data):
    none_left = {"upper": False, "lower": False, "numeric": False, "special": False}
    catalog_data["secrets"]["admin-token"]["generate"] = {"length": 64, **none_left}
    catalog_data["secrets"]["app-config"]["fields"]["REDIS_PASSWORD"]["generate"] = none_left

    assert problems_of(catalog_data) == [
        f"catalog.yaml: {path}: leaves no character class to draw from: upper, lower, numeric "
        "and special are all false; set at least one of them to true"
        for path in (
            "secrets.admin-token.generate",
            "secrets.app-config.fields.REDIS_PASSWORD.generate",
        )
    ]


def test_rejects_excluding_every_special_when_no_other_class_is_left(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"] = {
        "upper": False,
        "lower": False,
        "numeric": False,
        "exclude_characters": RANDOM_SPECIALS,
    }

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.generate: leaves no character class to draw from: "
        "upper, lower and numeric are false and exclude_characters removes every special "
        f"character ({RANDOM_SPECIALS}); set one of upper, lower, numeric to true or exclude fewer"
    ]


def test_rejects_wrong_types_saying_what_was_received(catalog_data):
    catalog_data["secrets"]["admin-token"]["generate"]["length"] = "64"
    catalog_data["secrets"]["admin-token"]["generate"]["special"] = "no"

    problems = problems_of(catalog_data)

    assert (
        "catalog.yaml: secrets.admin-token.generate.length: must be a whole number, got '64'"
        in problems
    )
    assert (
        "catalog.yaml: secrets.admin-token.generate.special: must be true or false, got 'no'"
        in problems
    )


def test_rejects_a_fractional_field_value(catalog_data):
    catalog_data["secrets"]["app-config"]["fields"]["SMTP_HOST"]["value"] = 1.5

    problems = problems_of(catalog_data)

    assert problems
    assert all(
        line.startswith("catalog.yaml: secrets.app-config.fields.SMTP_HOST.value")
        for line in problems
    )


def test_rejects_reserved_and_malformed_tags(catalog_data):
    catalog_data["secrets"]["admin-token"]["tags"] = {"ManagedBy": "me", "aws:owner": "x"}

    assert problems_of(catalog_data) == [
        "catalog.yaml: secrets.admin-token.tags: tag 'ManagedBy' is set by app-secrets and cannot be "
        "overridden; tag 'aws:owner': keys starting with 'aws:' are reserved by AWS"
    ]


def test_a_task_has_a_read_only_root_unless_it_opts_out():
    from inputs.catalog import TaskSpec

    assert TaskSpec.model_validate({"image": "x"}).read_only_root is True
    assert TaskSpec.model_validate({"image": "x", "read_only_root": False}).read_only_root is False
    with pytest.raises(ValueError):
        TaskSpec.model_validate({"image": "x", "read_only_root": "no"})
