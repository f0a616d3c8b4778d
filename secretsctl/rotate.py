"""`secretsctl rotate SECRET --stack S`: start a rotation of one secret now."""

from __future__ import annotations

import argparse

from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.operations import add_operation, aws_errors, operated_secret


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    add_operation(
        subparsers,
        "rotate",
        rotate,
        takes_secret=True,
        help="start a rotation of one secret now",
        description="Calls RotateSecret on {prefix}/{env}/SECRET: Secrets Manager invokes the "
        "secret's rotation function with a new version, staged AWSPENDING, which becomes "
        "AWSCURRENT when the function's finishSecret step succeeds. The secret needs a rotation "
        "block in the catalog and rotation enabled in AWS (pulumi up). No value is read or "
        "printed. Exit status: 0 started, 1 AWS refused or failed, 2 bad input.",
    )


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
        # Without a rotation configured, RotateSecret has no function to call.
        if not client.describe_secret(SecretId=name).get("RotationEnabled", False):
            raise CommandError(
                f"{name}: rotation is not enabled in AWS; run pulumi up for stack "
                f"{target.stack} to configure it",
                status=EXIT_FAILED,
            )
        version_id = client.rotate_secret(SecretId=name)["VersionId"]
    print(
        f"{name}: rotation started, strategy {spec.rotation.strategy}: version "
        f"{version_id} is AWSPENDING until the function's finishSecret makes it AWSCURRENT"
    )
    print(f"Follow it with: python -m secretsctl status --stack {target.stack}")
    return EXIT_OK
