"""The kind heuristic of `secretsctl import-env`: which entry each variable becomes, and why."""

from __future__ import annotations

import pytest

from inputs.catalog import Catalog
from secretsctl.import_env_classify import (
    CONFIG,
    EXTERNAL,
    GENERATE,
    SECRET_STRING_LIMIT,
    catalog_name,
    classify,
    config_key,
    propose,
)
from secretsctl.import_env_dotenv import EnvVariable

STRIPE_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
RANDOM = "Zx8vK2pQr7LmN4tY9wB3"


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
        ("PAYMENT_KEY", STRIPE_KEY, CONFIG),
        ("CI_TOKEN", "ghp_" + "a" * 36, CONFIG),
        ("UPLOAD_ID", "AKIAABCDEFGHIJKLMNOP", CONFIG),
        ("BOT", "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", CONFIG),
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
    for value in (
        "sk_live_SENTINEL" + "x" * 20,
        "sk-SENTINEL" + "x" * 20,
        "ghp_SENTINEL" + "x" * 28,
    ):
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

    proposals = propose(variables, catalog, environment="dev")

    assert [(p.secret_name, p.kind, p.declared_as, p.is_new) for p in proposals] == [
        ("openai-api-key", CONFIG, "config", False),
        ("new-token", GENERATE, None, True),
    ]


def test_two_variables_with_one_catalog_name_keep_the_first(catalog_data):
    variables = [variable("SIGNING_TOKEN", "x"), variable("_SIGNING_TOKEN_", "y")]

    proposals = propose(variables, Catalog.model_validate(catalog_data), environment="dev")

    assert [(p.kind, p.reason) for p in proposals] == [
        (GENERATE, "a value the application owns: pulumi up draws a new one"),
        (None, "same catalog name signing-token as SIGNING_TOKEN (line 1)"),
    ]


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        # secret words inside joined names, plural forms, and the signing words
        ("APP_SECRETKEY", "x", GENERATE),
        ("DBPASSWORD", "x", GENERATE),
        ("PRIVATEKEY", "x", EXTERNAL),
        ("ACCESSKEY", "x", EXTERNAL),
        ("API_SECRETS", "x", EXTERNAL),
        ("JWT_SIGNING", "x", GENERATE),
        ("HMAC", "x", GENERATE),
        ("BEARER", "x", EXTERNAL),
        ("SESSION_COOKIE", JWT, EXTERNAL),
        ("SESSION_COOKIE", RANDOM, EXTERNAL),
        ("ANYTHING", JWT, EXTERNAL),
        # ...while the settings around a secret stay configuration
        ("SESSION_TIMEOUT", "3600", None),
        ("SESSION_COOKIE_NAME", "sid", None),
        ("SESSION_STORE", "redis", None),
        ("JWT_ISSUER", "https://login.example.com", None),
        ("SIGNING_ALGORITHM", "HS256", None),
        ("PASSWORD_MIN_LENGTH", "12", None),
        ("TOKEN_TTL", "15m", None),
        ("KMS_KEY_ID", "alias/app", None),
        ("SECRET_NAME", "acme/dev/db", None),
        ("MONKEY_COUNT", "3", None),
        ("BYPASS_CACHE", "true", None),
    ],
)
def test_recognises_real_secrets_and_leaves_settings(name, value, kind):
    assert classify(variable(name, value))[0] == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        # someone else issued it: never replaced by a random value
        ("PARTNER_API_TOKEN", EXTERNAL),
        ("VENDOR_TOKEN", EXTERNAL),
        ("CLIENT_SECRET", EXTERNAL),
        ("THIRD_PARTY_KEY", EXTERNAL),
        ("EXTERNAL_SERVICE_PASSWORD", EXTERNAL),
        ("API_KEY", EXTERNAL),
        ("MAPS_API_TOKEN", EXTERNAL),
        ("ACCESS_TOKEN", EXTERNAL),
        ("REFRESH_TOKEN", EXTERNAL),
        ("LICENSE_KEY", EXTERNAL),
        # ...while the application's own keys are drawn anew
        ("APP_API_KEY", GENERATE),
        ("ADMIN_API_TOKEN", GENERATE),
        ("ENCRYPTION_KEY", GENERATE),
    ],
)
def test_a_token_of_another_party_is_external(name, kind):
    assert classify(variable(name, "x"))[0] == kind


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOCALE", "sk-SK"), ("MARKET", "ASIA_PACIFIC"), ("REGION_CODE", "AKIA"), ("NOTE", "SG.x")],
)
def test_a_vendor_prefix_alone_does_not_make_a_secret(name, value):
    assert classify(variable(name, value))[0] is None


def test_never_advises_a_task_environment_for_a_secret_looking_value(catalog_data):
    catalog = Catalog.model_validate(catalog_data)
    variables = [
        variable("PORT", "8080"),
        variable("BUILD_FINGERPRINT", RANDOM),
        variable("SIGNING_TOKEN", "x"),
        variable("_SIGNING_TOKEN_", "y"),
    ]

    proposals = propose(variables, catalog, environment="dev")

    assert [(p.variable.name, p.kind, p.looks_secret) for p in proposals] == [
        ("PORT", None, False),
        ("BUILD_FINGERPRINT", None, True),
        ("SIGNING_TOKEN", GENERATE, False),
        ("_SIGNING_TOKEN_", None, True),
    ]


def test_a_value_too_long_for_secrets_manager_is_a_problem_and_not_new(catalog_data):
    catalog = Catalog.model_validate(catalog_data)
    long_value = "S" * (SECRET_STRING_LIMIT + 1)
    variables = [
        variable("PARTNER_TOKEN", long_value),
        variable("STRIPE_WEBHOOK_SECRET", long_value),  # declared external
        variable("DB_PASSWORD", long_value),  # generated: the .env value is not used
        variable("PARTNER_KEY", "S" * SECRET_STRING_LIMIT),  # exactly the limit: fine
    ]

    proposals = propose(variables, catalog, environment="dev")

    assert [(p.secret_name, bool(p.problem), p.is_new, p.puts_value) for p in proposals] == [
        ("partner-token", True, False, False),
        ("stripe-webhook-secret", True, False, False),
        ("db-password", False, True, False),
        ("partner-key", False, True, True),
    ]
    assert "65,536" in proposals[0].problem and "S" * 10 not in proposals[0].problem


def test_an_entry_of_other_environments_is_not_put_here(catalog_data):
    catalog_data["secrets"]["partner-x"] = {
        "description": "x",
        "external": True,
        "only_in": ["prod"],
    }
    catalog = Catalog.model_validate(catalog_data)

    (proposal,) = propose([variable("PARTNER_X", "v")], catalog, environment="dev")

    assert (proposal.declared_as, proposal.elsewhere, proposal.puts_value) == (
        "external",
        ("prod",),
        False,
    )


def test_a_variable_the_catalog_declares_is_its_secret_whatever_the_name(catalog_data):
    catalog_data["secrets"]["partner-x"] = {"description": "x", "external": True}

    (proposal,) = propose(
        [variable("PARTNER_X", "v")], Catalog.model_validate(catalog_data), environment="dev"
    )

    assert (proposal.kind, proposal.reason, proposal.puts_value) == (
        EXTERNAL,
        "declared in the catalog",
        True,
    )
