"""`secretsctl plan` with the stack's real values: decrypted with its passphrase, never shown."""

from __future__ import annotations

import logging

import pytest
import yaml

from design.stack_inputs import Mode, read_stack_inputs
from secretsctl.__main__ import main
from tests.conftest import PROJECT_DIR
from tests.inputs.pulumi_passphrase import PassphraseStack

PASSPHRASE = "correct horse battery staple"
SENTINELS = {
    "openaiApiKey": "SENTINEL-openai-5f1d-never-print",
    "smtpPassword": "SENTINEL-smtp-9a7c",
}


@pytest.fixture(scope="module")
def passphrase_stack() -> PassphraseStack:
    return PassphraseStack.new(PASSPHRASE)


def write_encrypted_project(tmp_path, catalog_data, stack: PassphraseStack, **top) -> tuple:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(yaml.safe_dump(catalog_data, sort_keys=False), encoding="utf-8")
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "acme",
        **{
            f"app-secrets:{key}": {"secure": stack.secure(value)}
            for key, value in SENTINELS.items()
        },
    }
    stack_path = tmp_path / "Pulumi.dev.yaml"
    document = {"encryptionsalt": stack.encryption_salt, **top, "config": config}
    stack_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return catalog_path, stack_path


def plan(catalog_path, stack_path, *extra) -> int:
    return main(
        [
            "plan",
            "--stack",
            "dev",
            "--catalog",
            str(catalog_path),
            "--stack-file",
            str(stack_path),
            "--format",
            "json",
            *extra,
        ]
    )


def test_the_plan_decrypts_every_value_and_shows_none(
    tmp_path, catalog_data, passphrase_stack, monkeypatch, capsys, caplog
):
    # GIVEN a stack file encrypted with the passphrase provider, and its passphrase
    caplog.set_level(logging.DEBUG)
    catalog_path, stack_path = write_encrypted_project(tmp_path, catalog_data, passphrase_stack)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)

    # WHEN the plan runs, without --placeholders
    code = plan(catalog_path, stack_path)

    # THEN it plans, and no value reaches its output or its logs
    captured = capsys.readouterr()
    assert code == 0, captured.err
    everything = captured.out + captured.err + caplog.text
    for sentinel in SENTINELS.values():
        assert sentinel not in everything
    assert '"secretString": "[secret]"' in captured.out


def test_the_program_gets_the_decrypted_values(
    tmp_path, catalog_data, passphrase_stack, monkeypatch
):
    catalog_path, stack_path = write_encrypted_project(tmp_path, catalog_data, passphrase_stack)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "phrase"))
    (tmp_path / "phrase").write_text(PASSPHRASE + "\n", encoding="utf-8")

    loaded = read_stack_inputs(
        "dev",
        mode=Mode.PLAN,
        project_dir=PROJECT_DIR,
        stack_path=stack_path,
        catalog_path=catalog_path,
    )

    assert {key: loaded.values[key] for key in SENTINELS} == SENTINELS
    assert set(SENTINELS) <= loaded.secret_keys


def test_a_wrong_passphrase_is_one_line_naming_the_file(
    tmp_path, catalog_data, passphrase_stack, monkeypatch, capsys
):
    catalog_path, stack_path = write_encrypted_project(tmp_path, catalog_data, passphrase_stack)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not it")

    code = plan(catalog_path, stack_path)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    problems = [line.strip() for line in captured.err.splitlines() if "Pulumi.dev.yaml" in line]
    assert problems == [
        "Pulumi.dev.yaml: encryptionsalt: the passphrase from PULUMI_CONFIG_PASSPHRASE does not "
        "match encryptionsalt"
    ]


def test_a_tampered_value_names_its_key(
    tmp_path, catalog_data, passphrase_stack, monkeypatch, capsys
):
    catalog_path, stack_path = write_encrypted_project(tmp_path, catalog_data, passphrase_stack)
    document = yaml.safe_load(stack_path.read_text(encoding="utf-8"))
    other_stack = PassphraseStack.new(PASSPHRASE)
    document["config"]["app-secrets:smtpPassword"] = {"secure": other_stack.secure("x")}
    stack_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)

    code = plan(catalog_path, stack_path)

    err = capsys.readouterr().err
    assert code == 2
    assert (
        "Pulumi.dev.yaml: app-secrets:smtpPassword: cannot be decrypted with the stack's passphrase"
        in err
    )
    assert "openaiApiKey" not in err
    for sentinel in SENTINELS.values():
        assert sentinel not in err


def test_without_a_passphrase_the_error_names_the_variables(
    tmp_path, catalog_data, passphrase_stack, monkeypatch, capsys
):
    catalog_path, stack_path = write_encrypted_project(tmp_path, catalog_data, passphrase_stack)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)

    assert plan(catalog_path, stack_path) == 2
    err = capsys.readouterr().err
    assert (
        "app-secrets:openaiApiKey: is encrypted (secure:) and cannot be decrypted offline; set "
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in err
    )
    assert plan(catalog_path, stack_path, "--placeholders") == 0


def test_another_secrets_provider_is_named_and_never_tried(
    tmp_path, catalog_data, passphrase_stack, monkeypatch, capsys
):
    catalog_path, stack_path = write_encrypted_project(
        tmp_path,
        catalog_data,
        passphrase_stack,
        secretsprovider="awskms://alias/acme?region=eu-west-1",
    )
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)

    assert plan(catalog_path, stack_path) == 2
    err = capsys.readouterr().err
    assert "the stack's secrets provider is awskms://..., which secretsctl cannot decrypt" in err
    assert "alias/acme" not in err
