"""verify's checks of one deployed secret against the catalog, each a Finding, no value read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from aws_model.exceptions import ScheduleError
from aws_model.schedules import longest_gap
from inputs.catalog import RotationSpec, SecretSpec
from secretsctl.operations import aws_command, error_text, restore_command, timestamp
from secretsctl.stack_target import StackTarget
from secretsctl.verify_policy import (
    expected_policy,
    grants_read,
    policy_document,
    public_statements,
)

OK, WARNING, FAILURE, CRITICAL = "ok", "warning", "failure", "critical"
"""A check's outcomes; critical is a failure that needs action now (a public secret)."""
STACK_WIDE = "-"
"""The SECRET column of a finding about the stack rather than one secret."""
AWSCURRENT = "AWSCURRENT"
ROTATION_GRACE = timedelta(days=1)
"""Secrets Manager rotates within a window after the due time; this much lateness is fine."""
SHORTEST_RECOVERY_WINDOW_DAYS, LONGEST_RECOVERY_WINDOW_DAYS = 7, 30
"""What DeleteSecret's RecoveryWindowInDays allows; AWS does not say which one was used."""


@dataclass(frozen=True)
class Finding:
    secret: str
    """The catalog name, the name in AWS of an undeclared secret, a role's name for the role
    checks (verify_roles), or `-` for the stack."""
    check: str
    status: str
    """ok, warning, failure or critical."""
    detail: str


@dataclass(frozen=True)
class Expected:
    """What every secret of the stack is compared with."""

    target: StackTarget
    key: set[str] | None
    """The identifiers of the stack key (ARN, id, alias); None when it was not found."""
    now: datetime

    @property
    def fix(self) -> str:
        """Only a refresh makes pulumi see what changed out of band; a plain up does not."""
        return f"run pulumi up --refresh --stack {self.target.stack}"


def secret_findings(
    name: str, entry: Mapping[str, Any] | None, *, expected: Expected, secretsmanager: Any
) -> list[Finding]:
    """Every check of one declared secret; `entry` is its ListSecrets entry (None: not found)."""
    if entry is None:
        detail = f"not found: deleted out of band (and purged) or never deployed; {expected.fix}"
        return [Finding(name, "exists", FAILURE, detail)]
    found = Finding(name, "exists", OK, entry["Name"])
    if entry.get("DeletedDate"):
        return [found, _pending_deletion(name, entry, expected=expected)]
    spec = expected.target.inputs.secrets[name]
    return [
        found,
        _value(name, spec, entry, expected=expected),
        _key(name, entry, expected=expected),
        _tags(name, entry, expected=expected),
        *_rotation(name, spec.rotation, entry, expected=expected),
        _resource_policy(name, entry, expected=expected, secretsmanager=secretsmanager),
    ]


def undeclared(full_name: str, entry: Mapping[str, Any], *, expected: Expected) -> Finding:
    if entry.get("DeletedDate"):
        return Finding(
            full_name,
            "undeclared",
            WARNING,
            f"not in the catalog, and its deletion was requested {timestamp(entry['DeletedDate'])}"
            f"; {_restorable(expected)}; restore-secret would bring it back",
        )
    return Finding(
        full_name,
        "undeclared",
        FAILURE,
        "under the stack's path but not in the catalog: declare it or delete it",
    )


def _pending_deletion(name: str, entry: Mapping[str, Any], *, expected: Expected) -> Finding:
    # ListSecrets' DeletedDate is when the deletion was requested, not when it takes effect.
    return Finding(
        name,
        "pending-deletion",
        FAILURE,
        f"deletion requested {timestamp(entry['DeletedDate'])}; {_restorable(expected)}; "
        f"restore it now: {restore_command(expected.target, entry['Name'])}",
    )


def _restorable(expected: Expected) -> str:
    return (
        "restorable until the recovery window it was deleted with ends: at least "
        f"{SHORTEST_RECOVERY_WINDOW_DAYS} days after the request, at most "
        f"{LONGEST_RECOVERY_WINDOW_DAYS} (AWS does not return the window; this stack deletes "
        f"with recoveryWindowDays {expected.target.inputs.settings.recovery_window_days})"
    )


def _value(name: str, spec: SecretSpec, entry: Mapping[str, Any], *, expected: Expected) -> Finding:
    stages = entry.get("SecretVersionsToStages") or {}
    if any(AWSCURRENT in labels for labels in stages.values()):
        return Finding(name, "value", OK, "has an AWSCURRENT version")
    if spec.external:
        put = aws_command(
            expected.target,
            *("put-secret-value", "--secret-id", entry["Name"], "--secret-string", "file://FILE"),
        )
        return Finding(
            name, "value", WARNING, f"external secret still empty: put its value with {put}"
        )
    return Finding(name, "value", FAILURE, f"no AWSCURRENT version: {expected.fix}")


