"""TLS to PostgreSQL: what a secret's `ssl` field asks for, and the context that verifies it."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

RDS_CA_BUNDLE = Path(__file__).resolve().parent / "certs" / "rds-global-bundle.pem"
"""Amazon RDS's CA certificates, beside this module in both layouts the handler supports
(`rotation/certs/` as a package, `certs/` at the root flat). Written by
`scripts/update_rds_ca_bundle.py` from a pinned npm package."""
MSG_BUNDLE_UNREADABLE = "cannot load the RDS CA bundle %s (is it in the package?): %s"
# What pg8000 raises when the server answers "N" to its SSLRequest.
PG8000_NO_TLS = "Server refuses SSL"
# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
NAME_MISMATCH_CODES = frozenset({62, 64})


@dataclass(frozen=True)
class SslSetting:
    """What a secret's `ssl` field asks for."""

    verify_full: bool
    """True: TLS, with the server's certificate chain and host name verified (libpq's
    sslmode=verify-full), and never plain TCP. False: plain TCP, never TLS (sslmode=disable)."""
    ignored: str | None = None
    """The kind of an `ssl` value that is none of the allowed ones and so was read as the
    default, e.g. "a string of 8 characters"; None when the value was allowed or absent."""


VERIFY_FULL = SslSetting(verify_full=True)
DISABLE = SslSetting(verify_full=False)


def read_ssl_value(value: object) -> SslSetting:
    """The setting a secret's `ssl` value asks for; every value asks for one.

    Absent (None, which JSON null gives too): VERIFY_FULL, the default. A boolean, or the
    string "true" or "false" in any case: VERIFY_FULL or DISABLE, as AWS's templates read them.
    Any other value: VERIFY_FULL, with `ignored` saying what kind of value it was.
    """
    if value is None:
        return VERIFY_FULL
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value.lower(), value)
    if isinstance(value, bool):
        return VERIFY_FULL if value else DISABLE
    return SslSetting(verify_full=True, ignored=_kind(value))


def ssl_context(setting: SslSetting) -> ssl.SSLContext | Literal[False]:
    """pg8000's `ssl_context` for `setting`: a verifying context, or False for plain TCP.

    The context trusts the system's CAs, or the files SSL_CERT_FILE and SSL_CERT_DIR name
    instead (`ssl.create_default_context`), plus RDS_CA_BUNDLE: RDS signs its servers'
    certificates with CAs that no public trust store has. It requires a certificate that
    chains to one of them and names the host connected to, and TLS 1.2 or later.
    """
    if not setting.verify_full:
        return False
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=RDS_CA_BUNDLE)
    except OSError as exc:
        # Not an OSError any more: try_login would report it as an unreachable database, and a
        # missing file is a packaging bug.
        raise RuntimeError(MSG_BUNDLE_UNREADABLE % (RDS_CA_BUNDLE, exc)) from exc
    return context


def describe_tls_failure(exc: BaseException) -> str | None:
    """What went wrong with TLS when connecting raised `exc`, in one line; None if not TLS.

    OpenSSL's verification messages name the host and the problem, never a secret.
    """
    for error in (exc, exc.__cause__):
        if isinstance(error, ssl.SSLCertVerificationError):
            check = "host name" if error.verify_code in NAME_MISMATCH_CODES else "certificate"
            return f"{check} verification failed: {str(error.verify_message).rstrip('.')}"
        if isinstance(error, ssl.SSLError):
            return f"the TLS handshake failed: {type(error).__name__}: {error}"
        if error is not None and error.args == (PG8000_NO_TLS,):
            return "the server does not offer TLS"
    return None


def _kind(value: object) -> str:
    # Only the kind, never the value: a string in the wrong field might be the password.
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    return f"type {type(value).__name__}"
