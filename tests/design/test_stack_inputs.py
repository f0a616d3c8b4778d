"""Catalog x stack: the values an environment needs are set, set as secrets, never echoed."""

from __future__ import annotations

import pytest
import yaml

from design.naming import StackNames
from design.stack_inputs import PLACEHOLDER, UNREAD, Mode, StackInputs, load_stack_inputs
from inputs.exceptions import InputError
from inputs.stackfile import StackConfig

SENTINEL = "SENTINEL-7f3a-do-not-print"
CONFIG_KEYS = {"openaiApiKey", "smtpPassword"}
"""The `config:` values the valid catalog's dev environment needs."""


@pytest.fixture
def catalog_file(tmp_path, catalog_data):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    return path


def load_all(
    catalog_file,
    config: dict,
    secret_keys: set[str],
    *,
    stack: str = "dev",
    mode: Mode = Mode.DEPLOY,
    file_region: str | None = "eu-west-1",
    region: str | None = None,
    placeholders: bool = False,
) -> tuple[StackInputs, dict[str, str], set[str]]:
    return load_stack_inputs(
        StackConfig(
            file=f"Pulumi.{stack}.yaml",
            values=config,
            secret_keys=frozenset(secret_keys),
            region=file_region,
        ),
        stack=stack,
        mode=mode,
        project_dir=catalog_file.parent,
        region=region,
        placeholders=placeholders,
    )


def load(catalog_file, config: dict, secret_keys: set[str], **options) -> StackInputs:
    inputs, _, _ = load_all(catalog_file, config, secret_keys, **options)
    return inputs


def problems_of(catalog_file, config: dict, secret_keys: set[str], **options) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_all(catalog_file, config, secret_keys, **options)
    return caught.value.problems


def test_loads_the_secrets_of_the_environment(catalog_file):
    config = {"prefix": "acme", "openaiApiKey": SENTINEL, "smtpPassword": SENTINEL}

    inputs = load(catalog_file, config, {"openaiApiKey", "smtpPassword"})

    assert list(inputs.secrets) == [
        "admin-token",
        "openai-api-key",
        "stripe-webhook-secret",
        "app-config",
    ]
    assert list(inputs.services) == ["api"]


def test_inputs_name_the_stack_from_its_prefix_and_environment(catalog_file):
    config = {"prefix": "acme-web", "environment": "prod", "openaiApiKey": "x", "smtpPassword": "x"}

    inputs = load(catalog_file, config, CONFIG_KEYS, stack="web-prod")

    assert inputs.names == StackNames(prefix="acme-web", environment="prod")
    assert "prod-only" in inputs.secrets
    assert inputs.region == "eu-west-1"


def test_secret_tags_add_the_secrets_own_and_its_rotation(catalog_file, catalog_data):
    catalog_data["secrets"]["admin-token"]["tags"] = {"DataClass": "pci"}
    catalog_data["secrets"]["admin-token"]["rotation"] = {"every_days": 30, "strategy": "token"}
    catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    config = {
        "prefix": "acme",
        "tags": '{"Team": "core"}',
        "openaiApiKey": "x",
        "smtpPassword": "x",
    }

    inputs = load(catalog_file, config, CONFIG_KEYS)

    assert inputs.secret_tags(inputs.secrets["admin-token"]) == {
        "Team": "core",
        "DataClass": "pci",
        "Project": "acme",
        "Environment": "dev",
        "ManagedBy": "pulumi",
        "RotationStrategy": "token",
    }
    assert "RotationStrategy" not in inputs.secret_tags(inputs.secrets["openai-api-key"])


def test_rejects_a_config_value_absent_from_the_stack(catalog_file):
    with pytest.raises(InputError) as caught:
        load(catalog_file, {"prefix": "acme", "smtpPassword": SENTINEL}, {"smtpPassword"})

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it); "
        "run: pulumi config set --secret openaiApiKey --stack dev (it prompts for the value)"
    ]


def test_rejects_a_plaintext_value_without_echoing_it(catalog_file):
    with pytest.raises(InputError) as caught:
        load(
            catalog_file,
            {"prefix": "acme", "openaiApiKey": SENTINEL, "smtpPassword": SENTINEL},
            {"smtpPassword"},
        )

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is stored in plaintext "
        "(secrets.openai-api-key needs a secret); "
        "run: pulumi config set --secret openaiApiKey --stack dev (it prompts for the value)"
    ]
    assert SENTINEL not in str(caught.value)


def test_rejects_an_environment_the_catalog_does_not_know(catalog_file):
    with pytest.raises(InputError) as caught:
        load(
            catalog_file,
            {"prefix": "acme", "environment": "qa", "openaiApiKey": "x", "smtpPassword": "x"},
            {"openaiApiKey", "smtpPassword"},
        )

    assert caught.value.problems == [
        "Pulumi.dev.yaml: app-secrets:environment: 'qa' is not an environment of the catalog; "
        "known: dev, prod"
    ]


