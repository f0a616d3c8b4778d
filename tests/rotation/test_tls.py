"""TLS to PostgreSQL: the `ssl` setting read directly, then logins against real servers."""

from __future__ import annotations

import json
import logging
import ssl
from pathlib import Path

import pytest

from rotation import postgres, postgres_secret, tls
from rotation.exceptions import DatabaseUnavailableError
from rotation.postgres_secret import PostgresCredentials
from scripts.update_rds_ca_bundle import EXPECTED_COUNT as RDS_CA_COUNT
from tests.rotation.postgres_server import PostgresServer
from tests.rotation.secret_leaks import assert_no_secret, exception_text, log_text

SSL_IN_PG_STAT_SSL = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
# A value in the wrong field might be a password: it must never be repeated.
NOT_A_SETTING = "S3cret-in-the-ssl-field"


@pytest.fixture
def untrusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's trust store only: the test CA is not in it."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture
def trusted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_tls_server: PostgresServer
) -> None:
    """The TLS server's CA as the whole system trust store, as SSL_CERT_FILE makes it."""
    assert postgres_tls_server.tls is not None
    (tmp_path / "no-certificates").mkdir()
    monkeypatch.setenv("SSL_CERT_FILE", str(postgres_tls_server.tls.ca_file))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-certificates"))


def superuser_login(
    server: PostgresServer, *, ssl_field: object = None, host: str | None = None
) -> PostgresCredentials:
    """The superuser's login as a secret holds it; `ssl_field` None leaves `ssl` out."""
    value = json.loads(
        server.secret_value(
            username=server.superuser, password=server.superuser_password, ssl=ssl_field
        )
    )
    if host is not None:
        value["host"] = host
    return postgres_secret.parse_credentials(json.dumps(value), source="test")


def session_uses_tls(credentials: PostgresCredentials) -> bool:
    session = postgres.try_login(credentials)
    assert session is not None
    with session:
        return session.run(SSL_IN_PG_STAT_SSL, action="read pg_stat_ssl")[0][0]


# The setting, read directly.


@pytest.mark.parametrize("value", [None, True, "true", "TRUE", "True"])
def test_absent_or_true_means_verified_tls(value: object) -> None:
    assert tls.read_ssl_value(value) == tls.VERIFY_FULL == tls.SslSetting(verify_full=True)


@pytest.mark.parametrize("value", [False, "false", "FALSE", "False"])
def test_false_means_plain_tcp(value: object) -> None:
    assert tls.read_ssl_value(value) == tls.DISABLE == tls.SslSetting(verify_full=False)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (NOT_A_SETTING, "a string of 23 characters"),
        ("require", "a string of 7 characters"),
        ("", "a string of 0 characters"),
        (1, "type int"),
        (0, "type int"),
        (1.5, "type float"),
        (["true"], "type list"),
        ({"mode": "verify-full"}, "type dict"),
    ],
)
def test_any_other_value_means_verified_tls_and_keeps_only_its_kind(
    value: object, kind: str
) -> None:
    setting = tls.read_ssl_value(value)

    assert setting == tls.SslSetting(verify_full=True, ignored=kind)
    assert_no_secret(repr(setting), [NOT_A_SETTING])


def test_plain_tcp_has_no_context() -> None:
    assert tls.ssl_context(tls.DISABLE) is False


@pytest.mark.parametrize("setting", [tls.VERIFY_FULL, tls.read_ssl_value("require")])
def test_verified_tls_checks_the_chain_and_the_host_name(setting: tls.SslSetting) -> None:
    context = tls.ssl_context(setting)

    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_the_rds_bundle_holds_amazon_rds_ca_certificates() -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=tls.RDS_CA_BUNDLE)

    certificates = context.get_ca_certs()
    assert context.cert_store_stats()["x509_ca"] == len(certificates) == RDS_CA_COUNT
    units = {
        value
        for cert in certificates
        for ((key, value),) in cert["subject"]
        if key == "organizationalUnitName"
    }
    assert units == {"Amazon RDS"}


def test_verified_tls_trusts_the_system_store_and_the_rds_bundle(trusted: None) -> None:
    context = tls.ssl_context(tls.VERIFY_FULL)

    names = [
        dict(item for (item,) in cert["subject"])["commonName"] for cert in context.get_ca_certs()
    ]
    assert "app-secrets test CA" in names, "SSL_CERT_FILE, the system store, is trusted"
    assert len(names) == RDS_CA_COUNT + 1
    assert "Amazon RDS eu-west-1 Root CA RSA2048 G1" in names


def test_fails_loudly_when_the_bundle_is_not_in_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tls, "RDS_CA_BUNDLE", tmp_path / "certs" / "rds-global-bundle.pem")

    # Not an OSError: try_login would take it for an unreachable server.
    with pytest.raises(RuntimeError, match=r"cannot load the RDS CA bundle .*rds-global-bundle"):
        tls.ssl_context(tls.VERIFY_FULL)


