"""The plan's mock provider: realistic, reproducible ARNs and values."""

from __future__ import annotations

import re

import pulumi

from secretsctl.mocks import PlanMocks, derived_characters


def answer(typ: str, name: str, inputs: dict) -> tuple[str, dict]:
    mocks = PlanMocks(account_id="123456789012", region="eu-west-1")
    return mocks.new_resource(pulumi.runtime.MockResourceArgs(typ=typ, name=name, inputs=inputs))


def test_secret_arn_has_a_six_character_suffix_derived_from_the_name():
    resource_id, outputs = answer(
        "aws:secretsmanager/secret:Secret", "x-secret", {"name": "acme/dev/x"}
    )

    assert re.fullmatch(
        r"arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/x-[A-Za-z0-9]{6}",
        outputs["arn"],
    )
    assert resource_id == outputs["arn"]
    assert (
        answer("aws:secretsmanager/secret:Secret", "x-secret", {"name": "acme/dev/x"})[1]["arn"]
        == outputs["arn"]
    )
    assert (
        answer("aws:secretsmanager/secret:Secret", "y-secret", {"name": "acme/dev/y"})[1]["arn"]
        != outputs["arn"]
    )


def test_role_and_key_arns():
    _, role = answer(
        "aws:iam/role:Role", "exec", {"name": "acme-dev-api-exec", "path": "/app-secrets/"}
    )
    _, key = answer("aws:kms/key:Key", "secrets-key", {})

    assert role["arn"] == "arn:aws:iam::123456789012:role/app-secrets/acme-dev-api-exec"
    assert re.fullmatch(r"arn:aws:kms:eu-west-1:123456789012:key/[0-9a-f-]{36}", key["arn"])
    assert key["keyId"] == key["arn"].rsplit("/", 1)[1]


def test_generated_password_honours_length_and_specials():
    _, outputs = answer(
        "random:index/randomPassword:RandomPassword", "p", {"length": 40, "overrideSpecial": "!"}
    )

    assert len(outputs["result"]) == 40
    assert set(outputs["result"]) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"
    )


def test_derived_characters_are_stable():
    assert derived_characters("seed", 6) == derived_characters("seed", 6)
    assert derived_characters("seed", 6) != derived_characters("other", 6)
