"""`secretsctl verify`: what is deployed against the catalog, read-only, never reading a value."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from secretsctl.errors import EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.operations import add_operation, error_text, load_stack
from secretsctl.stack_target import StackTarget
from secretsctl.verify_checks import (
    CRITICAL,
    FAILURE,
    OK,
    STACK_WIDE,
    WARNING,
    Expected,
    Finding,
    secret_findings,
    undeclared,
)
from secretsctl.verify_replicas import alias_of, replica_findings, replica_keys
from secretsctl.verify_roles import ROLE_EXISTS, role_findings, stack_plan

FAILING = (CRITICAL, FAILURE)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = add_operation(
        subparsers,
        "verify",
        run,
        help="compare the deployed secrets and roles with the catalog and plan (read-only)",
        description="Reads what is deployed (ListSecrets, GetResourcePolicy, kms:DescribeKey, "
        "DescribeSecret for the replicas; "
        "never GetSecretValue) and compares it with the catalog and stack config, and the IAM "
        "roles under the stack's paths (ListRoles, the roles' inline and attached policies) "
        "with the stack's offline plan. Exit status: "
        "0 everything matches (warnings allowed), 1 at least one failure or AWS could not be "
        "asked (no credentials, no connection, ListSecrets refused), 2 bad input.",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    target = load_stack(args)
    plan = stack_plan(target, stack_path=args.stack_file)
    findings = verify(
        target,
        plan=plan,
        secretsmanager=target.client("secretsmanager"),
        kms=target.client("kms"),
        iam=target.client("iam"),
        now=datetime.now(UTC),
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(report(target, findings), indent=2) + "\n")
    else:
        sys.stdout.write(render_table(target, findings))
    return EXIT_FAILED if any(finding.status in FAILING for finding in findings) else EXIT_OK


def verify(
    target: StackTarget,
    *,
    plan: Mapping[str, Any],
    secretsmanager: Any,
    kms: Any,
    iam: Any,
    now: datetime,
) -> list[Finding]:
    """Every check of every declared secret, the stack-wide ones, then the roles of `plan`.

    CommandError when the secrets cannot be listed; botocore's errors when AWS cannot be asked.
    """
    findings, key = _expected_key(kms, target.inputs.names.key_alias)
    expected = Expected(target=target, key=key, now=now)
    deployed = _deployed(secretsmanager, target.inputs.names.secret_path)
    declared = {target.inputs.names.secret_full_name(name): name for name in target.inputs.secrets}
    key_findings, keys = replica_keys(
        kms, alias=alias_of(expected), regions=target.inputs.settings.replica_regions
    )
    findings += key_findings
    for full_name, name in declared.items():
        findings += secret_findings(
            name, deployed.get(full_name), expected=expected, secretsmanager=secretsmanager
        )
        entry = deployed.get(full_name)
        if entry is not None and not entry.get("DeletedDate"):
            findings += replica_findings(
                name, entry, expected=expected, keys=keys, secretsmanager=secretsmanager
            )
    for full_name, entry in sorted(deployed.items()):
        if full_name not in declared:
            findings.append(undeclared(full_name, entry, expected=expected))
    return findings + role_findings(plan, expected=expected, iam=iam)


def _expected_key(kms: Any, alias: str) -> tuple[list[Finding], set[str] | None]:
    """The identifiers a secret's KmsKeyId may hold for the stack key: ARN, id or alias."""
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as exc:
        detail = (
            f"{alias} does not exist: the stack key is gone or was never deployed"
            if exc.response.get("Error", {}).get("Code") == "NotFoundException"
            else f"cannot describe {alias}: {error_text(exc)} (needs kms:DescribeKey)"
        )
        return [Finding(STACK_WIDE, "kms-key", FAILURE, detail)], None
    alias_arn = metadata["Arn"].rsplit(":", 1)[0] + f":{alias}"
    identifiers = {metadata["Arn"], metadata["KeyId"], alias, alias_arn}
    return [Finding(STACK_WIDE, "kms-key", OK, f"{alias} is {metadata['Arn']}")], identifiers


def _deployed(secretsmanager: Any, secret_path: str) -> dict[str, dict]:
    """Every secret under the path, those scheduled for deletion included, by name."""
    found = {}
    try:
        pages = secretsmanager.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "name", "Values": [secret_path]}], IncludePlannedDeletion=True
        )
        for page in pages:
            for entry in page["SecretList"]:
                # The name filter is a case-insensitive prefix match: keep exact matches only.
                if entry["Name"].startswith(secret_path):
                    found[entry["Name"]] = entry
    except ClientError as exc:
        raise CommandError(
            f"AWS: cannot list the secrets under {secret_path}: {error_text(exc)} "
            "(it needs secretsmanager:ListSecrets); nothing was verified",
            status=EXIT_FAILED,
        ) from None
    return found


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {OK: 0, WARNING: 0, FAILURE: 0, CRITICAL: 0}
    for finding in findings:
        counts[finding.status] += 1
    return counts


def report(target: StackTarget, findings: list[Finding]) -> dict[str, Any]:
    settings = target.inputs.settings
    counts = summary(findings)
    return {
        "stack": target.stack,
        "environment": settings.environment,
        "region": target.region,
        "secretPath": target.inputs.names.secret_path,
        "passed": counts[FAILURE] == counts[CRITICAL] == 0,
        "summary": {
            "ok": counts[OK],
            "warnings": counts[WARNING],
            "failures": counts[FAILURE],
            "critical": counts[CRITICAL],
        },
        "findings": [asdict(finding) for finding in findings],
    }


def render_table(target: StackTarget, findings: list[Finding]) -> str:
    settings = target.inputs.settings
    rows = [("SECRET", "CHECK", "STATUS", "DETAIL")]
    rows += [(f.secret, f.check, f.status.upper(), f.detail) for f in findings]
    widths = [max(len(row[index]) for row in rows) for index in range(3)]
    lines = [
        f"Stack {target.stack} (environment {settings.environment}), region {target.region}: "
        f"the secrets under {target.inputs.names.secret_path} and the roles under its IAM paths",
        "",
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    return "\n".join([*lines, "", _verdict(target, findings)]) + "\n"


def _verdict(target: StackTarget, findings: list[Finding]) -> str:
    counts = summary(findings)
    failed = counts[FAILURE] or counts[CRITICAL]
    critical = f"{counts[CRITICAL]} critical, " if counts[CRITICAL] else ""
    planned_roles = sum(finding.check == ROLE_EXISTS for finding in findings)
    return (
        f"{'FAILED' if failed else 'PASSED'}: {critical}{counts[FAILURE]} failure(s), "
        f"{counts[WARNING]} warning(s), {counts[OK]} check(s) ok for "
        f"{len(target.inputs.secrets)} declared secret(s) and {planned_roles} planned role(s)"
    )
