"""`secretsctl import-env`: the dry run, --apply against moto and the exit codes."""

from __future__ import annotations

import logging

import pytest

from inputs.catalog_reader import load_catalog
from secretsctl.__main__ import main
from secretsctl.import_env_classify import GENERATE
from tests.rotation.secret_leaks import assert_no_secret
from tests.secretsctl.deployed_stack import DeployedStack, fresh_stack

ENV_FILE = """\
# the app's settings
PORT=8080
LOG_LEVEL=info
export DB_PASSWORD='SENTINEL-db-password-1'
SESSION_SECRET="SENTINEL-session-2"   # signs cookies
OPENAI_API_KEY=sk-SENTINEL-openai-3
PAYMENT_KEY=sk_live_SENTINEL-stripe-4
PARTNER_CREDENTIALS=SENTINEL-partner-5
STRIPE_PUBLISHABLE_KEY=pk_live_not-secret
"""
SENTINELS = [
    "SENTINEL-db-password-1",
    "SENTINEL-session-2",
    "sk-SENTINEL-openai-3",
    "sk_live_SENTINEL-stripe-4",
    "SENTINEL-partner-5",
]


@pytest.fixture
def stack(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    deployed = fresh_stack(moto_endpoint, tmp_path)
    deployed.deploy({"api-token": "SENTINEL-api-token-0", "openai-api-key": "SENTINEL-openai-0"})
    (tmp_path / "app.env").write_text(ENV_FILE)
    return deployed


def import_env(stack: DeployedStack, *extra: str) -> int:
    return main(["import-env", str(stack.directory / "app.env"), *stack.cli_args(), *extra])


def test_dry_run_proposes_entries_and_commands_and_changes_nothing(stack, capsys):
    before = stack.catalog_path.read_text()

    assert import_env(stack) == 0

    out = capsys.readouterr().out
    assert stack.catalog_path.read_text() == before
    assert "+   db-password:" in out
    assert "+     generate: {length: 32}" in out
    assert "+   payment-key:" in out and "+     config: paymentKey" in out
    assert "+     external: true" in out
    assert "OPENAI_API_KEY: openai-api-key is already in catalog.yaml (config); left as is" in out
    assert "pulumi config set --secret openaiApiKey --stack dev    # OPENAI_API_KEY" in out
    assert "pulumi config set --secret paymentKey --stack dev < payment-key.value" in out
    assert "PORT (line 2): not secret-looking" in out
    assert "STRIPE_PUBLISHABLE_KEY (line 9): a public or publishable key" in out
    assert f"PARTNER_CREDENTIALS -> {stack.full_name('partner-credentials')}" in out
    assert_no_secret(out, SENTINELS)


def test_apply_writes_the_catalog_then_puts_external_values_once_deployed(stack, capsys, caplog):
    caplog.set_level(logging.DEBUG)  # botocore logs request bodies at DEBUG

    # WHEN --apply runs before the new external secret exists
    assert import_env(stack, "--apply") == 0
    first = capsys.readouterr()

    # THEN the catalog holds the new entries, valid, and the value waits for pulumi up
    catalog = load_catalog(stack.catalog_path)
    assert catalog.secrets["partner-credentials"].external is True
    assert catalog.secrets["db-password"].generate is not None
    assert catalog.secrets["payment-key"].config == "paymentKey"
    assert catalog.secrets["session-secret"].source == GENERATE
    assert "catalog.yaml: 4 entries added." in first.out
    assert "partner-credentials: not deployed yet: run pulumi up --stack dev" in first.out

    # WHEN pulumi up created the external secret (empty) and --apply runs again
    stack.secrets.create_secret(Name=stack.full_name("partner-credentials"))
    assert import_env(stack, "--apply") == 0
    second = capsys.readouterr()

    # THEN no value was ever shown, the value is put and nothing is appended twice
    everything = first.out + first.err + second.out + second.err + caplog.text
    assert_no_secret(everything, SENTINELS)
    assert "catalog.yaml: 0 entries added." in second.out
    assert "partner-credentials: value put (version " in second.out
    assert stack.catalog_path.read_text().count("partner-credentials:") == 1
    caplog.set_level(logging.WARNING)  # the test reads the value back: keep it out of the log
    value = stack.secrets.get_secret_value(SecretId=stack.full_name("partner-credentials"))
    assert value["SecretString"] == "SENTINEL-partner-5"


def test_apply_never_overwrites_a_value(stack, capsys):
    stack.write(
        {
            "environments": ["dev"],
            "secrets": {"partner-credentials": {"description": "x", "external": True}},
        }
    )
    stack.secrets.create_secret(
        Name=stack.full_name("partner-credentials"), SecretString="already-there"
    )

    assert import_env(stack, "--apply") == 0

    out = capsys.readouterr().out
    assert "partner-credentials: already has a value; left unchanged" in out
    value = stack.secrets.get_secret_value(SecretId=stack.full_name("partner-credentials"))
    assert value["SecretString"] == "already-there"


def test_rejects_a_malformed_file_without_writing_anything(stack, capsys):
    (stack.directory / "app.env").write_text("GOOD=1\nexport BAD='SENTINEL-open\n")
    before = stack.catalog_path.read_text()

    assert import_env(stack, "--apply") == 2

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "secretsctl import-env: invalid input:",
        "  app.env:2: BAD: no closing ' on this line (values cannot span lines)",
        "1 problem(s); nothing was done.",
    ]
    assert "SENTINEL" not in captured.out + captured.err
    assert stack.catalog_path.read_text() == before


def test_rejects_a_missing_file(stack, capsys):
    assert main(["import-env", "nowhere.env", *stack.cli_args()]) == 2

    assert "nowhere.env: file not found" in capsys.readouterr().err
