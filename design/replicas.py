"""Replicas for disaster recovery: which secrets replicate where, their ARNs, keys and grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from design.arns import Account
from design.iam import RUNTIME_READ, kms_via_secrets_manager
from design.key_policy import key_policy
from design.naming import StackNames
from design.provider_actions import SECRET_REPLICAS
from inputs.catalog import SecretSpec
from inputs.problems import problem
from inputs.stack_settings import NAMESPACE, StackSettings

REPLICA_READ = RUNTIME_READ
"""The most any workload may do on a replica: replicas are read-only until promoted."""


def replica_key_alias(names: StackNames) -> str:
    """`alias/{prefix}-{env}-replicas`: the multi-region primary key the replicas use."""
    return f"{names.key_alias.removesuffix('-secrets')}-replicas"


def replicated_names(secrets: Mapping[str, SecretSpec], regions: Sequence[str]) -> list[str]:
    """The catalog names of the secrets that replicate: all but `replicate: false`."""
    if not regions:
        return []
    return sorted(name for name, spec in secrets.items() if spec.replicate)


def in_region(arn: str, region: str) -> str:
    """The same ARN in `region`: a replica's (or a multi-region key's replica's) ARN."""
    parts = arn.split(":", 5)
    parts[3] = region
    return ":".join(parts)


def replica_arns(secret_arn: str, regions: Sequence[str]) -> dict[str, str]:
    """Region -> the replica's ARN: the primary's name and suffix, the region replaced."""
    return {region: in_region(secret_arn, region) for region in regions}


def replica_key_policy(account: Account, region: str) -> dict:
    """The stack key's policy, for the key in `region`: use only via Secrets Manager there."""
    return key_policy(replace(account, region=region))


def replica_kms_statements(key_arn: str, regions: Sequence[str]) -> list[dict]:
    """Decrypt with the replica key in each region, only through Secrets Manager there."""
    statements = []
    for region in regions:
        statement = kms_via_secrets_manager(in_region(key_arn, region), region)
        statement["Sid"] = f"ReplicaKeyViaSecretsManager{_sid(region)}"
        statements.append(statement)
    return statements


def replica_boundary_statements(
    account: Account, *, names: StackNames, key_arn: str, regions: Sequence[str]
) -> list[dict]:
    """The boundary, widened exactly to the replica regions: read the stack's path there and
    decrypt through Secrets Manager there; nothing that writes."""
    if not regions:
        return []
    return [
        {
            "Sid": "StackSecretReplicas",
            "Effect": "Allow",
            "Action": list(REPLICA_READ),
            "Resource": [
                replace(account, region=region).arn(
                    "secretsmanager", f"secret:{names.secret_path}*"
                )
                for region in regions
            ],
        },
        *replica_kms_statements(key_arn, regions),
    ]


def replica_region_problems(settings: StackSettings, *, region: str | None, file: str) -> list[str]:
    """A replica in the stack's own region is no replica: AWS refuses it."""
    if region and region in settings.replica_regions:
        return [
            problem(
                file,
                f"{NAMESPACE}:replicaRegions",
                f"must not list the stack's own region {region!r}: the primary secrets live there",
            )
        ]
    return []


def replica_copies(
    secrets: Mapping[str, SecretSpec], settings: StackSettings, granted: set[str], *, role: str
) -> dict[str, int]:
    """Full name -> how often a role's grant lists the secret: once, and once per replica region
    when it replicates (the rotation role is granted no replica)."""
    if role == "rotation":
        return {}
    names = StackNames(prefix=settings.prefix, environment=settings.environment)
    replicated = set(replicated_names(secrets, settings.replica_regions))
    return {
        names.secret_full_name(name): 1 + len(settings.replica_regions)
        for name in granted & replicated
    }


def _sid(region: str) -> str:
    return "".join(part.capitalize() for part in region.split("-"))


REPLICA_REGIONS_KEY = "secretsmanager:AddReplicaRegions"
REPLICA_KEY_USE = ("kms:Encrypt", "kms:GenerateDataKey")
"""What replicating to a customer-managed key needs of it (ReplicateSecretToRegions' reference)."""


def replica_deploy_statements(
    account: Account,
    *,
    secrets: list[str],
    regions: Sequence[str],
    key_tags: Mapping[str, str],
    production: bool,
) -> list[dict]:
    """ci-deploy's replication calls: on the stack's secrets, to exactly `regions`, never
    overwriting a secret of the same name there, encrypting with the stack's own keys there
    (by their tags) through Secrets Manager only. No removal in prod (the administrator's)."""
    if not regions:
        return []
    replication = sorted(
        action
        for action in SECRET_REPLICAS.up(production=production)
        if "Replica" in action or "Replication" in action
    )
    listed = list(regions)
    statements: list[dict] = [
        {
            "Sid": "ReplicateToTheReplicaRegions",
            "Effect": "Allow",
            "Action": replication,
            "Resource": secrets,
            "Condition": {"ForAllValues:StringEquals": {REPLICA_REGIONS_KEY: listed}},
        },
        {
            "Sid": "ReplicateToNoOtherRegion",
            "Effect": "Deny",
            "Action": ["secretsmanager:CreateSecret", "secretsmanager:ReplicateSecretToRegions"],
            "Resource": "*",
            "Condition": {"ForAnyValue:StringNotEquals": {REPLICA_REGIONS_KEY: listed}},
        },
        {
            "Sid": "NeverOverwriteAReplicaRegionsSecret",
            "Effect": "Deny",
            "Action": ["secretsmanager:CreateSecret", "secretsmanager:ReplicateSecretToRegions"],
            "Resource": "*",
            "Condition": {"Bool": {"secretsmanager:ForceOverwriteReplicaSecret": "true"}},
        },
    ]
    if production:
        statements.append(
            {
                "Sid": "NoReplicaRemovalInProd",
                "Effect": "Deny",
                "Action": list(SECRET_REPLICAS.delete),
                "Resource": "*",
            }
        )
    for region in regions:
        statements.append(
            {
                "Sid": f"ReplicaKeysViaSecretsManager{_sid(region)}",
                "Effect": "Allow",
                "Action": list(REPLICA_KEY_USE),
                "Resource": replace(account, region=region).arn("kms", "key/*"),
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                        **key_tags,
                    }
                },
            }
        )
    return statements
