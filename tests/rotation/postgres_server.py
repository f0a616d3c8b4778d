"""A throwaway PostgreSQL server for the tests: initdb in a temporary directory, then pg_ctl."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pg8000.native
import pytest
from pg8000.exceptions import DatabaseError

from tests.rotation.certificates import new_ca, write_server_certificate

BINARIES_GLOB = "/usr/lib/postgresql/*/bin"
BINARIES_MISSING = "PostgreSQL server binaries not found; install the Debian package postgresql"
HOST = "127.0.0.1"
SUPERUSER = "postgres"
# initdb refuses to run as root; as root, the cluster belongs to this system user instead.
SYSTEM_USER = "postgres"
START_TIMEOUT_SECONDS = 60


class PostgresServerError(Exception):
    """The test PostgreSQL server could not be set up."""


@dataclass(frozen=True)
class ServerTls:
    """The files of a server that offers TLS: its certificate and key, and the CA that signed it."""

    ca_file: Path
    """The throwaway CA's certificate, which no trust store has: trust it with SSL_CERT_FILE."""
    cert_file: Path
    key_file: Path


@dataclass
class PostgresServer:
    """A running server that listens on 127.0.0.1 and accepts scram-sha-256 passwords only."""

    bin_dir: Path
    directory: Path
    port: int
    superuser_password: str = field(repr=False)
    host: str = HOST
    superuser: str = SUPERUSER
    tls: ServerTls | None = None
    """With TLS files, the server offers TLS (ssl=on); it still takes plain TCP logins too."""

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def connect(self, *, user: str, password: str, dbname: str = "postgres") -> Any:
        return pg8000.native.Connection(
            user=user,
            password=password,
            host=self.host,
            port=self.port,
            database=dbname,
            timeout=5,
            ssl_context=False,
        )

    def run(self, sql: str, **params: Any) -> list[list[Any]]:
        """Run one statement as the superuser."""
        connection = self.connect(user=self.superuser, password=self.superuser_password)
        try:
            return connection.run(sql, **params) or []
        finally:
            connection.close()

    def can_login(self, user: str, password: str) -> bool:
        try:
            self.connect(user=user, password=password).close()
        except DatabaseError:
            return False
        return True

    def create_login_role(self, role: str, password: str, *, attributes: str = "") -> None:
        quoted = self.run(
            "SELECT format('CREATE ROLE %I WITH LOGIN ' || :attributes || ' PASSWORD %L',"
            " CAST(:role AS text), CAST(:password AS text))",
            attributes=attributes,
            role=role,
            password=password,
        )[0][0]
        self.run(quoted)

    def alter_role(self, role: str, clause: str, **params: Any) -> None:
        """`ALTER ROLE <role> <clause>`, e.g. clause "NOLOGIN" or "PASSWORD %L" with password."""
        arguments = ", ".join(f"CAST(:{name} AS text)" for name in ("role", *params))
        quoted = self.run(
            f"SELECT format('ALTER ROLE %I ' || :clause, {arguments})",
            clause=clause,
            role=role,
            **params,
        )[0][0]
        self.run(quoted)

    def secret_value(
        self, *, username: str, password: str, ssl: object = False, **extra: Any
    ) -> str:
        """The JSON of a secret that logs in to this server.

        Its `ssl` field is false unless `ssl` says otherwise, since the rotation's default is
        verified TLS; `ssl=None` leaves the field out.
        """
        value = {
            "engine": "postgres",
            "host": self.host,
            "port": self.port,
            "username": username,
            "password": password,
            "dbname": "postgres",
            **({} if ssl is None else {"ssl": ssl}),
            **extra,
        }
        return json.dumps(value)

    def stop(self) -> None:
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "stop", "-m", "immediate"])

    def start(self) -> None:
        """Start the stopped server again, on the same port with the same data."""
        _start_cluster(self)


def find_bin_dir() -> Path | None:
    """The bin directory of the newest installed PostgreSQL server, if any."""
    candidates = [
        path for path in Path("/").glob(BINARIES_GLOB.lstrip("/")) if (path / "initdb").exists()
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda path: int(path.parent.name.split(".")[0]))


