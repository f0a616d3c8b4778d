"""RDS-managed master secrets and read replicas, against moto's RDS and Secrets Manager."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from rotation import rds as rds_module
from rotation.exceptions import InvalidSecretValueError
from rotation.rds import (
    MasterLogin,
    RdsDatabase,
    RdsLookupError,
    database_of_host,
    is_replica,
    managed_database,
    new_rds_client,
    read_master,
)
from tests.rotation.rds_databases import (
    create_aurora_cluster,
    create_instance,
    create_replica,
    rds_environment_fixture,  # noqa: F401
    rds_fixture,  # noqa: F401
)
from tests.rotation.rotation_service import REGION, RotationService

CONTEXT = "setSecret: secret S version T"
PASSWORD = "Pa55-w0rd-that-must-not-leak"


def factory(client: Any):
    return lambda: client


def never() -> Any:
    raise AssertionError("RDS was asked, but nothing needed it")


def master_of(host: str, *, engine: str = "postgres", database: RdsDatabase | None = None):
    """A MasterLogin as read_master makes it, for is_replica."""
    from rotation.postgres_secret import parse_credentials

    value = {"engine": engine, "host": host, "username": "m", "password": PASSWORD}
    credentials = parse_credentials(json.dumps(value), source="test")
    return MasterLogin(credentials=credentials, engine=engine, database=database)


def managed_secret_arn(database: dict[str, Any]) -> str:
    return database["MasterUserSecret"]["SecretArn"]


# read_master: the master's login, from its own value or from RDS.


def test_a_secret_rds_manages_for_an_instance_gets_host_port_and_engine_from_rds(
    rds: Any, secretsmanager_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN an instance whose master secret RDS manages
    instance = create_instance(rds, port=6543, managed=True)
    secret_arn = managed_secret_arn(instance)

    # WHEN
    with caplog.at_level(logging.DEBUG, logger="rotation"):
        master = read_master(
            secretsmanager_client, secret_id=secret_arn, rds_client=factory(rds), context=CONTEXT
        )

    # THEN
    value = json.loads(secretsmanager_client.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert set(value) == {"username", "password"}
    assert (master.credentials.host, master.credentials.port) == (
        instance["Endpoint"]["Address"],
        6543,
    )
    assert (master.credentials.username, master.credentials.password) == (
        value["username"],
        value["password"],
    )
    assert master.engine == "postgres"
    assert master.database == RdsDatabase(kind="instance", identifier=instance["DBInstanceArn"])
    assert value["password"] not in caplog.text
    assert f"master secret {secret_arn} is managed by RDS" in caplog.text


def test_a_secret_rds_manages_for_an_aurora_cluster_gets_the_writer_endpoint(
    rds: Any, secretsmanager_client: Any
) -> None:
    cluster, _ = create_aurora_cluster(rds, port=6544)

    master = read_master(
        secretsmanager_client,
        secret_id=managed_secret_arn(cluster),
        rds_client=factory(rds),
        context=CONTEXT,
    )

    assert (master.credentials.host, master.credentials.port) == (cluster["Endpoint"], 6544)
    assert master.engine == "aurora-postgresql"
    assert master.database == RdsDatabase(kind="cluster", identifier=cluster["DBClusterArn"])


def test_a_master_with_its_own_host_never_asks_rds(rotation_service: RotationService) -> None:
    value = {"engine": "aurora-postgresql", "host": "db.internal", "username": "m", "password": "p"}
    secret_arn = rotation_service.create_secret(json.dumps(value), rotation_enabled=False)

    master = read_master(
        rotation_service.client, secret_id=secret_arn, rds_client=never, context=CONTEXT
    )

    assert (master.credentials.host, master.engine, master.database) == (
        "db.internal",
        "aurora-postgresql",
        None,
    )


def test_rejects_a_username_and_password_secret_that_rds_does_not_manage(
    rotation_service: RotationService,
) -> None:
    secret_arn = rotation_service.create_secret(
        json.dumps({"username": "m", "password": PASSWORD}), rotation_enabled=False
    )

    with pytest.raises(InvalidSecretValueError) as info:
        read_master(
            rotation_service.client, secret_id=secret_arn, rds_client=never, context=CONTEXT
        )

    assert str(info.value) == (
        f"{CONTEXT}: master secret {secret_arn} holds only username and password, as a secret "
        "RDS manages does, but has no aws:rds:primarydbinstancearn or aws:rds:primarydbclusterarn "
        "tag; give it host, port, engine and dbname, or name RDS's own secret"
    )


def test_fails_when_the_tagged_instance_is_gone(rds: Any, secretsmanager_client: Any) -> None:
    instance = create_instance(rds, port=5432, managed=True)
    secret_arn = managed_secret_arn(instance)
    # The secret outlives its instance here; RDS would delete it with the instance.
    secretsmanager_client.tag_resource(
        SecretId=secret_arn,
        Tags=[{"Key": "aws:rds:primaryDBInstanceArn", "Value": f"{instance['DBInstanceArn']}x"}],
    )

    with pytest.raises(RdsLookupError) as info:
        read_master(
            secretsmanager_client, secret_id=secret_arn, rds_client=factory(rds), context=CONTEXT
        )

    assert str(info.value) == (
        f"{CONTEXT}: RDS DescribeDBInstances of {instance['DBInstanceArn']}x, named by master "
        f"secret {secret_arn}, found no such database"
    )


def test_a_tag_longer_than_aws_allows_is_refused() -> None:
    client = boto3.client("secretsmanager", region_name=REGION)
    long_arn = "arn:aws:rds:us-east-1:123456789012:db:" + "x" * 230
    with Stubber(client) as stub:
        stub.add_response(
            "describe_secret",
            {"Tags": [{"Key": "aws:rds:primaryDBInstanceArn", "Value": long_arn}]},
            {"SecretId": "m"},
        )
        with pytest.raises(
            InvalidSecretValueError, match="must be at most 256 characters, got 268"
        ):
            managed_database(client, secret_id="m", context=CONTEXT)


# Errors from RDS: one line, the operation, the database and RDS's code; never a value.


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "AccessDenied",
            f"{CONTEXT}: RDS DescribeDBInstances of replica-1 failed with AccessDenied; the "
            "rotation role may describe only the instances and clusters listed in the catalog's "
            "rotation.rds",
        ),
        (
            "Throttling",
            f"{CONTEXT}: RDS DescribeDBInstances of replica-1 failed with Throttling; the "
            "rotation role may describe only the instances and clusters listed in the catalog's "
            "rotation.rds",
        ),
    ],
)
def test_an_rds_error_names_the_call_the_database_and_the_code(code: str, message: str) -> None:
    client = boto3.client("rds", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error(
            "describe_db_instances",
            service_error_code=code,
            service_message=f"not for {PASSWORD}",
            expected_params={"DBInstanceIdentifier": "replica-1"},
        )
        with pytest.raises(RdsLookupError) as info:
            is_replica(
                factory(client),
                host="replica-1.abc.us-east-1.rds.amazonaws.com",
                master=master_of("primary-1.abc.us-east-1.rds.amazonaws.com"),
                context=CONTEXT,
            )

    assert str(info.value) == message
    assert PASSWORD not in str(info.value)


def test_an_unreachable_rds_api_says_what_a_function_in_a_vpc_needs() -> None:
    client = boto3.client("rds", region_name=REGION)

    def unreachable(**_: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://rds.us-east-1.amazonaws.com/")

    client.describe_db_instances = unreachable

    with pytest.raises(
        RdsLookupError, match=r"cannot reach the RDS API \(EndpointConnectionError\); "
    ):
        is_replica(
            factory(client),
            host="replica-1.abc.us-east-1.rds.amazonaws.com",
            master=master_of("primary-1.abc.us-east-1.rds.amazonaws.com"),
            context=CONTEXT,
        )


def test_an_instance_without_an_endpoint_yet_is_refused(secretsmanager_client: Any) -> None:
    arn = "arn:aws:rds:us-east-1:123456789012:db:creating-1"
    client = boto3.client("rds", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "describe_db_instances",
            {
                "DBInstances": [
                    {"DBInstanceIdentifier": "creating-1", "DBInstanceStatus": "creating"}
                ]
            },
            {"DBInstanceIdentifier": arn},
        )
        with pytest.raises(
            RdsLookupError, match="creating-1 of master secret m has no endpoint yet"
        ):
            rds_module._connection_fields(
                client, RdsDatabase(kind="instance", identifier=arn), secret_id="m", context=CONTEXT
            )


# is_replica: AWS's multi-user template's decision, with the master's database from RDS.


def test_an_instance_read_replica_is_a_replica_and_another_instance_is_not(rds: Any) -> None:
    primary = create_instance(rds, port=5432, managed=True)
    replica = create_replica(rds, source=primary)
    other = create_instance(rds, port=5432)
    database = RdsDatabase(kind="instance", identifier=primary["DBInstanceArn"])
    # The master's host is RDS's: the database comes from the secret's tag, not the host.
    master = master_of("127.0.0.1", database=database)

    def decide(host: str) -> bool:
        return is_replica(factory(rds), host=host, master=master, context=CONTEXT)

    assert decide(replica["Endpoint"]["Address"]) is True
    assert decide(other["Endpoint"]["Address"]) is False
    assert decide(f"missing-1.aaaaaaaaaa.{REGION}.rds.amazonaws.com") is False
    assert decide(primary["Endpoint"]["Address"]) is False


def test_a_master_known_by_its_host_finds_its_replicas_as_aws_does(rds: Any) -> None:
    primary = create_instance(rds, port=5432)
    replica = create_replica(rds, source=primary)

    master = master_of(primary["Endpoint"]["Address"])

    assert is_replica(
        factory(rds), host=replica["Endpoint"]["Address"], master=master, context=CONTEXT
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.0.0.7", "_db.internal", "-x.internal", "db_1.internal"]
)
def test_a_host_that_names_no_rds_database_is_no_replica_and_rds_is_not_asked(host: str) -> None:
    master = master_of("primary-1.abc.us-east-1.rds.amazonaws.com")

    assert is_replica(never, host=host, master=master, context=CONTEXT) is False


def test_aurora_readers_are_replicas_and_the_writer_is_not(rds: Any) -> None:
    cluster, (writer, reader) = create_aurora_cluster(rds, port=5432)
    other_cluster, _ = create_aurora_cluster(rds, port=5432)
    database = RdsDatabase(kind="cluster", identifier=cluster["DBClusterArn"])
    master = master_of(cluster["Endpoint"], engine="aurora-postgresql", database=database)

    def decide(host: str) -> bool:
        return is_replica(factory(rds), host=host, master=master, context=CONTEXT)

    assert decide(cluster["ReaderEndpoint"]) is True
    assert decide(cluster["ReaderEndpoint"].upper()) is True
    assert decide(reader["Endpoint"]["Address"]) is True
    assert decide(writer["Endpoint"]["Address"]) is False
    assert decide(other_cluster["ReaderEndpoint"]) is False


def test_an_aurora_master_known_by_its_cluster_or_instance_host_finds_the_readers(
    rds: Any,
) -> None:
    cluster, (writer, reader) = create_aurora_cluster(rds, port=5432)

    for master_host in (cluster["Endpoint"], writer["Endpoint"]["Address"]):
        master = master_of(master_host, engine="aurora-postgresql")
        assert is_replica(
            factory(rds), host=cluster["ReaderEndpoint"], master=master, context=CONTEXT
        ), master_host
        assert is_replica(
            factory(rds), host=reader["Endpoint"]["Address"], master=master, context=CONTEXT
        ), master_host


def test_database_of_host_reads_the_first_label_and_the_cluster_label() -> None:
    assert database_of_host(
        "App-1.cluster-abc.eu-west-1.rds.amazonaws.com", engine="aurora-postgresql"
    ) == (RdsDatabase(kind="cluster", identifier="app-1"))
    assert database_of_host("app-1.cluster-abc.eu-west-1.rds.amazonaws.com", engine="postgres") == (
        RdsDatabase(kind="instance", identifier="app-1")
    )
    assert database_of_host("app-1", engine="aurora-postgresql") == RdsDatabase(
        kind="instance", identifier="app-1"
    )
    assert database_of_host("10.0.0.1", engine="postgres") is None


# The client the Lambda builds.


@pytest.mark.usefixtures("rds_environment")
def test_the_default_client_is_in_the_functions_region_at_the_configured_endpoint(
    moto_endpoint: str,
) -> None:
    client = new_rds_client()

    assert client.meta.region_name == REGION
    assert client.meta.endpoint_url == moto_endpoint
