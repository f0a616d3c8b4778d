"""RDS in moto, whose endpoints reach a real PostgreSQL: instances, replicas, Aurora clusters.

Import the `*_fixture` functions into a test module to use the fixtures they name.

moto's RDS creates what RDS would: `ManageMasterUserPassword` makes the secret
`rds!db-<uuid>` (or `rds!cluster-<uuid>`) with the tag `aws:rds:primaryDBInstanceArn` (or
`...ClusterArn`) and the value `{"username": ..., "password": ...}`, in the same moto server
as the tests' Secrets Manager. Its endpoints are `<id>.aaaaaaaaaa.<region>.rds.amazonaws.com`
(instances) and `<id>.cluster[-ro]-<random>.<region>.rds.amazonaws.com` (clusters):
`rds_dns` resolves every such name to the test server, as AWS's DNS resolves them to the
database, and `rds_postgres_server` offers TLS with a certificate for the instances' names.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.rotation.postgres_server import HOST, PostgresServer, running_server
from tests.rotation.rotation_service import REGION, aws_client

RDS_DOMAIN = ".rds.amazonaws.com"
INSTANCE_NAMES = f"*.aaaaaaaaaa.{REGION}{RDS_DOMAIN}"
"""moto's instance endpoints, as one wildcard name for the server's certificate."""


@pytest.fixture(scope="session", name="rds_postgres_server")
def rds_postgres_server_fixture() -> Iterator[PostgresServer]:
    """A real PostgreSQL that answers for every moto RDS instance, with verified TLS.

    A secret RDS manages has no `ssl` field, so the master logs in with verified TLS, the
    rotation's default: the certificate names the instances' endpoints.
    """
    with running_server(tls_names=[INSTANCE_NAMES, HOST]) as server:
        yield server


@pytest.fixture(name="rds_dns")
def rds_dns_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve every RDS endpoint name to 127.0.0.1, where the test server listens."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.lower().endswith(RDS_DOMAIN):
            host = HOST
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(name="rds_environment")
def rds_environment_fixture(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> None:
    """Point the rotation's default RDS client at moto, as a Lambda's would point at RDS."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_RDS", moto_endpoint)


@pytest.fixture(name="rds")
def rds_fixture(moto_endpoint: str) -> Any:
    """An RDS client of moto's server."""
    return aws_client("rds", moto_endpoint)


def unique(prefix: str) -> str:
    """An identifier no other test uses: moto's server lives for the whole session."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_instance(
    rds: Any, *, port: int, managed: bool = False, identifier: str | None = None
) -> dict[str, Any]:
    """A PostgreSQL DB instance on `port`; with `managed`, RDS manages its master secret."""
    return rds.create_db_instance(
        DBInstanceIdentifier=identifier or unique("pg"),
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="postgres",
        Port=port,
        **({"ManageMasterUserPassword": True} if managed else {"MasterUserPassword": "unused1"}),
    )["DBInstance"]


def create_replica(rds: Any, *, source: dict[str, Any]) -> dict[str, Any]:
    """A read replica of instance `source`, on its port."""
    return rds.create_db_instance_read_replica(
        DBInstanceIdentifier=unique("replica"),
        SourceDBInstanceIdentifier=source["DBInstanceIdentifier"],
    )["DBInstance"]


def create_aurora_cluster(
    rds: Any, *, port: int, members: int = 2
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An Aurora PostgreSQL cluster whose master secret RDS manages, and its instances.

    moto makes the first member the writer, as RDS makes the first instance of a cluster.
    """
    cluster_id = unique("aurora")
    rds.create_db_cluster(
        DBClusterIdentifier=cluster_id,
        Engine="aurora-postgresql",
        MasterUsername="postgres",
        ManageMasterUserPassword=True,
        Port=port,
    )
    instances = [
        rds.create_db_instance(
            DBInstanceIdentifier=f"{cluster_id}-{index}",
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            DBClusterIdentifier=cluster_id,
        )["DBInstance"]
        for index in range(members)
    ]
    cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    return cluster, instances


def ensure_login_role(server: PostgresServer, *, username: str, password: str) -> None:
    """The master user RDS creates with the database: a role with the secret's login.

    A superuser, as the session's other masters are; RDS's own master is rds_superuser.
    """
    exists = server.run("SELECT count(*) FROM pg_roles WHERE rolname = :name", name=username)
    if exists == [[0]]:
        server.create_login_role(username, password, attributes="SUPERUSER")
    else:
        server.alter_role(username, "PASSWORD %L", password=password)
