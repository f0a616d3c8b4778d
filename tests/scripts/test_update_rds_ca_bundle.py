"""The RDS CA bundle script: the pinned tarball only, every certificate, the committed bytes."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile

import pytest

from scripts import update_rds_ca_bundle as script
from tests.rotation.certificates import new_ca, write_server_certificate

PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n.+?-----END CERTIFICATE-----\n", re.DOTALL)


def committed_certificates() -> list[str]:
    return PEM.findall(script.BUNDLE.read_text(encoding="ascii"))


def defaults_module(certificates: list[str]) -> str:
    """defaults.js as the package compiles it: each PEM line a quoted string ending in \\n."""
    entries = [
        " +\n".join(f"'{line}\\n'" for line in certificate.splitlines())
        for certificate in certificates
    ]
    return (
        '"use strict";\nexports.defaults = void 0;\n/** CA Certificates for **Amazon RDS** */\n'
        "exports.defaults = [\n    " + ",\n    ".join(entries) + ",\n];\n"
    )


def tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_the_committed_bundle_is_what_the_script_writes_from_its_certificates() -> None:
    certificates = committed_certificates()

    script.check_certificates(certificates)
    assert len(certificates) == script.EXPECTED_COUNT == 115
    assert script.bundle_text(certificates) == script.BUNDLE.read_text(encoding="ascii")
    assert f"{script.NPM_PACKAGE}@{script.NPM_VERSION}" in script.BUNDLE.read_text()


def test_reads_every_certificate_of_the_package_module_in_order() -> None:
    certificates = committed_certificates()[:3]
    data = tarball({script.SOURCE_MEMBER: defaults_module(certificates)})

    assert script.certificates_from_tarball(data) == certificates


def test_rejects_a_tarball_that_is_not_the_pinned_one() -> None:
    data = tarball({script.SOURCE_MEMBER: defaults_module(committed_certificates()[:1])})

    script.check_integrity(data, integrity(data))
    with pytest.raises(
        script.BundleError, match=f"integrity must be {re.escape(script.NPM_INTEGRITY)}"
    ):
        script.check_integrity(data)


def test_rejects_a_certificate_that_is_not_a_whole_pem_block() -> None:
    broken = committed_certificates()[0].replace("-----END CERTIFICATE-----\n", "")

    with pytest.raises(script.BundleError, match="not a whole PEM block"):
        script.certificates_from_module(defaults_module([broken]))


def test_rejects_a_certificate_openssl_cannot_read() -> None:
    certificate = committed_certificates()[0]
    lines = certificate.splitlines()
    damaged = "\n".join([lines[0], lines[1][::-1], *lines[2:]]) + "\n"

    with pytest.raises(script.BundleError, match="certificate 2: OpenSSL cannot read it"):
        script.check_certificates([certificate, damaged])


def test_rejects_a_certificate_listed_twice() -> None:
    certificate = committed_certificates()[0]

    with pytest.raises(script.BundleError, match="twice"):
        script.check_certificates([certificate, certificate])


def test_rejects_a_certificate_that_is_not_a_ca(tmp_path) -> None:
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    write_server_certificate(new_ca(), names=["db.example"], cert_file=cert_file, key_file=key_file)

    with pytest.raises(script.BundleError, match="certificate 1: not a CA certificate"):
        script.check_certificates([cert_file.read_text()])
