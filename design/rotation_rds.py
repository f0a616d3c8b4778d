"""Rotation beyond the stack's secrets: master secrets RDS manages, and RDS's Describe calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from design.iam import RUNTIME_READ, document, secret_statement
from design.rotation import RotatedSecret
from inputs.catalog import Catalog
from inputs.problems import problem
from inputs.rotation_checks import RDS_ARN, SECRET_ARN

DESCRIBE_ACTIONS = {"db": "rds:DescribeDBInstances", "cluster": "rds:DescribeDBClusters"}
"""Each Describe call and its one resource type in RDS's service authorization: DescribeDBInstances
authorizes on the `db` ARN it describes, DescribeDBClusters on the `cluster` ARN."""
DESCRIBE_SIDS = {"db": "DescribeRotationInstances", "cluster": "DescribeRotationClusters"}


def external_master_arns(rotated: Mapping[str, RotatedSecret]) -> list[str]:
    """The ARNs of the master secrets the stack does not manage (RDS's), once each."""
    return sorted({secret.master_arn for secret in rotated.values() if secret.master_arn})


def rds_arns(rotated: Mapping[str, RotatedSecret]) -> list[str]:
    """The RDS instance and cluster ARNs the rotation function may describe, once each."""
    return sorted({arn for secret in rotated.values() for arn in secret.rds_arns})


def external_statements(master_arns: Sequence[str], database_arns: Sequence[str]) -> list[dict]:
    """Read on exactly `master_arns`, each Describe call on exactly its databases.

    The same statements go in the rotation role's policy and in the workload boundary: the
    boundary allows the stack's own secrets by path, and these are outside it. Nothing here is
    on `*`, and no RDS action but the two Describe calls.
    """
    statements = []
    if master_arns:
        statements.append(
            secret_statement("ReadExternalMasterSecrets", RUNTIME_READ, secret_arns=master_arns)
        )
    for kind, action in DESCRIBE_ACTIONS.items():
        arns = sorted(arn for arn in database_arns if _kind_of(arn) == kind)
        if arns:
            statements.append(
                {"Sid": DESCRIBE_SIDS[kind], "Effect": "Allow", "Action": action, "Resource": arns}
            )
    return statements


def master_read_policy(master_arns: Sequence[str], *, external: Sequence[dict]) -> dict:
    """The rotation role's masters policy: read on the catalog's master secrets (by exact ARN),
    then the `external` statements."""
    read = secret_statement("ReadMasterSecrets", RUNTIME_READ, secret_arns=master_arns)
    return document([*([read] if master_arns else []), *external])


def external_region_problems(
    catalog: Catalog, *, environment: str, region: str, catalog_file: str
) -> list[str]:
    """The environment's master and RDS ARNs are in the stack's region.

    The rotation function calls Secrets Manager and RDS in its own region. ARNs that are not
    well formed are reported by the catalog checks, not again here.
    """
    problems = []
    for name, spec in catalog.secrets_in(environment).items():
        if spec.rotation is None:
            continue
        path = f"secrets.{name}.rotation"
        master = spec.rotation.master_in(environment) or ""
        found = [(f"{path}.master.{environment}", SECRET_ARN.fullmatch(master))]
        found += [
            (f"{path}.rds.{environment}.{index}", RDS_ARN.fullmatch(arn))
            for index, arn in enumerate(spec.rotation.rds_arns_in(environment))
        ]
        problems += [
            problem(
                catalog_file,
                where,
                f"is in region {arn['region']!r}, but stack {environment!r} deploys to "
                f"{region!r}: the rotation function calls Secrets Manager and RDS in its own "
                "region",
            )
            for where, arn in found
            if arn is not None and arn["region"] != region
        ]
    return problems


def _kind_of(arn: str) -> str | None:
    found = RDS_ARN.fullmatch(arn)
    return found["kind"] if found else None
