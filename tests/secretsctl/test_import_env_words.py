"""The words and vendor key formats of `secretsctl import-env`: joined names, full key shapes."""

from __future__ import annotations

import pytest

from secretsctl.import_env_words import is_jwt, looks_random, name_words, vendor_of_value

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("APP_SECRETKEY", {"APP", "SECRET", "KEY"}),
        ("DBPASSWORD", {"DB", "PASSWORD"}),
        ("PRIVATEKEY", {"PRIVATE", "KEY"}),
        ("ACCESSKEY", {"ACCESS", "KEY"}),
        ("API_SECRETS", {"API", "SECRET"}),
        ("APIKEYS", {"API", "KEY"}),
        ("REDISPASSWORD", {"REDIS", "PASSWORD"}),
        ("CLIENTSECRET", {"CLIENT", "SECRET"}),
        ("THIRDPARTY_TOKEN", {"THIRD", "PARTY", "TOKEN"}),
        ("SENDGRIDAPIKEY", {"SENDGRID", "API", "KEY"}),
        # English words that merely end like a secret word stay whole
        ("MONKEY_BUSINESS", {"MONKEY", "BUSINESS"}),
        ("BYPASS_CACHE", {"BYPASS", "CACHE"}),
        ("COMPASS", {"COMPASS"}),
        ("KEYSPACE", {"KEYSPACE"}),
        ("AUTHOR", {"AUTHOR"}),
        ("TOKENIZER", {"TOKENIZER"}),
        ("SECRETARY_EMAIL", {"SECRETARY", "EMAIL"}),
        ("ACCESS", {"ACCESS"}),
    ],
)
def test_name_words_split_joined_forms(name, words):
    assert name_words(name) == frozenset(words)


@pytest.mark.parametrize(
    ("value", "vendor"),
    [
        ("sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4", "OpenAI"),
        ("sk-proj-" + "Ab3_-" * 20, "OpenAI"),
        ("sk-ant-api03-" + "Ab3_-" * 19 + "AA", "Anthropic"),
        ("AKIA" + "IOSFODNN7EXAMPLE", "AWS"),
        ("ASIA" + "Q3EGWBHD5XYZ2345", "AWS"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
        ("rk_test_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
        ("whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Stripe"),
        ("ghp_" + "a" * 36, "GitHub"),
        ("github_pat_" + "1" * 22 + "_" + "b" * 59, "GitHub"),
        ("glpat-" + "x" * 20, "GitLab"),
        ("xoxb-" + "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack"),
        ("SG." + "a" * 22 + "." + "b" * 43, "SendGrid"),
        ("AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "Google"),
        ("hf_" + "a" * 34, "Hugging Face"),
        ("npm_" + "a" * 36, "npm"),
        ("shpat_" + "0123456789abcdef" * 2, "Shopify"),
    ],
)
def test_vendor_formats_are_recognised_by_their_full_shape(value, vendor):
    assert vendor_of_value(value) == vendor


@pytest.mark.parametrize(
    "value",
    [
        "sk-SK",  # a locale
        "sk-short",
        "ASIA_PACIFIC",
        "ASIAPACIFIC",
        "AKIAIOSFODNN7EXAMPLEX",  # 17 characters after AKIA
        "akiaiosfodnn7example",
        "sk_live_abc",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc with a note",
        "ghp_abc",
        "SG.abc",
        "xoxb-123",
        "AIzaShort",
        "hf_hub",
        "npm_config",
        "pk_live_" + "a" * 24,  # publishable: meant to be public
    ],
)
def test_a_prefix_alone_is_not_a_vendor_key(value):
    assert vendor_of_value(value) is None


def test_a_jwt_is_three_base64url_parts_starting_eyj():
    assert is_jwt(JWT)
    assert is_jwt(JWT.rsplit(".", 1)[0] + ".")  # unsigned: still a token
    assert not is_jwt("eyJ.only-two")
    assert not is_jwt("abc.def.ghi")
    assert not is_jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIi.sig nature")


@pytest.mark.parametrize(
    ("value", "random"),
    [
        ("Zx8vK2pQr7LmN4tY9wB3", True),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", True),
        ("info", False),
        ("8080", False),
        ("12345678901234567890", False),
        ("https://api.example.com/v1/resources", False),
        ("my-application-production-bucket", False),
        ("eu-west-1", False),
        ("3600s", False),
        ("Hello World, how are you today?", False),
    ],
)
def test_looks_random(value, random):
    assert looks_random(value) is random