def test_reports_catalog_and_stack_problems_together(catalog_file, catalog_data):
    del catalog_data["secrets"]["admin-token"]["description"]
    catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load(catalog_file, {"recoveryWindowDays": "3"}, set())

    assert caught.value.problems == [
        "catalog.yaml: secrets.admin-token.description: is required",
        "Pulumi.dev.yaml: app-secrets:prefix: is required",
        "Pulumi.dev.yaml: app-secrets:recoveryWindowDays: "
        "must be 0 (delete at once) or between 7 and 30, got 3",
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it); "
        "run: pulumi config set --secret openaiApiKey --stack dev (it prompts for the value)",
        "Pulumi.dev.yaml: app-secrets:smtpPassword: is not set "
        "(secrets.app-config.fields.SMTP_PASSWORD needs it); "
        "run: pulumi config set --secret smtpPassword --stack dev (it prompts for the value)",
    ]


def test_values_of_secrets_outside_the_environment_are_not_required(catalog_file, catalog_data):
    catalog_data["secrets"]["openai-api-key"]["only_in"] = ["prod"]
    catalog_data["services"]["api"]["runtime_read"] = []
    catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")

    inputs = load(catalog_file, {"prefix": "acme", "smtpPassword": "x"}, {"smtpPassword"})

    assert "openai-api-key" not in inputs.secrets


def test_rejects_a_service_whose_grants_cannot_fit_iam(tmp_path):
    secrets = {f"s{index:04d}": {"description": "x", "external": True} for index in range(1500)}
    catalog = {
        "environments": ["dev"],
        "secrets": secrets,
        "services": {"wide": {"env": {f"V{name}": name for name in secrets}}},
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load(path, {"prefix": "acme"}, set())

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(
        "catalog.yaml: services.wide.env: too many secrets for one IAM role: 1500 secrets need"
    )


def test_rejects_rotated_secrets_that_leave_no_slot_for_the_masters_policy(tmp_path):
    # GIVEN 723 rotated secrets: they fill the rotation role's ten managed-policy slots
    secrets = {
        f"s{index:04d}": {
            "description": "x",
            "external": True,
            "rotation": {"every_days": 30, "strategy": "token"},
        }
        for index in range(723)
    }
    catalog = {"environments": ["dev"], "secrets": secrets}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    assert load(path, {"prefix": "acme"}, set()).secrets

    # WHEN one of them rotates with a master, whose read-only policy needs a slot of its own
    secrets["s0000"]["rotation"] = {
        "every_days": 30,
        "strategy": "postgres-alternating-users",
        "master": "master",
    }
    secrets["master"] = {"description": "x", "external": True}
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")

    # THEN
    with pytest.raises(InputError) as caught:
        load(path, {"prefix": "acme"}, set())
    assert caught.value.problems[0].startswith(
        "catalog.yaml: rotation: too many secrets for one IAM role: 723 secrets need"
    )


# The three modes: what each does with a `config:` value it does not have.


def test_deploy_reports_an_absent_and_a_plaintext_value_and_never_fills_one(catalog_file):
    # GIVEN a stack under the engine with one value missing and one in plaintext
    config = {"prefix": "acme", "smtpPassword": SENTINEL}

    # WHEN placeholders are even asked for
    problems = problems_of(catalog_file, config, set(), mode=Mode.DEPLOY, placeholders=True)

    # THEN both are reported, and the engine's missing region is not
    assert problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is not set (secrets.openai-api-key needs it); "
        "run: pulumi config set --secret openaiApiKey --stack dev (it prompts for the value)",
        "Pulumi.dev.yaml: app-secrets:smtpPassword: is stored in plaintext "
        "(secrets.app-config.fields.SMTP_PASSWORD needs a secret); "
        "run: pulumi config set --secret smtpPassword --stack dev (it prompts for the value)",
    ]


def test_deploy_returns_the_values_as_the_engine_gave_them(catalog_file):
    config = {"prefix": "acme", "openaiApiKey": "a", "smtpPassword": "b"}

    inputs, values, secret_keys = load_all(catalog_file, config, CONFIG_KEYS, mode=Mode.DEPLOY)

    assert (values, secret_keys) == (config, CONFIG_KEYS)
    assert inputs.region == "eu-west-1"


def test_plan_reports_a_secure_value_it_cannot_decrypt(catalog_file):
    # GIVEN `openaiApiKey: {secure: ...}` in the stack file: a secret key without a value
    config = {"prefix": "acme", "smtpPassword": "x"}

    problems = problems_of(
        catalog_file, config, CONFIG_KEYS, mode=Mode.PLAN, file_region="eu-west-1"
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is encrypted (secure:) and cannot be "
        "decrypted offline; pass --placeholders to plan with a placeholder"
    ]


def test_plan_with_placeholders_fills_every_absent_value_as_a_secret(catalog_file):
    config = {"prefix": "acme"}

    inputs, values, secret_keys = load_all(
        catalog_file,
        config,
        {"openaiApiKey"},
        mode=Mode.PLAN,
        file_region="eu-west-1",
        placeholders=True,
    )

    assert values == {"prefix": "acme", "openaiApiKey": PLACEHOLDER, "smtpPassword": PLACEHOLDER}
    assert secret_keys == CONFIG_KEYS
    assert inputs.region == "eu-west-1"
    assert config == {"prefix": "acme"}