def test_a_failure_that_is_not_tls_is_not_described_as_tls() -> None:
    assert tls.describe_tls_failure(ConnectionRefusedError(111, "Connection refused")) is None


# Logins against real servers.


@pytest.mark.postgres
def test_fails_without_the_ca_trusted_and_never_falls_back_to_plain(
    postgres_tls_server: PostgresServer, untrusted: None
) -> None:
    # GIVEN a server that takes plain TCP logins too, and a secret without an `ssl` field
    server = postgres_tls_server
    assert server.can_login(server.superuser, server.superuser_password)
    credentials = superuser_login(server)

    # WHEN the rotation logs in without the server's CA trusted
    with pytest.raises(DatabaseUnavailableError) as info:
        postgres.try_login(credentials)

    # THEN it is refused as a TLS verification failure, in one line that says how to opt out
    message = str(info.value)
    assert message.startswith(
        f"cannot reach PostgreSQL at 127.0.0.1:{server.port} as role postgres over verified TLS:"
        " certificate verification failed: unable to get local issuer certificate;"
    )
    assert 'set "ssl": false in the secret' in message
    assert "\n" not in message
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert_no_secret(exception_text(info.value), [server.superuser_password])


@pytest.mark.postgres
@pytest.mark.parametrize("ssl_field", [None, True, "TRUE"], ids=["absent", "true", "TRUE"])
def test_logs_in_over_tls_with_the_ca_trusted(
    postgres_tls_server: PostgresServer, trusted: None, ssl_field: object
) -> None:
    credentials = superuser_login(postgres_tls_server, ssl_field=ssl_field)

    assert session_uses_tls(credentials) is True


@pytest.mark.postgres
def test_fails_for_a_host_name_the_certificate_does_not_name(
    postgres_tls_server: PostgresServer, trusted: None
) -> None:
    # GIVEN the same server reached as localhost, while its certificate names 127.0.0.1 only
    credentials = superuser_login(postgres_tls_server, host="localhost")

    with pytest.raises(DatabaseUnavailableError) as info:
        postgres.try_login(credentials)

    assert str(info.value).startswith(
        f"cannot reach PostgreSQL at localhost:{postgres_tls_server.port} as role postgres over"
        " verified TLS: host name verification failed: Hostname mismatch, certificate is not"
        " valid for 'localhost';"
    )
    assert 'set "ssl": false in the secret' in str(info.value)


@pytest.mark.postgres
@pytest.mark.parametrize("ssl_field", [False, "false", "FALSE"])
def test_ssl_false_logs_in_over_plain_tcp(
    postgres_tls_server: PostgresServer, untrusted: None, ssl_field: object
) -> None:
    credentials = superuser_login(postgres_tls_server, ssl_field=ssl_field)

    assert session_uses_tls(credentials) is False


@pytest.mark.postgres
def test_any_other_ssl_value_logs_in_over_verified_tls_and_warns_on_each_connection(
    postgres_tls_server: PostgresServer, trusted: None, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = superuser_login(postgres_tls_server, ssl_field=NOT_A_SETTING)
    caplog.set_level(logging.WARNING, logger="rotation")

    assert session_uses_tls(credentials) is True
    assert postgres.can_login(credentials) is True

    warnings = [
        record.getMessage() for record in caplog.records if record.levelno == logging.WARNING
    ]
    assert (
        warnings
        == [
            "the secret's field 'ssl' must be true or false, got a string of 23 characters:"
            " connecting with verified TLS, the default"
        ]
        * 2
    )
    assert_no_secret(log_text(caplog), [NOT_A_SETTING, postgres_tls_server.superuser_password])


@pytest.mark.postgres
def test_an_allowed_ssl_value_logs_no_warning(
    postgres_tls_server: PostgresServer, trusted: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="rotation")

    assert postgres.can_login(superuser_login(postgres_tls_server)) is True
    assert caplog.records == []


@pytest.mark.postgres
def test_fails_against_a_server_without_tls_and_says_how_to_opt_out(
    postgres_server: PostgresServer, untrusted: None
) -> None:
    # GIVEN the server without TLS, which takes the same login over plain TCP
    assert postgres_server.can_login(postgres_server.superuser, postgres_server.superuser_password)
    credentials = superuser_login(postgres_server)

    with pytest.raises(DatabaseUnavailableError) as info:
        postgres.try_login(credentials)

    assert str(info.value) == (
        f"cannot reach PostgreSQL at 127.0.0.1:{postgres_server.port} as role postgres over"
        ' verified TLS: the server does not offer TLS; set "ssl": false in the secret to connect'
        " without TLS (docs/rotation.md, TLS to the database)"
    )
    assert_no_secret(exception_text(info.value), [postgres_server.superuser_password])
