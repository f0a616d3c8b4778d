"""A shared secret through the mock engine: its own resource policy, and the key's grant."""

from __future__ import annotations

import json

import pulumi

from components.kms import SecretsKey, SecretsKeyArgs
from components.secrets import SecretEntry, SecretStore, SecretStoreArgs
from design.iam import compact, secret_resource_policy
from design.sharing import shared_key_policy, shared_secret_resource_policy
from inputs.catalog import SecretSpec
from tests.components.test_kms import ACCOUNT, account
from tests.conftest import records_of

READER = "arn:aws:iam::444455556666:role/billing-reader"
POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"


@pulumi.runtime.test
def test_only_the_shared_secret_gets_the_shared_policy(monitor):
    spec = SecretSpec.model_validate({"description": "x", "generate": {"length": 32}})
    store = SecretStore(
        "secrets",
        SecretStoreArgs(
            secrets={
                name: SecretEntry(full_name=f"acme/prod/{name}", spec=spec)
                for name in ("billing-api-key", "other")
            },
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/1111",
            resource_policy=compact(secret_resource_policy(ACCOUNT)),
            resource_policies={
                "billing-api-key": compact(shared_secret_resource_policy(ACCOUNT, [READER]))
            },
        ),
    )

    def check(_):
        records = records_of(monitor, POLICY)
        shared = json.loads(records["billing-api-key-policy"].inputs["policy"])
        assert shared == shared_secret_resource_policy(ACCOUNT, [READER])
        assert records["billing-api-key-policy"].inputs["blockPublicPolicy"] is True
        assert json.loads(records["other-policy"].inputs["policy"]) == secret_resource_policy(
            ACCOUNT
        )

    return pulumi.Output.all(*(policy.policy for policy in store.policies.values())).apply(check)


@pulumi.runtime.test
def test_the_key_policy_grants_the_shared_secret(monitor):
    key = SecretsKey(
        "secrets",
        SecretsKeyArgs(
            alias="alias/acme-prod-secrets",
            account=account(),
            shared_secrets={"acme/prod/billing-api-key": (READER,)},
        ),
    )

    def check(_):
        record = records_of(monitor, "aws:kms/key:Key")["secrets-key"]
        assert json.loads(record.inputs["policy"]) == shared_key_policy(
            ACCOUNT, {"acme/prod/billing-api-key": (READER,)}
        )

    return key.arn.apply(check)