def start_server(bin_dir: Path, *, tls_names: Sequence[str] = ()) -> PostgresServer:
    """initdb a cluster in a new temporary directory and start it on a free port.

    With `tls_names`, the server also offers TLS, with a certificate for those names (an IP
    address becomes an IP entry of its subjectAltName) signed by a CA made for it alone.
    initdb's `host` lines in pg_hba.conf match both TLS and plain TCP logins, so it takes both.
    """
    directory = Path(tempfile.mkdtemp(prefix="rotation-postgres-"))
    server = PostgresServer(
        bin_dir=bin_dir,
        directory=directory,
        port=free_port(),
        superuser_password=secrets.token_urlsafe(24),
        tls=_tls_files(directory / "tls", tls_names) if tls_names else None,
    )
    try:
        _init_cluster(server)
        _start_cluster(server)
    except BaseException:
        remove_directory(server)
        raise
    return server


@contextmanager
def running_server(*, tls_names: Sequence[str] = ()) -> Iterator[PostgresServer]:
    """A new server for the `with` block, stopped (if still running) and removed after it.

    The tests fail, never skip, when the binaries are missing or the server does not start.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(BINARIES_MISSING)
    try:
        server = start_server(bin_dir, tls_names=tls_names)
    except PostgresServerError as exc:
        pytest.fail(f"could not start PostgreSQL from {bin_dir}: {exc}")
    try:
        yield server
    finally:
        try:
            server.stop()
        except PostgresServerError:
            pass  # the test stopped it already
        finally:
            remove_directory(server)


def remove_directory(server: PostgresServer) -> None:
    shutil.rmtree(server.directory, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _init_cluster(server: PostgresServer) -> None:
    password_file = server.directory / "superuser-password"
    password_file.write_text(server.superuser_password + "\n")
    password_file.chmod(0o600)
    if _running_as_root():
        _chown_recursively(server.directory, SYSTEM_USER)
    _run(
        [
            str(server.bin_dir / "initdb"),
            "--pgdata",
            str(server.data_dir),
            "--username",
            server.superuser,
            "--pwfile",
            str(password_file),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        ]
    )
    password_file.unlink()


def _start_cluster(server: PostgresServer) -> None:
    options = " ".join(
        [
            f"-c listen_addresses={server.host}",
            f"-c port={server.port}",
            f"-c unix_socket_directories={server.directory}",
            "-c fsync=off",
            *_tls_options(server.tls),
        ]
    )
    log_file = server.directory / "server.log"
    try:
        _run(
            [
                str(server.bin_dir / "pg_ctl"),
                "--pgdata",
                str(server.data_dir),
                "--log",
                str(log_file),
                "--options",
                options,
                "--wait",
                "--timeout",
                str(START_TIMEOUT_SECONDS),
                "start",
            ]
        )
    except PostgresServerError as exc:
        log = log_file.read_text(errors="replace") if log_file.exists() else "(no log)"
        raise PostgresServerError(f"{exc}\nserver log:\n{log[-4000:]}") from exc


def _tls_files(directory: Path, names: Sequence[str]) -> ServerTls:
    # Written before initdb, so that _init_cluster gives them to the server's system user.
    directory.mkdir()
    tls = ServerTls(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server.key",
    )
    ca = new_ca()
    ca.write(tls.ca_file)
    write_server_certificate(ca, names=names, cert_file=tls.cert_file, key_file=tls.key_file)
    return tls


def _tls_options(tls: ServerTls | None) -> list[str]:
    if tls is None:
        return []
    return ["-c ssl=on", f"-c ssl_cert_file={tls.cert_file}", f"-c ssl_key_file={tls.key_file}"]


def _run(command: list[str]) -> None:
    if _running_as_root():
        command = ["runuser", "-u", SYSTEM_USER, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresServerError(
            f"{' '.join(command)} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
        )


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _chown_recursively(directory: Path, user: str) -> None:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise PostgresServerError(
            f"running as root, but there is no {user!r} system user to run PostgreSQL as"
        ) from None
    for path in (directory, *directory.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid)
