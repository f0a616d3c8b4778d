"""RDS-managed master secrets and read replicas, found with RDS's Describe calls as AWS does."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from rotation.exceptions import InvalidSecretValueError, RotationError
from rotation.postgres_secret import parse_credentials, parse_secret_object
from rotation.secrets_manager import AWSCURRENT, get_secret_string

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.postgres_secret import PostgresCredentials

logger = logging.getLogger(__name__)

RdsClientFactory = Callable[[], "BaseClient"]
"""Builds the RDS client; called only when a step needs RDS, at most once per step."""

INSTANCE_TAG = "aws:rds:primarydbinstancearn"
CLUSTER_TAG = "aws:rds:primarydbclusterarn"
"""The tags RDS puts on a master secret it manages, compared lower-case as AWS's templates do."""
RDS_MANAGED_KEYS = frozenset({"username", "password"})
"""Exactly the keys of a secret RDS manages: it holds no host, RDS describes it."""
MAX_ARN_LENGTH = 256
"""AWS's templates refuse a longer instance or cluster ARN in the tag."""
AURORA_POSTGRESQL = "aurora-postgresql"
NOT_FOUND_CODES = frozenset(
    {"DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFoundFault"}
)
IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
"""An RDS DB instance or cluster identifier, as RDS stores it (lower-case)."""

MSG_NOT_TAGGED = (
    "%s: master secret %s holds only username and password, as a secret RDS manages does, but "
    "has no %s or %s tag; give it host, port, engine and dbname, or name RDS's own secret"
)
MSG_ARN_TOO_LONG = "%s: master secret %s: tag %s must be at most %d characters, got %d"
MSG_RDS_FAILED = (
    "%s: RDS %s of %s failed with %s; the rotation role may describe only the instances and "
    "clusters listed in the catalog's rotation.rds"
)
MSG_RDS_UNREACHABLE = (
    "%s: RDS %s of %s: cannot reach the RDS API (%s); in a VPC, the function needs a NAT route "
    "or an interface endpoint for rds"
)
MSG_NOT_FOUND = "%s: RDS %s of %s, named by master secret %s, found no such database"
MSG_NO_ENDPOINT = "%s: RDS database %s of master secret %s has no endpoint yet (status %s)"
MSG_RDS_MANAGED = "%s: master secret %s is managed by RDS for %s: host, port and engine from RDS"


class RdsLookupError(RotationError):
    """An RDS Describe call failed, or described no database the rotation can use."""


@dataclass(frozen=True)
class RdsDatabase:
    """An RDS DB instance or DB cluster."""

    kind: Literal["instance", "cluster"]
    identifier: str
    """Its identifier or its ARN: DescribeDBInstances and DescribeDBClusters take either."""

    @property
    def name(self) -> str:
        """The identifier, without the ARN around it."""
        return self.identifier.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class MasterLogin:
    """The master secret's login, and what it says about the database."""

    credentials: PostgresCredentials
    engine: str
    """`postgres` or `aurora-postgresql`: the secret's own, or RDS's for a secret RDS manages."""
    database: RdsDatabase | None
    """The instance or cluster RDS manages the secret for; None for a secret with its own host."""


def new_rds_client() -> BaseClient:
    """An RDS client in the function's region (AWS_REGION, which Lambda sets).

    boto3 also reads AWS_ENDPOINT_URL_RDS, which is how tests point it at moto.
    """
    return boto3.client("rds")


def read_master(
    client: BaseClient, *, secret_id: str, rds_client: RdsClientFactory, context: str
) -> MasterLogin:
    """The AWSCURRENT login of master secret `secret_id`.

    A value with exactly the keys username and password is a secret RDS manages, as in AWS's
    templates: its tag names the DB instance or cluster, and DescribeDBInstances (Endpoint) or
    DescribeDBClusters (Endpoint, Port, Engine) gives host, port and engine. `context` starts
    every message. Values are never logged or put in a message.
    """
    source = f"secret {secret_id} {AWSCURRENT}"
    secret_string = get_secret_string(client, secret_id=secret_id, stage=AWSCURRENT)
    secret_object = parse_secret_object(secret_string, source=source)
    if set(secret_object) != RDS_MANAGED_KEYS:
        credentials = parse_credentials(secret_string, source=source)
        return MasterLogin(credentials=credentials, engine=secret_object["engine"], database=None)
    database = managed_database(client, secret_id=secret_id, context=context)
    connection = _connection_fields(rds_client(), database, secret_id=secret_id, context=context)
    credentials = parse_credentials(json.dumps({**secret_object, **connection}), source=source)
    logger.info(MSG_RDS_MANAGED, context, secret_id, database.identifier)
    return MasterLogin(credentials=credentials, engine=connection["engine"], database=database)


