"""`secretsctl verify`: what is deployed against the catalog, read-only, never reading a value."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from design.arns import Account
from design.iam import secret_resource_policy
from inputs.catalog import RotationSpec, SecretSpec
from inputs.exceptions import InputError
from policies.exceptions import ScheduleError
from policies.schedules import longest_gap
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, report_problems
from secretsctl.stack_target import StackTarget, add_stack_arguments, target_from_args

OK, WARNING, FAILURE = "ok", "warning", "failure"
STACK_WIDE = "-"
"""The SECRET column of a finding about the stack rather than one secret."""
AWSCURRENT = "AWSCURRENT"
ROTATION_GRACE = timedelta(days=1)
"""Secrets Manager rotates within a window after the due time; this much lateness is fine."""
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):secretsmanager:(?P<region>[^:]+):(?P<account>\d{12}):"
)


@dataclass(frozen=True)
class Finding:
    secret: str
    """The catalog name, the name in AWS of an undeclared secret, or `-` for the stack."""
    check: str
    status: str
    """ok, warning or failure."""
    detail: str


class VerifyAborted(Exception):
    """AWS could not be asked at all (no credentials, no endpoint, no ListSecrets)."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="compare the deployed secrets with the catalog (read-only, no values)",
        description="Reads what is deployed (ListSecrets, GetResourcePolicy, kms:DescribeKey; "
        "never GetSecretValue) and compares it with the catalog and stack config. Exit status: "
        "0 everything matches (warnings allowed), 1 at least one failure, 2 bad input or AWS "
        "could not be asked.",
    )
    add_stack_arguments(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        target = target_from_args(args)
    except InputError as exc:
        report_problems("verify", exc.problems)
        return EXIT_BAD_INPUT
    try:
        findings = verify(
            target,
            secretsmanager=target.client("secretsmanager"),
            kms=target.client("kms"),
            now=datetime.now(UTC),
        )
    except VerifyAborted as exc:
        print(f"secretsctl verify: nothing was verified: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "json":
        sys.stdout.write(json.dumps(report(target, findings), indent=2) + "\n")
    else:
        sys.stdout.write(render_table(target, findings))
    return EXIT_FAILED if any(finding.status == FAILURE for finding in findings) else EXIT_OK


def verify(target: StackTarget, *, secretsmanager: Any, kms: Any, now: datetime) -> list[Finding]:
    """Every check of every declared secret, then the stack-wide ones."""
    findings, expected_key = _expected_key(kms, target.inputs.names.key_alias)
    deployed = _deployed(secretsmanager, target.inputs.names.secret_path)
    declared = {target.inputs.names.secret_full_name(name): name for name in target.inputs.secrets}
    for full_name, name in declared.items():
        spec = target.inputs.secrets[name]
        entry = deployed.get(full_name)
        findings += _secret_findings(
            name,
            spec,
            entry,
            expected_tags=target.inputs.secret_tags(spec),
            expected_key=expected_key,
            secretsmanager=secretsmanager,
            now=now,
        )
    for full_name, entry in sorted(deployed.items()):
        if full_name not in declared:
            findings.append(_undeclared(full_name, entry))
    return findings


def _expected_key(kms: Any, alias: str) -> tuple[list[Finding], set[str] | None]:
    """The identifiers a secret's KmsKeyId may hold for the stack key: ARN, id or alias."""
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as exc:
        code = _code(exc)
        detail = (
            f"{alias} does not exist: the stack key is gone or was never deployed"
            if code == "NotFoundException"
            else f"cannot describe {alias}: {code} (needs kms:DescribeKey)"
        )
        return [Finding(STACK_WIDE, "kms-key", FAILURE, detail)], None
    except BotoCoreError as exc:
        raise VerifyAborted(f"cannot reach AWS: {exc}") from exc
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
        raise VerifyAborted(
            f"cannot list the secrets under {secret_path}: {_code(exc)} "
            "(needs secretsmanager:ListSecrets)"
        ) from exc
    except BotoCoreError as exc:
        raise VerifyAborted(f"cannot reach AWS: {exc}") from exc
    return found


def _secret_findings(
    name: str,
    spec: SecretSpec,
    entry: Mapping[str, Any] | None,
    *,
    expected_tags: Mapping[str, str],
    expected_key: set[str] | None,
    secretsmanager: Any,
    now: datetime,
) -> list[Finding]:
    if entry is None:
        return [
            Finding(
                name,
                "exists",
                FAILURE,
                "not found: deleted out of band (and purged) or never deployed; run pulumi up",
            )
        ]
    full_name = entry["Name"]
    if entry.get("DeletedDate"):
        return [
            Finding(name, "exists", OK, full_name),
            Finding(
                name,
                "pending-deletion",
                FAILURE,
                f"scheduled for deletion on {_day(entry['DeletedDate'])}; restore it before: "
                f"aws secretsmanager restore-secret --secret-id {full_name}",
            ),
        ]
    return [
        Finding(name, "exists", OK, full_name),
        _value(name, spec, entry),
        _key(name, entry, expected_key),
        _tags(name, entry, expected_tags),
        *_rotation(name, spec.rotation, entry, now=now),
        _resource_policy(name, entry, secretsmanager),
    ]


def _value(name: str, spec: SecretSpec, entry: Mapping[str, Any]) -> Finding:
    stages = entry.get("SecretVersionsToStages") or {}
    if any(AWSCURRENT in labels for labels in stages.values()):
        return Finding(name, "value", OK, "has an AWSCURRENT version")
    if spec.external:
        return Finding(
            name,
            "value",
            WARNING,
            "external secret still empty: put its value with aws secretsmanager "
            f"put-secret-value --secret-id {entry['Name']} --secret-string file://FILE",
        )
    return Finding(name, "value", FAILURE, "no AWSCURRENT version: run pulumi up")


def _key(name: str, entry: Mapping[str, Any], expected: set[str] | None) -> Finding:
    key_id = entry.get("KmsKeyId")
    if key_id is None:
        return Finding(
            name, "kms-key", FAILURE, "encrypted with the AWS managed key aws/secretsmanager"
        )
    if expected is None:
        return Finding(name, "kms-key", FAILURE, f"uses {key_id}; the stack key was not found")
    if key_id in expected:
        return Finding(name, "kms-key", OK, "the stack key")
    return Finding(name, "kms-key", FAILURE, f"encrypted with {key_id}, not the stack key")


def _tags(name: str, entry: Mapping[str, Any], expected: Mapping[str, str]) -> Finding:
    actual = {tag["Key"]: tag["Value"] for tag in entry.get("Tags") or []}
    missing = [key for key in expected if key not in actual]
    wrong = [
        f"{key} is {actual[key]!r}, expected {value!r}"
        for key, value in expected.items()
        if key in actual and actual[key] != value
    ]
    if not missing and not wrong:
        return Finding(name, "tags", OK, f"{len(expected)} expected tags present")
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
    return Finding(name, "tags", FAILURE, "; ".join(parts))


def _rotation(
    name: str, rotation: RotationSpec | None, entry: Mapping[str, Any], *, now: datetime
) -> list[Finding]:
    enabled = bool(entry.get("RotationEnabled"))
    if rotation is None:
        if enabled:
            return [Finding(name, "rotation", WARNING, "rotation is on; the catalog declares none")]
        return [Finding(name, "rotation", OK, "none declared, none enabled")]
    if not enabled:
        return [Finding(name, "rotation", FAILURE, "rotation is disabled; the catalog rotates it")]
    rules = entry.get("RotationRules") or {}
    problem = schedule_problem(rotation, rules)
    if problem:
        return [Finding(name, "rotation", FAILURE, problem)]
    return [
        Finding(name, "rotation", OK, f"enabled, {_describe_schedule(rotation)}"),
        _last_rotation(name, rotation, entry, now=now),
    ]


def schedule_problem(rotation: RotationSpec, rules: Mapping[str, Any]) -> str | None:
    """Why the deployed rotation rules differ from the catalog's, or None when they agree."""
    days = rules.get("AutomaticallyAfterDays")
    expression = _normalized(rules.get("ScheduleExpression") or "")
    expected_days = rotation.every_days or _rate_days(rotation.schedule or "")
    if expected_days is not None and (
        days == expected_days or expression == f"rate({expected_days} days)"
    ):
        return None
    if rotation.schedule and expression == _normalized(rotation.schedule):
        return None
    deployed = rules.get("ScheduleExpression") or (f"every {days} days" if days else "none")
    return f"schedule is {deployed}; the catalog says {_describe_schedule(rotation)}"


def _last_rotation(
    name: str, rotation: RotationSpec, entry: Mapping[str, Any], *, now: datetime
) -> Finding:
    window = rotation_window(rotation)
    last = entry.get("LastRotatedDate")
    if last is None:
        created = entry.get("CreatedDate")
        if created is not None and now - created <= window + ROTATION_GRACE:
            return Finding(name, "last-rotation", WARNING, "not rotated yet (created recently)")
        return Finding(name, "last-rotation", FAILURE, f"never rotated; due every {_span(window)}")
    age = now - last
    if age > window + ROTATION_GRACE:
        return Finding(
            name,
            "last-rotation",
            FAILURE,
            f"last rotated {_day(last)}, {age.days} days ago: overdue (every {_span(window)})",
        )
    return Finding(name, "last-rotation", OK, f"last rotated {_day(last)}")


def rotation_window(rotation: RotationSpec) -> timedelta:
    """The longest time the catalog allows between two rotations."""
    if rotation.every_days is not None:
        return timedelta(days=rotation.every_days)
    try:
        return longest_gap(rotation.schedule or "")
    except ScheduleError:  # the catalog validates schedules; a cron it accepts but we cannot
        return timedelta(days=1000)  # measure gets the longest rotation AWS allows


def _resource_policy(name: str, entry: Mapping[str, Any], secretsmanager: Any) -> Finding:
    try:
        policy = secretsmanager.get_resource_policy(SecretId=entry["ARN"]).get("ResourcePolicy")
    except ClientError as exc:
        return Finding(
            name,
            "resource-policy",
            FAILURE,
            f"cannot read: {_code(exc)} (needs secretsmanager:GetResourcePolicy)",
        )
    if not policy:
        return Finding(name, "resource-policy", FAILURE, "no resource policy: run pulumi up")
    expected = _expected_policy(entry["ARN"])
    try:
        matches = expected is not None and json.loads(policy) == expected
    except json.JSONDecodeError:
        matches = False
    if not matches:
        return Finding(
            name, "resource-policy", FAILURE, "differs from the stack's (DenyOutsideAccount)"
        )
    return Finding(name, "resource-policy", OK, "the stack's policy")


def _expected_policy(secret_arn: str) -> dict | None:
    parts = _ARN.match(secret_arn)
    if parts is None:
        return None
    account = Account(
        partition=parts["partition"], region=parts["region"], account_id=parts["account"]
    )
    return secret_resource_policy(account)


def _undeclared(full_name: str, entry: Mapping[str, Any]) -> Finding:
    if entry.get("DeletedDate"):
        return Finding(
            full_name,
            "undeclared",
            WARNING,
            f"not in the catalog and scheduled for deletion on {_day(entry['DeletedDate'])}; "
            "restore-secret would bring it back",
        )
    return Finding(
        full_name,
        "undeclared",
        FAILURE,
        "under the stack's path but not in the catalog: declare it or delete it",
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))


def _normalized(expression: str) -> str:
    return re.sub(r"\s+", " ", expression.strip().lower()).replace("( ", "(").replace(" )", ")")


def _rate_days(schedule: str) -> int | None:
    found = re.fullmatch(r"rate\((\d+) days?\)", _normalized(schedule))
    return int(found.group(1)) if found else None


def _describe_schedule(rotation: RotationSpec) -> str:
    return f"every {rotation.every_days} days" if rotation.every_days else str(rotation.schedule)


def _span(window: timedelta) -> str:
    return f"{window.days} days" if window.days else f"{window.seconds // 3600} hours"


def _day(moment: Any) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else str(moment)


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {OK: 0, WARNING: 0, FAILURE: 0}
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
        "passed": counts[FAILURE] == 0,
        "summary": {"ok": counts[OK], "warnings": counts[WARNING], "failures": counts[FAILURE]},
        "findings": [asdict(finding) for finding in findings],
    }


def render_table(target: StackTarget, findings: list[Finding]) -> str:
    settings = target.inputs.settings
    rows = [("SECRET", "CHECK", "STATUS", "DETAIL")]
    rows += [(f.secret, f.check, f.status.upper(), f.detail) for f in findings]
    widths = [max(len(row[index]) for row in rows) for index in range(3)]
    lines = [
        f"Stack {target.stack} (environment {settings.environment}), region {target.region}: "
        f"the secrets under {target.inputs.names.secret_path}",
        "",
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    counts = summary(findings)
    verdict = "FAILED" if counts[FAILURE] else "PASSED"
    lines += [
        "",
        f"{verdict}: {counts[FAILURE]} failure(s), {counts[WARNING]} warning(s), "
        f"{counts[OK]} check(s) ok for {len(target.inputs.secrets)} declared secret(s)",
    ]
    return "\n".join(lines) + "\n"
