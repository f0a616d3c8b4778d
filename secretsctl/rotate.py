"""`secretsctl rotate SECRET --stack S`: start a rotation of one secret now."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from rotation.secrets_manager import AWSCURRENT, version_with_stage
from secretsctl.confirm import add_confirmation_argument, confirm_change
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.operations import (
    OperatedSecret,
    add_operation,
    aws_errors,
    operated_secret,
    refuse_pending_deletion,
    secretsctl_command,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = add_operation(
        subparsers,
        "rotate",
        rotate,
        takes_secret=True,
        help="start a rotation of one secret now",
        description="Calls RotateSecret on {prefix}/{env}/SECRET: Secrets Manager invokes the "
        "secret's rotation function with a new version, staged AWSPENDING, which becomes "
        "AWSCURRENT when the function's finishSecret step succeeds. The secret needs a rotation "
        "block in the catalog and rotation enabled in AWS (pulumi up). In prod it asks first "
        "(--yes when not on a terminal). No value is read or printed. Exit status: 0 started, "
        "1 AWS refused or failed, or not confirmed, 2 bad input or --yes missing.",
    )
    add_confirmation_argument(parser)


def rotate(args: argparse.Namespace) -> int:
    secret = operated_secret(args)
    target, spec, name, client = secret.target, secret.spec, secret.name, secret.client
    if spec.rotation is None:
        raise CommandError(
            f"{args.secret}: has no rotation block in {target.catalog_path.name}; add one "
            "(e.g. rotation: {every_days: 30, strategy: token}) and run pulumi up first",
            status=EXIT_BAD_INPUT,
        )
    with aws_errors(name):
        metadata = client.describe_secret(SecretId=name)
    _check_can_rotate(secret, metadata)
    confirm_change(
        environment=target.inputs.settings.environment,
        action=_action(name, metadata),
        assume_yes=args.yes,
    )
    with aws_errors(name):
        version_id = client.rotate_secret(SecretId=name)["VersionId"]
    print(
        f"{name}: rotation started, strategy {spec.rotation.strategy}: version "
        f"{version_id} is AWSPENDING until the function's finishSecret makes it AWSCURRENT"
    )
    print(f"Follow it with: {secretsctl_command(args, 'status')}")
    return EXIT_OK


def _check_can_rotate(secret: OperatedSecret, metadata: Mapping[str, Any]) -> None:
    refuse_pending_deletion(secret, metadata, action="rotated")
    # Without a rotation configured, RotateSecret has no function to call.
    if not metadata.get("RotationEnabled", False):
        raise CommandError(
            f"{secret.name}: rotation is not enabled in AWS; run pulumi up --refresh --stack "
            f"{secret.target.stack} to configure it",
            status=EXIT_FAILED,
        )


def _action(name: str, metadata: Mapping[str, Any]) -> str:
    """What the rotation will do to the labels, for the confirmation."""
    current = version_with_stage(metadata.get("VersionIdsToStages") or {}, AWSCURRENT)
    demoted = (
        f"version {current}, now AWSCURRENT, becomes AWSPREVIOUS"
        if current
        else "no version is AWSCURRENT yet"
    )
    return (
        f"rotate {name} (a new version becomes AWSPENDING, then AWSCURRENT when the "
        f"function's finishSecret succeeds; {demoted})"
    )
