"""The rotation package: reproducible bytes, the right files, and a handler that runs from it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from components.lambda_package import (
    FILE_MODE,
    HANDLER_DATA_FILES,
    PACKAGE_FILE,
    ROTATION_DEPENDENCIES,
    ZIP_EPOCH,
    PackageFile,
    PackagingError,
    distribution_files,
    handler_files,
    package_files,
    rotation_package,
    write_package,
    zip_bytes,
)
from rotation import tls
from tests.conftest import PROJECT_DIR

RUNTIME_PROVIDED = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "certifi")
"""What the python3.11 Lambda runtime has besides the standard library (boto3 and its needs)."""


def copy_handler_data(source_dir: Path) -> None:
    """The project's HANDLER_DATA_FILES, copied under `source_dir` so that it packages."""
    for name in HANDLER_DATA_FILES:
        (source_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / "rotation" / name, source_dir / name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's rotation sources, free to change."""
    shutil.copytree(
        PROJECT_DIR / "rotation",
        tmp_path / "rotation",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path


def test_the_same_sources_give_the_same_bytes(project):
    first = rotation_package(project)
    first_bytes = first.path.read_bytes()
    (project / "rotation" / "steps.py").touch()  # a new mtime is not a change

    second = rotation_package(project)

    assert second.code_sha256 == first.code_sha256
    assert second.path.read_bytes() == first_bytes
    assert first.path == project / PACKAGE_FILE


def test_changing_a_source_changes_the_hash(project):
    before = rotation_package(project).code_sha256
    steps = project / "rotation" / "steps.py"
    steps.write_text(steps.read_text() + "\n# changed\n")

    assert rotation_package(project).code_sha256 != before


def test_entries_are_sorted_with_one_time_and_mode_and_no_bytecode(project):
    (project / "rotation" / "__pycache__").mkdir()
    (project / "rotation" / "__pycache__" / "steps.cpython-311.pyc").write_bytes(b"\0")

    with zipfile.ZipFile(rotation_package(project).path) as archive:
        infos = archive.infolist()

    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {ZIP_EPOCH}
    assert {info.external_attr >> 16 & 0o777 for info in infos} == {FILE_MODE}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert not [name for name in names if name.endswith(("/RECORD", "/INSTALLER"))]
    assert {"handler.py", "steps.py", "token_secret.py", "six.py"} <= set(names)
    assert "__init__.py" not in names
    assert {"pg8000/native.py", "scramp/core.py", "asn1crypto/core.py"} <= set(names)
    assert "dateutil/parser/_parser.py" in names
    assert [name for name in names if "dist-info/licenses/" in name or name.endswith("/LICENSE")]
    assert "certs/rds-global-bundle.pem" in names


def test_the_rds_ca_bundle_is_where_the_tls_module_loads_it_from(project):
    # Flat, the archive root holds the contents of rotation/: the same path relative to tls.py.
    bundle = tls.RDS_CA_BUNDLE.relative_to(PROJECT_DIR / "rotation").as_posix()

    with zipfile.ZipFile(rotation_package(project).path) as archive:
        packaged = archive.read(bundle)

    assert bundle in HANDLER_DATA_FILES
    assert packaged == tls.RDS_CA_BUNDLE.read_bytes()
    assert packaged.count(b"-----BEGIN CERTIFICATE-----") == 115


def test_rejects_a_source_folder_without_the_rds_ca_bundle(project):
    (project / "rotation" / "certs" / "rds-global-bundle.pem").unlink()

    with pytest.raises(PackagingError, match=r"rds-global-bundle\.pem is missing"):
        rotation_package(project)


def test_zip_bytes_do_not_depend_on_the_order_given():
    entries = [("b.py", b"b"), ("a/c.py", b"c"), ("a.py", b"a")]

    assert zip_bytes(entries) == zip_bytes(reversed(entries))


def test_an_unchanged_package_is_not_rewritten(tmp_path):
    path = tmp_path / "build" / "package.zip"
    write_package(b"zip", path)
    os.utime(path, ns=(0, 0))

    package = write_package(b"zip", path)

    assert path.stat().st_mtime_ns == 0
    # `printf zip | openssl dgst -sha256 -binary | base64`
    assert package.code_sha256 == "SnD+mqZDbgLC3qNA+9HjUuTvLYzmylKtJdS5VHH8i/I="
    write_package(b"other", path)
    assert path.read_bytes() == b"other"


def test_rejects_a_module_that_shadows_the_standard_library(tmp_path):
    copy_handler_data(tmp_path)
    (tmp_path / "handler.py").write_text("")
    (tmp_path / "secrets.py").write_text("")

    with pytest.raises(PackagingError, match=r"secrets\.py would shadow the standard library"):
        package_files(tmp_path, ())


def test_rejects_the_same_name_from_two_places(tmp_path):
    copy_handler_data(tmp_path)
    (tmp_path / "six.py").write_text("")

    with pytest.raises(PackagingError, match=r"six\.py comes from both"):
        package_files(tmp_path, ("six",))


def test_rejects_a_distribution_that_is_not_installed():
    with pytest.raises(PackagingError, match="no-such-distribution is not installed"):
        distribution_files("no-such-distribution")


def test_rejects_compiled_code(monkeypatch):
    class Compiled:
        files = (importlib.metadata.PackagePath("fast/_speedups.cpython-311-x86_64-linux-gnu.so"),)

        def locate_file(self, path):
            return Path("/site-packages") / path

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Compiled())

    with pytest.raises(PackagingError, match="compiled for this machine"):
        distribution_files("fast")


def test_handler_files_are_flat_and_leave_init_out(project):
    files = handler_files(project / "rotation")

    modules = [file for file in files if file.archive_name not in HANDLER_DATA_FILES]
    assert all(isinstance(file, PackageFile) and "/" not in file.archive_name for file in modules)
    assert "__init__.py" not in {file.archive_name for file in files}
    assert [file.archive_name for file in files[len(modules) :]] == list(HANDLER_DATA_FILES)


def runtime_like_path(tmp_path: Path) -> Path:
    """A folder with only what Lambda's runtime provides, linked from this interpreter."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site_packages = Path(sysconfig.get_paths()["purelib"])
    for name in RUNTIME_PROVIDED:
        if (site_packages / name).exists():
            (runtime / name).symlink_to(site_packages / name)
    return runtime


RUN_FROM_THE_ZIP = """
import json, os, sys
sys.path[:0] = [os.environ["PACKAGE_DIR"], os.environ["RUNTIME_DIR"]]
import handler
import pg8000.native, scramp, dateutil
for module in (pg8000, scramp, dateutil):
    assert module.__file__.startswith(os.environ["PACKAGE_DIR"]), module.__file__
for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
    handler.lambda_handler(
        {"SecretId": os.environ["SECRET_ARN"], "ClientRequestToken": os.environ["TOKEN"],
         "Step": step},
        None,
    )
from rotation import tls
assert str(tls.RDS_CA_BUNDLE).startswith(os.environ["PACKAGE_DIR"]), tls.RDS_CA_BUNDLE
assert tls.ssl_context(tls.VERIFY_FULL).cert_store_stats()["x509_ca"] >= 115
print(json.dumps(sorted(name for name in sys.modules if name.startswith("rotation."))))
"""


def test_the_handler_imports_and_rotates_from_the_zip_in_a_fresh_process(
    project, tmp_path, aws_environment, rotation_service, moto_endpoint
):
    # GIVEN the package unpacked as Lambda does, and a token rotation started in moto
    package_dir = tmp_path / "task"
    with zipfile.ZipFile(rotation_package(project).path) as archive:
        archive.extractall(package_dir)
    secret_arn = rotation_service.create_secret("SENTINEL-old-token-3c1f")
    token = rotation_service.start(secret_arn)

    # WHEN a fresh interpreter without site-packages runs the four steps from the zip
    result = subprocess.run(
        [sys.executable, "-S", "-c", RUN_FROM_THE_ZIP],
        env={
            **os.environ,
            "PACKAGE_DIR": str(package_dir),
            "RUNTIME_DIR": str(runtime_like_path(tmp_path)),
            "SECRET_ARN": secret_arn,
            "TOKEN": token,
            "STRATEGY": "token",
            "PASSWORD_LENGTH": "40",
            "EXCLUDE_PUNCTUATION": "true",
            "SECRETS_MANAGER_ENDPOINT": moto_endpoint,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # THEN the handler ran flat from the zip's root, found the RDS CA bundle there, and the new
    # token is AWSCURRENT
    assert result.returncode == 0, result.stderr
    assert "rotation.steps" in json.loads(result.stdout.splitlines()[-1])
    assert rotation_service.stages(secret_arn)[token] == ["AWSCURRENT"]
    new_value = rotation_service.value(secret_arn, "AWSCURRENT")
    assert len(new_value) == 40 and new_value.isalnum()
    assert "SENTINEL" not in result.stdout + result.stderr


def test_the_dependencies_are_the_handlers_imports_beyond_the_runtime():
    assert ROTATION_DEPENDENCIES == ("pg8000", "scramp", "asn1crypto", "python-dateutil", "six")
