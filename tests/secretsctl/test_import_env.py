"""`secretsctl import-env`: parsing, the kind heuristic, the dry run and --apply against moto."""

from __future__ import annotations

import logging

import pytest
import yaml

from inputs.catalog import Catalog, load_catalog
from inputs.exceptions import InputError
from secretsctl.__main__ import main
from secretsctl.import_env import (
    CONFIG,
    EXTERNAL,
    GENERATE,
    EnvVariable,
    Proposal,
    append_entries,
    catalog_name,
    classify,
    config_key,
    parse_env,
    propose,
    write_catalog,
)
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


def variable(name: str, value: str) -> EnvVariable:
    return EnvVariable(name=name, value=value, line=1)


def test_parses_quotes_comments_export_and_escapes():
    text = (
        "# comment\n"
        "\n"
        "A=plain value  # a comment\n"
        "export B='single #not a comment'\n"
        'C="line\\nbreak \\"quoted\\""\n'
        "D=\n"
        "E=a#b\n"
        "  F = spaced  \n"
    )

    parsed = {v.name: (v.value, v.line) for v in parse_env(text, file=".env")}

    assert parsed == {
        "A": ("plain value", 3),
        "B": ("single #not a comment", 4),
        "C": ('line\nbreak "quoted"', 5),
        "D": ("", 6),
        "E": ("a#b", 7),
        "F": ("spaced", 8),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("OK=1\nsk-SENTINEL-pasted-alone\n", ".env:2: not KEY=VALUE; allowed: KEY=VALUE"),
        ("A='SENTINEL-unterminated\n", ".env:1: A: no closing ' on this line"),
        ('A="SENTINEL" trailing-SENTINEL\n', '.env:1: A: text after the closing "'),
        ("1A=SENTINEL\n", ".env:1: bad variable name: letters, digits and _"),
        ("my-var=SENTINEL\n", ".env:1: bad variable name"),
        ("A=1\nA=SENTINEL\n", ".env:2: A is set again (first on line 1)"),
    ],
)
def test_rejects_malformed_lines_naming_file_and_line_without_the_value(text, message):
    with pytest.raises(InputError) as raised:
        parse_env(text, file=".env")

    (problem,) = raised.value.problems
    assert problem.startswith(message)
    assert "SENTINEL" not in problem


def test_reports_every_malformed_line_at_once():
    with pytest.raises(InputError) as raised:
        parse_env("nothing here\nB='open\nC=fine\n", file="x.env")

    assert [line.split(":")[1] for line in raised.value.problems] == ["1", "2"]


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("PORT", "8080", None),
        ("LOG_LEVEL", "info", None),
        ("STRIPE_ACCOUNT_ID", "acct_123", None),
        ("STRIPE_PUBLISHABLE_KEY", "pk_live_123", None),
        ("DB_PASSWORD", "", None),
        ("DB_PASSWORD", "hunter2", GENERATE),
        ("SECRET_KEY", "x", GENERATE),
        ("SESSION_SECRET", "x", GENERATE),
        ("INTERNAL_API_TOKEN", "x", GENERATE),
        ("PASSWORD_SALT", "x", GENERATE),
        ("OPENAI_API_KEY", "x", CONFIG),
        ("STRIPE_SECRET_KEY", "x", CONFIG),
        ("GITHUB_TOKEN", "x", CONFIG),
        ("AWS_SECRET_ACCESS_KEY", "x", CONFIG),
        ("SENDGRID_API_KEY", "x", CONFIG),
        ("TWILIO_AUTH_TOKEN", "x", CONFIG),
        ("SENTRY_DSN", "https://k@o1.ingest.sentry.io/1", CONFIG),
        ("PAYMENT_KEY", "sk_live_abc", CONFIG),
        ("CI_TOKEN", "ghp_abc", CONFIG),
        ("UPLOAD_ID", "AKIAABCDEFGHIJKLMNOP", CONFIG),
        ("BOT", "xoxb-123", CONFIG),
        ("DATABASE_URL", "postgres://app:pw@db:5432/app", EXTERNAL),
        ("REDIS_URL", "redis://:pw@cache:6379", EXTERNAL),
        ("LDAP_DSN", "ldap://x", EXTERNAL),
        ("TLS_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nabc", EXTERNAL),
        ("PARTNER_CREDENTIALS", "x", EXTERNAL),
        ("CLIENT_CERT", "x", EXTERNAL),
    ],
)
def test_kind_heuristic(name, value, kind):
    assert classify(variable(name, value))[0] == kind