def managed_database(client: BaseClient, *, secret_id: str, context: str) -> RdsDatabase:
    """The instance or cluster that DescribeSecret's tags say RDS manages `secret_id` for."""
    tags = client.describe_secret(SecretId=secret_id).get("Tags", [])
    kinds: dict[str, Literal["instance", "cluster"]] = {
        INSTANCE_TAG: "instance",
        CLUSTER_TAG: "cluster",
    }
    for tag in tags:
        key = tag["Key"].lower()
        if key in kinds:
            if len(tag["Value"]) > MAX_ARN_LENGTH:
                raise InvalidSecretValueError(
                    MSG_ARN_TOO_LONG % (context, secret_id, key, MAX_ARN_LENGTH, len(tag["Value"]))
                )
            return RdsDatabase(kind=kinds[key], identifier=tag["Value"])
    raise InvalidSecretValueError(MSG_NOT_TAGGED % (context, secret_id, INSTANCE_TAG, CLUSTER_TAG))


def is_replica(
    rds_client: RdsClientFactory, *, host: str, master: MasterLogin, context: str
) -> bool:
    """Whether `host` is a read replica of the master's database, as AWS's multi-user template
    decides it.

    The master's database is the one RDS manages its secret for, else the first DNS label of
    its host (a `.cluster-` second label makes it an Aurora cluster). An instance's replica is
    the instance named by the first label of `host` whose ReadReplicaSourceDBInstanceIdentifier
    is the master's instance. A cluster's (Aurora's) is its ReaderEndpoint, or a member
    instance that is not the writer. A host whose first label is no RDS identifier is no
    replica, and RDS is not asked.
    """
    database = master.database or database_of_host(master.credentials.host, engine=master.engine)
    label = host.split(".", 1)[0].lower()
    if database is None or not IDENTIFIER.fullmatch(label):
        return False
    if database.kind == "cluster" or master.engine == AURORA_POSTGRESQL:
        cluster = _cluster_of(rds_client(), database, context=context)
        if cluster is None:
            return False
        members = cluster.get("DBClusterMembers", [])
        return host.lower() == str(cluster.get("ReaderEndpoint", "")).lower() or any(
            member["DBInstanceIdentifier"] == label and not member["IsClusterWriter"]
            for member in members
        )
    instance = _describe(rds_client(), "instance", label, context=context)
    source = (instance or {}).get("ReadReplicaSourceDBInstanceIdentifier")
    return source is not None and source in (database.name, database.identifier)


def database_of_host(host: str, *, engine: str) -> RdsDatabase | None:
    """The database an RDS endpoint names: its first DNS label, a cluster for `.cluster-...`."""
    labels = host.lower().split(".")
    if not IDENTIFIER.fullmatch(labels[0]):
        return None
    if engine == AURORA_POSTGRESQL and len(labels) > 1 and "cluster" in labels[1]:
        return RdsDatabase(kind="cluster", identifier=labels[0])
    return RdsDatabase(kind="instance", identifier=labels[0])


def _connection_fields(
    rds: BaseClient, database: RdsDatabase, *, secret_id: str, context: str
) -> dict[str, Any]:
    described = _describe(rds, database.kind, database.identifier, context=context)
    if described is None:
        operation = _OPERATIONS[database.kind][0]
        raise RdsLookupError(MSG_NOT_FOUND % (context, operation, database.identifier, secret_id))
    if database.kind == "cluster":
        host, port = described.get("Endpoint"), described.get("Port")
    else:
        endpoint = described.get("Endpoint") or {}
        host, port = endpoint.get("Address"), endpoint.get("Port")
    if not host:
        status = described.get("DBInstanceStatus") or described.get("Status")
        raise RdsLookupError(MSG_NO_ENDPOINT % (context, database.identifier, secret_id, status))
    return {"host": host, "port": port, "engine": described.get("Engine")}


def _cluster_of(rds: BaseClient, database: RdsDatabase, *, context: str) -> dict[str, Any] | None:
    if database.kind == "cluster":
        return _describe(rds, "cluster", database.identifier, context=context)
    instance = _describe(rds, "instance", database.identifier, context=context)
    cluster_id = (instance or {}).get("DBClusterIdentifier")
    if not cluster_id:
        return None
    return _describe(rds, "cluster", cluster_id, context=context)


_OPERATIONS = {
    "instance": ("DescribeDBInstances", "describe_db_instances", "DBInstanceIdentifier"),
    "cluster": ("DescribeDBClusters", "describe_db_clusters", "DBClusterIdentifier"),
}


def _describe(
    rds: BaseClient,
    kind: Literal["instance", "cluster"],
    identifier: str,
    *,
    context: str,
) -> dict[str, Any] | None:
    """The one instance or cluster `identifier` names; None if RDS has no such database."""
    operation, method, parameter = _OPERATIONS[kind]
    try:
        response = getattr(rds, method)(**{parameter: identifier})
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "an unknown error")
        if code in NOT_FOUND_CODES:
            return None
        raise RdsLookupError(MSG_RDS_FAILED % (context, operation, identifier, code)) from exc
    except BotoCoreError as exc:
        raise RdsLookupError(
            MSG_RDS_UNREACHABLE % (context, operation, identifier, type(exc).__name__)
        ) from exc
    found = response.get("DBClusters" if kind == "cluster" else "DBInstances", [])
    return found[0] if found else None