def _key(name: str, entry: Mapping[str, Any], *, expected: Expected) -> Finding:
    key_id = entry.get("KmsKeyId")
    if key_id is None:
        detail = f"encrypted with the AWS managed key aws/secretsmanager: {expected.fix}"
        return Finding(name, "kms-key", FAILURE, detail)
    if expected.key is None:
        return Finding(name, "kms-key", FAILURE, f"uses {key_id}; the stack key was not found")
    if key_id in expected.key:
        return Finding(name, "kms-key", OK, "the stack key")
    detail = f"encrypted with {key_id}, not the stack key: {expected.fix}"
    return Finding(name, "kms-key", FAILURE, detail)


def _tags(name: str, entry: Mapping[str, Any], *, expected: Expected) -> Finding:
    wanted = expected.target.inputs.secret_tags(expected.target.inputs.secrets[name])
    actual = {tag["Key"]: tag["Value"] for tag in entry.get("Tags") or []}
    missing = [key for key in wanted if key not in actual]
    wrong = [
        f"{key} is {actual[key]!r}, expected {value!r}"
        for key, value in wanted.items()
        if key in actual and actual[key] != value
    ]
    if not missing and not wrong:
        return Finding(name, "tags", OK, f"{len(wanted)} expected tags present")
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
    return Finding(name, "tags", FAILURE, f"{'; '.join(parts)}: {expected.fix}")


def _rotation(
    name: str, rotation: RotationSpec | None, entry: Mapping[str, Any], *, expected: Expected
) -> list[Finding]:
    enabled = bool(entry.get("RotationEnabled"))
    if rotation is None:
        if enabled:
            return [Finding(name, "rotation", WARNING, "rotation is on; the catalog declares none")]
        return [Finding(name, "rotation", OK, "none declared, none enabled")]
    if not enabled:
        detail = f"rotation is disabled; the catalog rotates it: {expected.fix}"
        return [Finding(name, "rotation", FAILURE, detail)]
    problem = schedule_problem(rotation, entry.get("RotationRules") or {})
    if problem:
        return [Finding(name, "rotation", FAILURE, f"{problem}: {expected.fix}")]
    return [
        Finding(name, "rotation", OK, f"enabled, {_describe_schedule(rotation)}"),
        _last_rotation(name, rotation, entry, now=expected.now),
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


def _resource_policy(
    name: str, entry: Mapping[str, Any], *, expected: Expected, secretsmanager: Any
) -> Finding:
    try:
        policy = secretsmanager.get_resource_policy(SecretId=entry["ARN"]).get("ResourcePolicy")
    except ClientError as exc:
        detail = f"cannot read: {error_text(exc)} (needs secretsmanager:GetResourcePolicy)"
        return Finding(name, "resource-policy", FAILURE, detail)
    if not policy:
        return Finding(name, "resource-policy", FAILURE, f"no resource policy: {expected.fix}")
    inputs = expected.target.inputs
    shared_with = inputs.secrets[name].shared_with_in(inputs.settings.environment)
    stack_policy = expected_policy(entry["ARN"], shared_with=shared_with)
    document = policy_document(policy)
    if document is not None and document == stack_policy:
        return Finding(name, "resource-policy", OK, "the stack's policy")
    public = public_statements(document or {}, expected=stack_policy)
    if public:
        return _public(name, entry, expected=expected, read=grants_read(public))
    detail = f"differs from the stack's (DenyOutsideAccount): {expected.fix}"
    return Finding(name, "resource-policy", FAILURE, detail)


def _public(name: str, entry: Mapping[str, Any], *, expected: Expected, read: bool) -> Finding:
    exposure = (
        "the secret is readable from outside the account"
        if read
        else "other accounts may act on the secret"
    )
    remove = aws_command(expected.target, "delete-resource-policy", "--secret-id", entry["Name"])
    return Finding(
        name,
        "resource-policy",
        CRITICAL,
        f"PUBLIC: the resource policy allows any principal (Principal *): {exposure}. Now: "
        f"{remove}, then pulumi up --refresh --stack {expected.target.stack} to put the stack's "
        "policy back, rotate or replace the value, and look in CloudTrail for GetSecretValue "
        "calls from other accounts",
    )


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
