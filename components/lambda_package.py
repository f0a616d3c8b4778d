"""The rotation Lambda's deployment package: a zip whose bytes depend only on its sources."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import os
import stat
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROTATION_DEPENDENCIES = ("pg8000", "scramp", "asn1crypto", "python-dateutil", "six")
"""What the handler imports beyond the python3.11 runtime, which already provides boto3."""
HANDLER_DATA_FILES = ("certs/rds-global-bundle.pem",)
"""Files the handler reads, relative to `rotation/`. Each keeps that path under the zip's root,
beside the modules, where the module that reads it finds it (`rotation.tls.RDS_CA_BUNDLE`)."""
PACKAGE_FILE = Path("build") / "rotation-lambda.zip"
"""Where the package is written, relative to the project root (`/build/` is git-ignored)."""
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip can record: every entry gets it, whatever the file's mtime."""
FILE_MODE = 0o644
_UNIX = 3
# Written by the installer, not the wheel: they differ between pip, uv and their versions.
_INSTALLER_FILES = frozenset({"INSTALLER", "RECORD", "REQUESTED", "direct_url.json"})
_COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


class PackagingError(RuntimeError):
    """The package cannot be built from what is installed; the message says what to fix."""


@dataclass(frozen=True)
class PackageFile:
    archive_name: str
    """The entry's name in the zip, relative to its root, with `/` separators."""
    source: Path


@dataclass(frozen=True)
class LambdaPackage:
    path: Path
    """The zip on disk, for `pulumi.FileArchive`."""
    code_sha256: str
    """Base64 SHA-256 of the zip: what Lambda reports as CodeSha256 (`source_code_hash`)."""


def handler_files(source_dir: Path) -> list[PackageFile]:
    """The handler's modules at the zip's root, the flat layout `handler.lambda_handler` needs,
    and HANDLER_DATA_FILES at their paths under it.

    `__init__.py` stays out: flat, `rotation.handler` registers the package itself.
    """
    modules = [
        PackageFile(path.name, path)
        for path in sorted(source_dir.glob("*.py"))
        if path.name != "__init__.py"
    ]
    data = [PackageFile(name, source_dir / name) for name in HANDLER_DATA_FILES]
    for file in data:
        # Without it the function would deploy and then fail every TLS connection.
        if not file.source.is_file():
            raise PackagingError(
                f"{file.source} is missing; the handler reads it "
                "(the RDS CA bundle: python -m scripts.update_rds_ca_bundle writes it)"
            )
    return modules + data


def distribution_files(distribution: str) -> list[PackageFile]:
    """The files of one installed distribution, laid out as in site-packages.

    Copied from the running interpreter's installation, so deploying needs no download.
    Bytecode and installer records are left out; they differ from one machine to the next.
    """
    try:
        installed = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError as exc:
        raise PackagingError(
            f"rotation Lambda dependency {distribution} is not installed for {sys.executable}; "
            "install requirements.txt into this environment"
        ) from exc
    if installed.files is None:
        raise PackagingError(f"{distribution}: its installation lists no files (no RECORD)")
    files = []
    for relative in installed.files:
        path = PurePosixPath(relative.as_posix())
        if _left_out(path):
            continue
        if path.suffix in _COMPILED_SUFFIXES:
            raise PackagingError(
                f"{distribution}: {path} is compiled for this machine, not for Lambda; "
                "the rotation package takes pure-Python dependencies only"
            )
        files.append(PackageFile(str(path), Path(str(installed.locate_file(relative)))))
    return files


def _left_out(path: PurePosixPath) -> bool:
    return (
        path.parts[0] == ".."  # scripts installed outside site-packages
        or path.suffix == ".pyc"
        or (path.parts[0].endswith(".dist-info") and path.name in _INSTALLER_FILES)
    )


def package_files(source_dir: Path, distributions: Sequence[str]) -> list[PackageFile]:
    """The handler and its dependencies; raises PackagingError on a clash at the zip's root."""
    files = handler_files(source_dir)
    for distribution in distributions:
        files += distribution_files(distribution)
    _check_names(files)
    return files


def _check_names(files: Sequence[PackageFile]) -> None:
    seen: dict[str, Path] = {}
    for file in files:
        if file.archive_name in seen:
            raise PackagingError(
                f"{file.archive_name} comes from both {seen[file.archive_name]} and {file.source}"
            )
        seen[file.archive_name] = file.source
        top = file.archive_name.split("/", 1)[0].removesuffix(".py")
        # Flat at the root of sys.path, a module named like one of the standard library's
        # would replace it for every import in the function.
        if top in sys.stdlib_module_names:
            raise PackagingError(
                f"{file.archive_name} would shadow the standard library module {top!r}; rename it"
            )


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip that depends on the entries only: sorted names, one time and mode, no compression.

    Stored rather than deflated: deflate's output can change with the zlib build, and the
    package must hash the same on every machine that deploys it.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
    return buffer.getvalue()


def build_zip(files: Sequence[PackageFile]) -> bytes:
    return zip_bytes((file.archive_name, file.source.read_bytes()) for file in files)


def code_sha256(data: bytes) -> str:
    """Base64 of the SHA-256, the form Lambda's CodeSha256 and `source_code_hash` use."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def write_package(data: bytes, path: Path) -> LambdaPackage:
    """Writes `data` to `path` unless the file holds it already, atomically."""
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    return LambdaPackage(path=path, code_sha256=code_sha256(data))


def rotation_package(project_dir: Path) -> LambdaPackage:
    """Builds `build/rotation-lambda.zip` from `rotation/` and ROTATION_DEPENDENCIES."""
    files = package_files(project_dir / "rotation", ROTATION_DEPENDENCIES)
    return write_package(build_zip(files), project_dir / PACKAGE_FILE)
