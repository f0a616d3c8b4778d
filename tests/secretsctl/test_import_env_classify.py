"""The kind heuristic of `secretsctl import-env`: which entry each variable becomes, and why."""

from __future__ import annotations

import pytest

from inputs.catalog import Catalog
from secretsctl.import_env_classify import (
    CONFIG,
    EXTERNAL,
    GENERATE,
    catalog_name,
    classify,
    config_key,
    propose,
)
from secretsctl.import_env_dotenv import EnvVariable


def variable(name: str, value: str) -> EnvVariable:
    return EnvVariable(name=name, value=value, line=1)


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
