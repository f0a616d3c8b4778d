"""verify's checks of each secret's replicas: there, in sync, under the replica key; no others."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from design.replicas import replica_key_alias
from secretsctl.operations import error_text
from secretsctl.verify_checks import FAILURE, OK, STACK_WIDE, Expected, Finding

IN_SYNC = "InSync"
REPLICA_KEY = "replica-key"


def replica_keys(kms: Any, *, alias: str, regions: Sequence[str]) -> tuple[list[Finding], dict]:
    """Region -> the identifiers a replica's KmsKeyId may hold there (the replica key's ARN and
    the multi-region key id), from the primary key's MultiRegionConfiguration."""
    if not regions:
        return [], {}
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as exc:
        detail = f"cannot describe {alias}: {error_text(exc)} (needs kms:DescribeKey)"
        return [Finding(STACK_WIDE, REPLICA_KEY, FAILURE, detail)], {}
    found = {
        replica["Region"]: {replica["Arn"], metadata["KeyId"]}
        for replica in (metadata.get("MultiRegionConfiguration") or {}).get("ReplicaKeys", [])
    }
    missing = [region for region in regions if region not in found]
    if missing:
        detail = f"{alias} has no replica in {', '.join(missing)}"
        return [Finding(STACK_WIDE, REPLICA_KEY, FAILURE, detail)], found
    detail = f"{alias} ({metadata['KeyId']}) has a replica in {', '.join(regions)}"
    return [Finding(STACK_WIDE, REPLICA_KEY, OK, detail)], found


def replica_findings(
    name: str,
    entry: Mapping[str, Any],
    *,
    expected: Expected,
    keys: Mapping[str, set[str]],
    secretsmanager: Any,
) -> list[Finding]:
    """One finding per listed region, and one per replica the stack config no longer lists."""
    inputs = expected.target.inputs
    regions = inputs.settings.replica_regions if inputs.secrets[name].replicate else []
    try:
        described = secretsmanager.describe_secret(SecretId=entry["ARN"])
    except ClientError as exc:
        detail = f"cannot describe: {error_text(exc)} (needs secretsmanager:DescribeSecret)"
        return [Finding(name, "replicas", FAILURE, detail)]
    statuses = {status["Region"]: status for status in described.get("ReplicationStatus") or []}
    findings = [
        _replica(name, region, statuses.get(region), expected=expected, key=keys.get(region))
        for region in regions
    ]
    for region in sorted(set(statuses) - set(regions)):
        findings.append(
            Finding(
                name,
                f"replica:{region}",
                FAILURE,
                f"a replica in {region} that the stack config does not list "
                "(replicaRegions, or the catalog's replicate: false): list the region again, or "
                f"{expected.fix} to remove it",
            )
        )
    return findings


def _replica(
    name: str,
    region: str,
    status: Mapping[str, Any] | None,
    *,
    expected: Expected,
    key: set[str] | None,
) -> Finding:
    check = f"replica:{region}"
    if status is None:
        return Finding(name, check, FAILURE, f"not replicated to {region}: {expected.fix}")
    if status.get("Status") != IN_SYNC:
        detail = f"{status.get('Status')}: {status.get('StatusMessage', '')}".rstrip(": ")
        return Finding(name, check, FAILURE, f"{detail}; {expected.fix}")
    key_id = status.get("KmsKeyId")
    if key is None or key_id not in key:
        detail = f"encrypted with {key_id}, not the replica key's replica in {region}"
        return Finding(name, check, FAILURE, f"{detail}: {expected.fix}")
    return Finding(name, check, OK, "in sync, the replica key")


def alias_of(expected: Expected) -> str:
    return replica_key_alias(expected.target.inputs.names)