def test_the_reason_never_quotes_the_value():
    for value in ("sk_live_SENTINEL", "sk-SENTINEL", "ghp_SENTINEL"):
        kind, reason = classify(variable("X_KEY", value))
        assert kind == CONFIG
        assert "SENTINEL" not in reason and value[:3] not in reason


def test_names_come_from_the_variable():
    assert catalog_name("OPENAI_API_KEY") == "openai-api-key"
    assert catalog_name("_PRIVATE_TOKEN") == "private-token"
    assert config_key("OPENAI_API_KEY") == "openaiApiKey"
    assert config_key("SMTP_PASSWORD") == "smtpPassword"


def test_existing_entries_are_kept(catalog_data):
    catalog = Catalog.model_validate(catalog_data)
    variables = [variable("OPENAI_API_KEY", "sk-x"), variable("NEW_TOKEN", "x")]

    proposals = propose(variables, catalog)

    assert [(p.secret_name, p.kind, p.declared_as, p.is_new) for p in proposals] == [
        ("openai-api-key", CONFIG, "config", False),
        ("new-token", GENERATE, None, True),
    ]


def test_two_variables_with_one_catalog_name_keep_the_first(catalog_data):
    variables = [variable("API_TOKEN", "x"), variable("_API_TOKEN_", "y")]

    proposals = propose(variables, Catalog.model_validate(catalog_data))

    assert [(p.kind, p.reason) for p in proposals] == [
        (GENERATE, "a value the application owns: pulumi up draws a new one"),
        (None, "same catalog name api-token as API_TOKEN (line 1)"),
    ]


CATALOG_TEXT = """\
# The inventory.
environments: [dev, prod]

secrets:
    admin-token:            # four-space indentation, kept
        description: Admin API token
        generate: {length: 64}

# Services use the secrets.
services:
    api:
        env: {ADMIN_TOKEN: admin-token}
"""


def new(name: str, kind: str, key: str = "") -> Proposal:
    return Proposal(
        variable=variable(name.upper().replace("-", "_"), "SENTINEL"),
        kind=kind,
        reason="",
        secret_name=name,
        config_key=key,
    )


def test_entries_are_appended_to_the_secrets_block_and_nothing_else_changes():
    proposals = [new("db-password", GENERATE), new("openai-key", CONFIG, "openaiKey")]

    updated = append_entries(CATALOG_TEXT, proposals, source=".env", file="catalog.yaml")

    head, _, tail = CATALOG_TEXT.partition("\n# Services use the secrets.")
    assert updated.startswith(head)
    assert updated.endswith("\n# Services use the secrets." + tail)
    inserted = updated[len(head) : len(updated) - len(tail) - len("\n# Services use the secrets.")]
    assert inserted == (
        "\n"
        "    db-password:\n"
        '        description: "Imported from .env (DB_PASSWORD)"\n'
        "        generate: {length: 32}\n"
        "\n"
        "    openai-key:\n"
        '        description: "Imported from .env (OPENAI_KEY)"\n'
        "        config: openaiKey\n"
    )
    parsed = yaml.safe_load(updated)
    assert list(parsed["secrets"]) == ["admin-token", "db-password", "openai-key"]
    assert parsed["services"] == {"api": {"env": {"ADMIN_TOKEN": "admin-token"}}}
    assert "SENTINEL" not in updated


def test_entries_go_to_the_end_when_secrets_is_the_last_key():
    text = "environments: [dev]\nsecrets:\n  a:\n    description: x\n    external: true"

    updated = append_entries(text, [new("b", EXTERNAL)], source=".env", file="c.yaml")

    assert yaml.safe_load(updated)["secrets"]["b"] == {
        "description": "Imported from .env (B)",
        "external": True,
    }


def test_rejects_a_catalog_without_a_secrets_block():
    with pytest.raises(InputError, match=r"c.yaml: secrets: not found as a block mapping"):
        append_entries("secrets: {a: {}}\n", [new("b", EXTERNAL)], source=".env", file="c.yaml")


def test_rejects_writing_an_invalid_catalog_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("environments: [dev]\nsecrets:\n  a:\n    description: x\n")  # no source

    with pytest.raises(InputError) as raised:
        write_catalog(path, [new("b", EXTERNAL)], source=".env")

    assert raised.value.problems[-1] == "catalog.yaml: left unchanged"
    assert path.read_text() == "environments: [dev]\nsecrets:\n  a:\n    description: x\n"


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
    ]
    assert "SENTINEL" not in captured.out + captured.err
    assert stack.catalog_path.read_text() == before


def test_rejects_a_missing_file(stack, capsys):
    assert main(["import-env", "nowhere.env", *stack.cli_args()]) == 2

    assert "nowhere.env: file not found" in capsys.readouterr().err
