"""Pulumi's passphrase format: known answers, round trips, and every way decryption refuses."""

from __future__ import annotations

import base64

import pytest

from inputs.passphrase import (
    PassphraseCrypter,
    PassphraseError,
    UndecryptableValueError,
    crypter_from_salt,
    read_passphrase,
)
from tests.inputs.pulumi_passphrase import PassphraseStack, encrypt

# Written by the Pulumi CLI itself: pulumi/pulumi tests/roundtrip/roundtrip_test.go
# (TestConfigRoundtripComments), passphrase "TestConfigRoundtripComments".
PULUMI_SALT = "v1:ThS5UPxP9qc=:v1:UZYAXF+ylaJ0rGhv:9OTvBnOEDFgxs7btjzSu+LZ470vLpg=="
PULUMI_VALUE = "v1:T1ftqhY0hqr+EJK6:+jvd5PMecFx80tcavzuZY4tLatgIfoe/xR72GA=="
PULUMI_PASSPHRASE = "TestConfigRoundtripComments"


@pytest.fixture(scope="module")
def pulumi_crypter() -> PassphraseCrypter:
    return crypter_from_salt(PULUMI_SALT, PULUMI_PASSPHRASE)


def test_decrypts_what_the_pulumi_cli_wrote(pulumi_crypter):
    assert pulumi_crypter.decrypt(PULUMI_VALUE) == "secret-value"


def test_refuses_a_wrong_passphrase_for_the_pulumi_salt():
    with pytest.raises(PassphraseError, match="does not match encryptionsalt"):
        crypter_from_salt(PULUMI_SALT, "not the passphrase")


def test_decrypts_what_an_independent_encrypter_wrote():
    # GIVEN a stack encrypted apart from the project's code, with a value of every kind
    stack = PassphraseStack.new("correct horse battery staple")
    values = ["", "p@ss:w0rd/'\"\\", "ü ☃ \n\t", "x" * 5000]

    # WHEN the project decrypts it THEN every value comes back exactly
    crypter = crypter_from_salt(stack.encryption_salt, "correct horse battery staple")
    assert [crypter.decrypt(stack.secure(value)) for value in values] == values


def test_an_empty_passphrase_is_a_passphrase():
    stack = PassphraseStack.new("")

    assert crypter_from_salt(stack.encryption_salt, "").decrypt(stack.secure("v")) == "v"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda value: value[:-4] + ("AAA=" if value[-4:] != "AAA=" else "BBB="), "authenticate"),
        (lambda value: value.replace("v1:", "v2:", 1), "not a v1:NONCE:CIPHERTEXT value"),
        (lambda value: value + ":extra", "not a v1:NONCE:CIPHERTEXT value"),
        (lambda value: "v1:!!!:" + value.split(":")[2], "not base64"),
        (
            lambda value: f"v1:{base64.b64encode(b'short').decode()}:{value.split(':')[2]}",
            "nonce is not 12 bytes",
        ),
    ],
)
def test_refuses_a_tampered_value(pulumi_crypter, tamper, reason):
    with pytest.raises(UndecryptableValueError, match=reason):
        pulumi_crypter.decrypt(tamper(PULUMI_VALUE))


def test_refuses_a_value_of_another_stack(pulumi_crypter):
    other = PassphraseStack.new(PULUMI_PASSPHRASE)  # same passphrase, another salt

    with pytest.raises(UndecryptableValueError, match="authenticate"):
        pulumi_crypter.decrypt(other.secure("x"))


@pytest.mark.parametrize("salt", ["v2:abc:def", "v1:abc", "v1:not base64!:v1:a:b"])
def test_refuses_a_malformed_salt(salt):
    with pytest.raises(PassphraseError, match="encryptionsalt"):
        crypter_from_salt(salt, "x")


def test_the_crypter_never_shows_its_key():
    crypter = PassphraseCrypter(b"k" * 32)

    assert "k" * 8 not in repr(crypter)
    assert encrypt(b"k" * 32, "v") != "v"


def test_reads_the_passphrase_as_the_pulumi_cli_does(tmp_path):
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text("  from the file \n", encoding="utf-8")

    assert read_passphrase({"PULUMI_CONFIG_PASSPHRASE": ""}) == ""
    assert (
        read_passphrase({"PULUMI_CONFIG_PASSPHRASE": " a ", "PULUMI_CONFIG_PASSPHRASE_FILE": "x"})
        == " a "
    )
    assert (
        read_passphrase({"PULUMI_CONFIG_PASSPHRASE_FILE": str(passphrase_file)}) == "from the file"
    )
    assert read_passphrase({"PULUMI_CONFIG_PASSPHRASE_FILE": ""}) is None
    assert read_passphrase({}) is None


def test_an_unreadable_passphrase_file_is_named(tmp_path):
    missing = tmp_path / "missing"

    with pytest.raises(PassphraseError, match=r"PULUMI_CONFIG_PASSPHRASE_FILE names .*missing"):
        read_passphrase({"PULUMI_CONFIG_PASSPHRASE_FILE": str(missing)})
