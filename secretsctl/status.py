"""`secretsctl status --stack S`: rotation and versions of every secret of a stack, no value."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from secretsctl.errors import EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.operations import (
    add_operation,
    aws_errors,
    list_versions,
    load_stack,
    restore_command,
    secret_name,
    secretsmanager_client,
    timestamp,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from secretsctl.stack_target import StackTarget

STAGE_ORDER = (AWSPENDING, AWSCURRENT, AWSPREVIOUS)
SHORT_VERSION = 8
"""Characters of a version id the table shows; JSON has them whole."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = add_operation(
        subparsers,
        "status",
        status,
        help="rotation and versions of every secret of a stack",
        description="For each secret of the stack's environment: whether rotation is on in "
        "AWS, the catalog's rotation, when it last rotated and will next, and each version with "
        "its stages; a secret whose deletion is pending is marked, with its restore command. "
        "Reads metadata only (DescribeSecret, ListSecretVersionIds), never a value. "
        "Exit status: 0, or 1 when a secret could not be described (its row says why) or AWS "
        "could not be asked, 2 bad input.",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def status(args: argparse.Namespace) -> int:
    target = load_stack(args)
    client = secretsmanager_client(target)
    rows = [secret_status(client, target, name) for name in target.inputs.secrets]
    report = {
        "stack": target.stack,
        "environment": target.inputs.settings.environment,
        "region": target.region,
        "secrets": rows,
    }
    sys.stdout.write(
        json.dumps(report, indent=2) + "\n" if args.format == "json" else table(report)
    )
    return EXIT_FAILED if any(row["error"] for row in rows) else EXIT_OK


def secret_status(client: BaseClient, target: StackTarget, name: str) -> dict[str, Any]:
    """One secret's row; an AWS error is recorded in the row rather than raised."""
    spec = target.inputs.secrets[name]
    full_name = secret_name(target, name)
    row: dict[str, Any] = {
        "secret": name,
        "secretName": full_name,
        "catalogRotation": _catalog_rotation(spec.rotation) if spec.rotation else None,
        "rotationEnabled": None,
        "lastRotated": None,
        "nextRotation": None,
        "versions": [],
        "pendingDeletion": None,
        "error": None,
    }
    try:
        with aws_errors(full_name):
            metadata = client.describe_secret(SecretId=full_name)
            versions = _versions(client, full_name)
    except CommandError as exc:
        row["error"] = str(exc)
        return row
    row.update(
        rotationEnabled=bool(metadata.get("RotationEnabled", False)),
        lastRotated=_timestamp(metadata.get("LastRotatedDate")),
        nextRotation=_timestamp(metadata.get("NextRotationDate")),
        versions=versions,
        pendingDeletion=_pending_deletion(target, metadata),
    )
    return row


def _pending_deletion(target: StackTarget, metadata: Mapping[str, Any]) -> dict[str, str] | None:
    """When the deletion was requested (DeletedDate) and how to restore; None when not pending."""
    requested = metadata.get("DeletedDate")
    if requested is None:
        return None
    return {
        "requested": timestamp(requested),
        "restoreCommand": restore_command(target, metadata["Name"]),
    }


def _catalog_rotation(rotation: Any) -> str:
    every = f"every {rotation.every_days} days" if rotation.every_days else rotation.schedule
    return f"{rotation.strategy}, {every}"


def _versions(client: BaseClient, secret_name: str) -> list[dict[str, Any]]:
    """Each version that has a stage: AWSPENDING, AWSCURRENT, AWSPREVIOUS, then the others."""
    versions = [
        {
            "versionId": version["VersionId"],
            "stages": sorted(version.get("VersionStages", [])),
            "created": _timestamp(version.get("CreatedDate")),
        }
        for version in list_versions(client, secret_name)
        if version.get("VersionStages")
    ]
    return sorted(versions, key=_stage_order)


def _stage_order(version: Mapping[str, Any]) -> int:
    ranks = [STAGE_ORDER.index(stage) for stage in version["stages"] if stage in STAGE_ORDER]
    return min(ranks, default=len(STAGE_ORDER))


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else timestamp(value)


def table(report: Mapping[str, Any]) -> str:
    """One line per secret; version ids shortened."""
    lines = [
        f"Stack {report['stack']} (environment {report['environment']}), "
        f"region {report['region'] or '-'}",
        "",
    ]
    rows = [("SECRET", "ROTATION", "CATALOG", "LAST ROTATED", "NEXT ROTATION", "VERSIONS")]
    for row in report["secrets"]:
        rows.append(
            (
                row["secret"],
                _rotation_cell(row),
                row["catalogRotation"] or "-",
                row["lastRotated"] or "-",
                row["nextRotation"] or "-",
                row["error"] or _versions_cell(row),
            )
        )
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines + _deletion_notes(report["secrets"])) + "\n"


def _deletion_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Under the table, for each secret pending deletion: how to restore it."""
    notes = [
        f"{row['secret']}: pending deletion, requested {deletion['requested']}: unreadable "
        f"until restored: {deletion['restoreCommand']}"
        for row in rows
        if (deletion := row["pendingDeletion"])
    ]
    return ["", *notes] if notes else []


def _rotation_cell(row: Mapping[str, Any]) -> str:
    if row["rotationEnabled"] is None:
        return "?"
    return "on" if row["rotationEnabled"] else "off"


def _versions_cell(row: Mapping[str, Any]) -> str:
    versions = (
        "; ".join(
            f"{version['versionId'][:SHORT_VERSION]} {','.join(version['stages'])}"
            for version in row["versions"]
        )
        or "none"
    )
    deletion = row["pendingDeletion"]
    if deletion is None:
        return versions
    return f"PENDING DELETION (requested {deletion['requested']}); {versions}"