def test_plan_without_placeholders_still_reports_a_value_never_set(catalog_file):
    problems = problems_of(
        catalog_file, {"prefix": "acme"}, {"openaiApiKey"}, mode=Mode.PLAN, region="eu-west-1"
    )

    assert problems == [
        "Pulumi.dev.yaml: app-secrets:openaiApiKey: is encrypted (secure:) and cannot be "
        "decrypted offline; pass --placeholders to plan with a placeholder",
        "Pulumi.dev.yaml: app-secrets:smtpPassword: is not set "
        "(secrets.app-config.fields.SMTP_PASSWORD needs it); "
        "run: pulumi config set --secret smtpPassword --stack dev (it prompts for the value)",
    ]


def test_plan_needs_a_region(catalog_file):
    problems = problems_of(
        catalog_file, {"prefix": "acme"}, set(), mode=Mode.PLAN, placeholders=True, file_region=None
    )

    assert problems == ["Pulumi.dev.yaml: aws:region: is required (e.g. us-east-1)"]


def test_operate_reads_no_value_and_fills_every_absent_one_unread(catalog_file):
    # GIVEN one secure value (not decrypted) and one never set
    inputs, values, secret_keys = load_all(
        catalog_file, {"prefix": "acme"}, {"openaiApiKey"}, mode=Mode.OPERATE, region="eu-west-1"
    )

    assert values == {"prefix": "acme", "openaiApiKey": UNREAD, "smtpPassword": UNREAD}
    assert secret_keys == CONFIG_KEYS
    assert inputs.region == "eu-west-1"


@pytest.mark.parametrize("mode", [Mode.PLAN, Mode.OPERATE])
def test_rejects_a_stack_region_that_is_no_region(catalog_file, mode):
    problems = problems_of(
        catalog_file, {"prefix": "acme"}, set(), mode=mode, placeholders=True, file_region="us east"
    )

    assert problems == [
        "Pulumi.dev.yaml: aws:region: must be an AWS region such as eu-west-1, got 'us east'"
    ]


def test_operate_needs_a_region(catalog_file):
    problems = problems_of(
        catalog_file, {"prefix": "acme"}, set(), mode=Mode.OPERATE, file_region=None
    )

    assert problems == ["Pulumi.dev.yaml: aws:region: is required (or pass --region)"]


def test_the_region_option_overrides_the_stack_files(catalog_file):
    inputs = load(
        catalog_file,
        {"prefix": "acme"},
        set(),
        mode=Mode.OPERATE,
        file_region="eu-west-1",
        region="us-east-1",
    )

    assert inputs.region == "us-east-1"


@pytest.mark.parametrize("broken_catalog", [False, True])
@pytest.mark.parametrize(
    ("mode", "options"),
    [
        (Mode.DEPLOY, {}),
        (Mode.PLAN, {"region": "eu-west-1"}),
        (Mode.PLAN, {"region": "eu-west-1", "placeholders": True}),
        (Mode.OPERATE, {}),
    ],
)
def test_no_value_ever_appears_in_a_problem(
    catalog_file, catalog_data, mode, options, broken_catalog
):
    # GIVEN the sentinel as a plaintext value, under a key nothing names and (with a broken
    # catalog) under the key of an invalid entry, beside an invalid setting
    if broken_catalog:
        catalog_data["secrets"]["broken"] = {"description": "x", "config": "brokenKey", "length": 1}
        catalog_file.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    config = {
        "prefix": "Not A Prefix",
        "openaiApiKey": SENTINEL,
        "smtpPassword": SENTINEL,
        "brokenKey": SENTINEL,
        "strayKey": SENTINEL,
    }

    problems = problems_of(catalog_file, config, {"smtpPassword"}, mode=mode, **options)

    assert any("app-secrets:openaiApiKey: is stored in plaintext" in line for line in problems)
    assert any("app-secrets:prefix: must be" in line for line in problems)
    assert not [line for line in problems if SENTINEL in line]


def test_deploy_needs_a_region_too(catalog_file):
    problems = problems_of(
        catalog_file,
        {"prefix": "acme", "openaiApiKey": "x", "smtpPassword": "x"},
        {"openaiApiKey", "smtpPassword"},
        file_region=None,
    )

    assert problems == ["Pulumi.dev.yaml: aws:region: is required (e.g. us-east-1)"]


def test_rejects_a_named_access_analyzer_of_another_region_with_the_other_problems(catalog_file):
    problems = problems_of(
        catalog_file,
        {
            "prefix": "acme",
            "openaiApiKey": "x",
            "accessAnalyzerArn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/org",
        },
        {"openaiApiKey"},
    )

    assert problems[0].startswith(
        "Pulumi.dev.yaml: app-secrets:accessAnalyzerArn: the analyzer is in us-east-1, the "
        "stack deploys in eu-west-1"
    )
    assert "smtpPassword: is not set" in problems[1]
