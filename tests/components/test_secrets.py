"""SecretStore through the mock engine: name, key, tags, window, each value source, secrecy."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.secrets import SecretEntry, SecretStore, SecretStoreArgs
from inputs.catalog import SecretSpec
from tests.conftest import raw_state, records_of

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
SENTINEL = "SENTINEL-config-value-4b1d"


class Declared:
    """One secret declared through a SecretStore, with the test-facing handles."""

    def __init__(self, store: SecretStore, name: str):
        self.arn = store.arns[name]
        self.secret_name = store.names[name]
        self.version = store.versions.get(name)
        self.policy = store.policies.get(name)


def declare(name: str, body: dict, **overrides) -> Declared:
    entry = SecretEntry(
        full_name=f"acme/dev/{name}",
        spec=SecretSpec.model_validate(body),
        tags={"Project": "acme", "Environment": "dev", "ManagedBy": "pulumi"},
    )
    args = {
        "secrets": {name: entry},
        "kms_key_arn": KEY_ARN,
        "recovery_window_days": 7,
        **overrides,
    }
    return Declared(SecretStore("secrets", SecretStoreArgs(**args)), name)


@pulumi.runtime.test
def test_secret_is_named_encrypted_tagged_and_windowed(monitor):
    secret = declare("admin-token", {"description": "Admin API token", "generate": {"length": 64}})

    def check(values):
        arn, name = values
        record = records_of(monitor, SECRET)["admin-token-secret"]
        assert name == "acme/dev/admin-token"
        assert arn.startswith(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/admin-token-"
        )
        assert len(arn.rsplit("-", 1)[1]) == 6
        assert record.inputs["kmsKeyId"] == KEY_ARN
        assert record.inputs["description"] == "Admin API token"
        assert record.inputs["recoveryWindowInDays"] == 7
        assert record.inputs["tags"] == {
            "Project": "acme",
            "Environment": "dev",
            "ManagedBy": "pulumi",
        }
        assert record.protect is False
        assert record.parent.endswith("app-secrets:secrets:SecretStore::secrets")

    return pulumi.Output.all(secret.arn, secret.secret_name).apply(check)


@pulumi.runtime.test
def test_protect_reaches_the_secret(monitor):
    secret = declare("prod-token", {"description": "x", "external": True}, protect=True)

    def check(_):
        assert records_of(monitor, SECRET)["prod-token-secret"].protect is True

    return secret.arn.apply(check)


@pulumi.runtime.test
def test_generated_value_is_stable_with_a_generation_keeper(monitor):
    secret = declare(
        "admin-token",
        {
            "description": "x",
            "generate": {
                "length": 64,
                "special": True,
                "exclude_characters": "<>",
                "generation": 3,
            },
        },
    )

    def check(_):
        password = records_of(monitor, PASSWORD)["admin-token-password"]
        assert password.inputs["length"] == 64
        assert password.inputs["keepers"] == {"generation": "3"}
        assert password.inputs["overrideSpecial"] == "!@#$%&*()-_=+[]{}:?"
        assert password.outputs["result"] == "[secret]"
        version = records_of(monitor, VERSION)["admin-token-value"]
        assert version.inputs["secretString"] == "[secret]"
        result = raw_state(monitor, "admin-token-password", PASSWORD)["result"]
        assert raw_state(monitor, "admin-token-value", VERSION)["secretString"] == result
        assert len(result) == 64
        assert version.ignore_changes == []

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_character_classes_follow_the_catalog(monitor):
    secret = declare(
        "pin", {"description": "x", "generate": {"length": 12, "upper": False, "lower": False}}
    )

    def check(_):
        password = records_of(monitor, PASSWORD)["pin-password"]
        assert (password.inputs["upper"], password.inputs["lower"]) == (False, False)
        assert password.inputs["numeric"] is True

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_no_special_characters_when_special_is_off(monitor):
    secret = declare("plain", {"description": "x", "generate": {"length": 16, "special": False}})

    def check(_):
        password = records_of(monitor, PASSWORD)["plain-password"]
        assert password.inputs["special"] is False
        assert "overrideSpecial" not in password.inputs

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_config_value_is_written_as_a_secret(monitor):
    secret = declare(
        "openai-api-key",
        {"description": "x", "config": "openaiApiKey"},
        config_values={"openaiApiKey": pulumi.Output.from_input(SENTINEL)},
    )

    def check(_):
        version = records_of(monitor, VERSION)["openai-api-key-value"]
        assert version.inputs["secretString"] == "[secret]"
        assert raw_state(monitor, "openai-api-key-value", VERSION)["secretString"] == SENTINEL
        assert SENTINEL not in json.dumps([r.as_plan() for r in monitor.records.values()])

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_fields_become_one_json_document(monitor):
    secret = declare(
        "app-config",
        {
            "description": "x",
            "fields": {
                "REDIS_PASSWORD": {"generate": {"length": 32}},
                "SMTP_PASSWORD": {"config": "smtpPassword"},
                "SMTP_HOST": {"value": "smtp.example.com"},
                "SMTP_PORT": {"value": 587},
            },
        },
        config_values={"smtpPassword": pulumi.Output.secret(SENTINEL)},
    )

    def check(_):
        document = json.loads(raw_state(monitor, "app-config-value", VERSION)["secretString"])
        redis = raw_state(monitor, "app-config-REDIS_PASSWORD-password", PASSWORD)["result"]
        assert document == {
            "REDIS_PASSWORD": redis,
            "SMTP_PASSWORD": SENTINEL,
            "SMTP_HOST": "smtp.example.com",
            "SMTP_PORT": 587,
        }
        assert records_of(monitor, VERSION)["app-config-value"].inputs["secretString"] == "[secret]"

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_external_secret_gets_no_version(monitor):
    secret = declare("stripe", {"description": "x", "external": True})

    def check(_):
        assert secret.version is None
        assert records_of(monitor, VERSION) == {}
        assert records_of(monitor, PASSWORD) == {}
        assert "stripe-secret" in records_of(monitor, SECRET)

    return secret.arn.apply(check)


@pulumi.runtime.test
def test_rotated_value_is_never_reverted(monitor):
    # A rotated secret whose first value the stack writes: a PostgreSQL login from config.
    secret = declare(
        "rotated",
        {
            "description": "x",
            "config": "dbLogin",
            "rotation": {"every_days": 30, "strategy": "postgres-single-user"},
        },
        config_values={"dbLogin": pulumi.Output.secret("{}")},
    )

    def check(_):
        assert records_of(monitor, VERSION)["rotated-value"].ignore_changes == [
            "secretString",
            "versionStages",
        ]

    return secret.version.id.apply(check)


@pulumi.runtime.test
def test_a_generated_rotated_token_is_born_in_aws(monitor):
    # GIVEN a generated token with rotation: its rotation function makes its first value
    secret = declare(
        "api-token",
        {
            "description": "x",
            "generate": {"length": 48},
            "rotation": {"every_days": 30, "strategy": "token"},
        },
    )

    def check(_):
        # THEN the stack declares the secret only: no RandomPassword, no SecretVersion, so no
        # value of it can be in Pulumi's state
        assert secret.version is None
        assert records_of(monitor, VERSION) == {}
        assert records_of(monitor, PASSWORD) == {}
        assert "api-token-secret" in records_of(monitor, SECRET)

    return secret.arn.apply(check)


@pytest.mark.parametrize("value", [SENTINEL])
@pulumi.runtime.test
def test_secret_outputs_are_secret(monitor, value):
    secret = declare(
        "k",
        {"description": "x", "config": "k"},
        config_values={"k": pulumi.Output.from_input(value)},
    )

    async def check():
        assert await secret.version.secret_string.is_secret()
        assert not await secret.arn.is_secret()

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_every_secret_gets_the_resource_policy_with_public_policies_blocked(monitor):
    secret = declare(
        "guarded",
        {"description": "x", "external": True},
        resource_policy='{"Version":"2012-10-17"}',
    )

    def check(arn):
        policy = records_of(monitor, "aws:secretsmanager/secretPolicy:SecretPolicy")[
            "guarded-policy"
        ]
        assert policy.inputs["secretArn"] == arn
        assert policy.inputs["blockPublicPolicy"] is True
        assert policy.inputs["policy"] == '{"Version":"2012-10-17"}'

    return pulumi.Output.all(secret.arn, secret.policy.id).apply(lambda values: check(values[0]))


@pulumi.runtime.test
def test_alternating_users_value_names_its_master(monitor):
    db_fields = {
        "engine": {"value": "postgres"},
        "host": {"value": "db"},
        "port": {"value": 5432},
        "username": {"value": "app"},
        "password": {"generate": {"length": 16}},
        "dbname": {"value": "app"},
    }
    entries = {
        "db": SecretEntry(
            full_name="acme/dev/db",
            spec=SecretSpec.model_validate(
                {
                    "description": "x",
                    "fields": db_fields,
                    "rotation": {
                        "every_days": 7,
                        "strategy": "postgres-alternating-users",
                        "master": "db-master",
                    },
                }
            ),
            master="db-master",
        ),
        "db-master": SecretEntry(
            full_name="acme/dev/db-master",
            spec=SecretSpec.model_validate({"description": "x", "external": True}),
        ),
    }
    store = SecretStore("secrets", SecretStoreArgs(secrets=entries, kms_key_arn=KEY_ARN))

    def check(values):
        master_arn = values[0]
        document = json.loads(raw_state(monitor, "db-value", VERSION)["secretString"])
        assert document["masterarn"] == master_arn
        assert document["username"] == "app"

    return pulumi.Output.all(store.arns["db-master"], store.versions["db"].id).apply(check)


RDS_MASTER_ARN = (
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
    "rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbCdEf"
)


@pulumi.runtime.test
def test_a_master_that_rds_manages_is_named_by_its_arn(monitor):
    # GIVEN a fields secret whose prod master is the secret RDS manages for the instance
    spec = SecretSpec.model_validate(
        {
            "description": "x",
            "fields": {
                "engine": {"value": "postgres"},
                "host": {"value": "db"},
                "username": {"value": "app"},
                "password": {"generate": {"length": 16}},
            },
            "rotation": {
                "every_days": 7,
                "strategy": "postgres-alternating-users",
                "master": {"dev": "db-master", "prod": RDS_MASTER_ARN},
            },
        }
    )
    entries = {
        "db": SecretEntry(
            full_name="acme/prod/db", spec=spec, master=spec.rotation.master_in("prod")
        )
    }
    store = SecretStore("secrets", SecretStoreArgs(secrets=entries, kms_key_arn=KEY_ARN))

    def check(_):
        document = json.loads(raw_state(monitor, "db-value", VERSION)["secretString"])
        assert document["masterarn"] == RDS_MASTER_ARN

    return store.versions["db"].id.apply(check)
