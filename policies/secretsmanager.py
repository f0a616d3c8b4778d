"""Rules for Secrets Manager secrets: encryption, tags, rotation and deletion safeguards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from aws_model.exceptions import ScheduleError
from aws_model.schedules import longest_gap

from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"

REQUIRED_TAGS = ("Project", "Environment", "ManagedBy")
ROTATION_TAG = "RotationStrategy"
"""The program tags every secret it declares a rotation for with RotationStrategy=<strategy>."""
PROD_ENVIRONMENT = "prod"
MAX_ROTATION_INTERVAL = timedelta(days=90)
MIN_PROD_RECOVERY_WINDOW_DAYS = 7


def tags_of(resource: Resource) -> tuple[dict[str, Any], bool]:
    """The secret's effective tags, and whether provider default tags might still add some.

    `tags` is merged over `tagsAll` (which adds the provider's default tags). While either is
    unknown, a tag missing from the merge may still arrive, so it is not reported yet.
    """
    tags = resource.props.get("tags")
    tags_all = resource.props.get("tagsAll")
    merged: dict[str, Any] = {}
    if isinstance(tags_all, Mapping):
        merged.update(tags_all)
    if isinstance(tags, Mapping):
        merged.update(tags)
    return merged, is_opaque(tags_all) or is_opaque(tags)


def environment_of(resource: Resource) -> Any:
    return tags_of(resource)[0].get("Environment")


def _is_customer_managed(key_id: Any) -> bool:
    if is_opaque(key_id):
        return True  # set, but not readable here: the deploy-time run sees the real value
    if not isinstance(key_id, str) or not key_id.strip():
        return False
    # Both `alias/aws/secretsmanager` and `arn:aws:kms:<region>:<account>:alias/aws/...` name
    # an AWS managed key, whose key policy this project cannot scope.
    return not (key_id.startswith("alias/aws/") or ":alias/aws/" in key_id)


def secret_encrypted_with_cmk(resource: Resource) -> list[Violation]:
    if resource.type != SECRET:
        return []
    found = []
    key_id = resource.props.get("kmsKeyId")
    if not _is_customer_managed(key_id):
        got = "no kmsKeyId" if not key_id else f"kmsKeyId {key_id!r}"
        found.append(
            SECRET_ENCRYPTED_WITH_CMK.violation(
                resource.urn,
                message=f"The secret is encrypted with the AWS managed key ({got}).",
                fix="Set kmsKeyId to the ARN of the stack's customer-managed KMS key.",
            )
        )
    replicas = resource.props.get("replicas")
    for index, replica in enumerate(replicas if isinstance(replicas, list) else []):
        if isinstance(replica, Mapping) and not _is_customer_managed(replica.get("kmsKeyId")):
            region = replica.get("region", "?")
            found.append(
                SECRET_ENCRYPTED_WITH_CMK.violation(
                    resource.urn,
                    message=f"replicas[{index}] (region {region}) has no customer-managed key.",
                    fix=f"Set replicas[{index}].kmsKeyId to a customer-managed key in {region}.",
                )
            )
    return found


SECRET_ENCRYPTED_WITH_CMK = Rule(
    name="secret-encrypted-with-cmk",
    control="CKV_AWS_149",
    description=(
        "CKV_AWS_149: every Secrets Manager secret (and each replica) is encrypted with a "
        "customer-managed KMS key, not the AWS managed alias/aws/secretsmanager."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=secret_encrypted_with_cmk,
)


def secret_has_required_tags(resource: Resource) -> list[Violation]:
    if resource.type != SECRET:
        return []
    tags, may_gain_tags = tags_of(resource)
    missing = []
    for key in REQUIRED_TAGS:
        value = tags.get(key)
        if is_opaque(value) or (key not in tags and may_gain_tags):
            continue
        if not isinstance(value, str) or not value.strip():
            missing.append(key)
    if not missing:
        return []
    return [
        SECRET_HAS_REQUIRED_TAGS.violation(
            resource.urn,
            message=f"Missing or empty tags: {', '.join(missing)} (got {sorted(tags)}).",
            fix="Tag the secret with non-empty Project, Environment and ManagedBy values.",
        )
    ]


SECRET_HAS_REQUIRED_TAGS = Rule(
    name="secret-has-required-tags",
    control="SecretsManager.5",
    description=(
        "SecretsManager.5: every secret carries non-empty Project, Environment and ManagedBy tags."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=secret_has_required_tags,
)


def prod_secret_deletion_safeguard(resource: Resource) -> list[Violation]:
    if resource.type != SECRET:
        return []
    environment = environment_of(resource)
    if not isinstance(environment, str) or environment.strip().lower() != PROD_ENVIRONMENT:
        return []
    found = []
    window = resource.props.get("recoveryWindowInDays")
    if (
        window is not None
        and not is_opaque(window)
        and (not isinstance(window, int | float) or window < MIN_PROD_RECOVERY_WINDOW_DAYS)
    ):
        found.append(
            PROD_SECRET_DELETION_SAFEGUARD.violation(
                resource.urn,
                message=f"recoveryWindowInDays is {window!r}: a deleted prod secret is "
                f"unrecoverable sooner than {MIN_PROD_RECOVERY_WINDOW_DAYS} days.",
                fix="Omit recoveryWindowInDays (AWS default 30) or set it between 7 and 30.",
            )
        )
    if not resource.protect:
        found.append(
            PROD_SECRET_DELETION_SAFEGUARD.violation(
                resource.urn,
                message="The prod secret is not protected, so `pulumi destroy` or a rename "
                "deletes it.",
                fix="Create the secret with ResourceOptions(protect=True) in prod stacks.",
            )
        )
    return found


PROD_SECRET_DELETION_SAFEGUARD = Rule(
    name="prod-secret-deletion-safeguard",
    control="prod deletion safeguard",
    description=(
        "Prod deletion safeguard: secrets tagged Environment=prod keep a recovery window of at "
        "least 7 days (recoveryWindowInDays absent or >= 7) and have the protect option set."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=prod_secret_deletion_safeguard,
)


def rotation_schedule_problem(rules: Any) -> str | None:
    """Why a SecretRotation's rotationRules do not rotate within 90 days, or None if they do."""
    if is_opaque(rules):
        return None
    if not isinstance(rules, Mapping) or not rules:
        return "it has no rotationRules"
    days = rules.get("automaticallyAfterDays")
    expression = rules.get("scheduleExpression")
    if days is None and not expression:
        return "rotationRules has neither automaticallyAfterDays nor scheduleExpression"
    limit = MAX_ROTATION_INTERVAL.days
    days_known = days is not None and not is_opaque(days)
    if days_known and (not isinstance(days, int | float) or not 1 <= days <= limit):
        return f"automaticallyAfterDays is {days!r}, must be 1-{limit}"
    if expression and not is_opaque(expression):
        try:
            gap = longest_gap(str(expression))
        except ScheduleError as exc:
            return f"scheduleExpression {exc}"
        if gap > MAX_ROTATION_INTERVAL:
            return (
                f"scheduleExpression {expression!r} leaves up to {_days_text(gap)} between "
                f"rotations, more than {limit} days"
            )
    return None


def _days_text(gap: timedelta) -> str:
    hours = gap.seconds // 3600
    return f"{gap.days} days" + (f" {hours} hours" if hours else "")


def secret_rotation_within_90_days(resource: Resource) -> list[Violation]:
    if resource.type != SECRET_ROTATION:
        return []
    problem = rotation_schedule_problem(resource.props.get("rotationRules"))
    if problem is None:
        return []
    return [
        SECRET_ROTATION_WITHIN_90_DAYS.violation(
            resource.urn,
            message=f"The rotation does not run at least every 90 days: {problem}.",
            fix="Set rotationRules.automaticallyAfterDays <= 90, or a scheduleExpression such as "
            "rate(30 days) or cron(0 4 1 * ? *).",
        )
    ]


SECRET_ROTATION_WITHIN_90_DAYS = Rule(
    name="secret-rotation-within-90-days",
    control="SecretsManager.4, CKV_AWS_304",
    description=(
        "SecretsManager.4 / CKV_AWS_304: every SecretRotation rotates at least every 90 days "
        "(automaticallyAfterDays <= 90, or a rate()/cron() whose longest gap is <= 90 days)."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=secret_rotation_within_90_days,
)


def _rotations_by_secret(resources: Sequence[Resource]) -> tuple[dict[str, list[Resource]], bool]:
    """SecretRotations keyed by the URN of the secret they rotate, and whether any is unmatched.

    A rotation matches a secret when its secretId equals the secret's arn or id, or when the
    engine says secretId depends on the secret (the only link while both are unknown).
    """
    secrets = [resource for resource in resources if resource.type == SECRET]
    by_identifier: dict[str, str] = {}
    for secret in secrets:
        for prop in ("arn", "id"):
            value = secret.props.get(prop)
            if isinstance(value, str) and value:
                by_identifier[value] = secret.urn
    matched: dict[str, list[Resource]] = {}
    unmatched_unknown = False
    secret_urns = {secret.urn for secret in secrets}
    for rotation in (resource for resource in resources if resource.type == SECRET_ROTATION):
        secret_id = rotation.props.get("secretId")
        targets = {
            urn for urn in rotation.property_dependencies.get("secretId", ()) if urn in secret_urns
        }
        if isinstance(secret_id, str) and secret_id in by_identifier:
            targets.add(by_identifier[secret_id])
        if not targets and is_opaque(secret_id):
            unmatched_unknown = True
        for urn in targets:
            matched.setdefault(urn, []).append(rotation)
    return matched, unmatched_unknown


def _unrotated_secrets(resources: Sequence[Resource]) -> list[Resource]:
    """The secrets no SecretRotation targets, leaving out those a rotation may still be for."""
    rotations, unmatched_unknown = _rotations_by_secret(resources)
    return [
        secret
        for secret in resources
        if secret.type == SECRET
        and secret.urn not in rotations
        and not _rotation_undecidable(secret, unmatched_unknown=unmatched_unknown)
    ]


def _rotation_undecidable(secret: Resource, *, unmatched_unknown: bool) -> bool:
    """While a secret's arn is unknown, a rotation whose secretId is unknown may well be its."""
    identifiers = [secret.props.get("arn"), secret.props.get("id")]
    known = [value for value in identifiers if isinstance(value, str) and value]
    return unmatched_unknown and not known


def rotated_secret_has_rotation(resources: Sequence[Resource]) -> list[Violation]:
    found = []
    for secret in _unrotated_secrets(resources):
        strategy = tags_of(secret)[0].get(ROTATION_TAG)
        if not strategy or is_opaque(strategy):
            continue
        found.append(
            ROTATED_SECRET_HAS_ROTATION.violation(
                secret.urn,
                message=f"The secret is tagged {ROTATION_TAG}={strategy} but no SecretRotation "
                "targets its ARN.",
                fix="Declare an aws.secretsmanager.SecretRotation with secret_id=secret.arn, or "
                f"remove the {ROTATION_TAG} tag if the secret is not rotated.",
            )
        )
    return found


ROTATED_SECRET_HAS_ROTATION = Rule(
    name="rotated-secret-has-rotation",
    control="SecretsManager.1",
    description=(
        "SecretsManager.1: every secret the program rotates (tagged RotationStrategy=<strategy>) "
        "has a SecretRotation whose secretId is the secret's ARN or id."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.STACK,
    check=rotated_secret_has_rotation,
)


def secret_rotation_recommended(resources: Sequence[Resource]) -> list[Violation]:
    return [
        SECRET_ROTATION_RECOMMENDED.violation(
            secret.urn,
            message="The secret is never rotated.",
            fix="Add a rotation (SecretRotation and a RotationStrategy tag) if the value "
            "can be rotated; otherwise record why it cannot.",
        )
        for secret in _unrotated_secrets(resources)
        # rotated-secret-has-rotation reports the tagged ones
        if not tags_of(secret)[0].get(ROTATION_TAG)
    ]


SECRET_ROTATION_RECOMMENDED = Rule(
    name="secret-rotation-recommended",
    control="CKV2_AWS_57",
    description="CKV2_AWS_57 (advisory): secrets without any rotation are reported.",
    enforcement=Enforcement.ADVISORY,
    kind=Kind.STACK,
    check=secret_rotation_recommended,
)
