"""`secretsctl rollback SECRET --stack S`: make the AWSPREVIOUS version current again."""

from __future__ import annotations

import argparse

from inputs.catalog import SecretSpec
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS, version_with_stage
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.operations import add_operation, aws_errors, operated_secret

DESCRIPTION = """\
Makes the AWSPREVIOUS version of {prefix}/{env}/SECRET current again, with
UpdateSecretVersionStage; no value is read, written or printed. The labels move so:

  AWSCURRENT   moves from the current version C to the previous version P;
  AWSPREVIOUS  moves from P to C (Secrets Manager does this itself whenever AWSCURRENT moves);
  AWSPENDING   left behind on C by an interrupted finishSecret: removed first, or it would
               block every later rotation;
               on another version (a rotation has not finished): refused, unless
               --cancel-pending removes it first. That abandons the unfinished rotation;
               the next one starts afresh from the restored AWSCURRENT.

No version is deleted, and running rollback again swaps C and P back. Rotated secrets and
external ones only: the stack owns every other value. postgres-single-user is refused without
--force: its rotation changed the database password, so P's password no longer works.
Exit status: 0 rolled back, 1 nothing to roll back to or AWS failed, 2 bad input."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = add_operation(
        subparsers,
        "rollback",
        rollback,
        takes_secret=True,
        help="make the AWSPREVIOUS version of one secret current again",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cancel-pending",
        action="store_true",
        help="remove AWSPENDING from an unfinished rotation's version first",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="roll back a postgres-single-user secret even though its old password is dead",
    )


def rollback(args: argparse.Namespace) -> int:
    secret = operated_secret(args)
    spec, name, client = secret.spec, secret.name, secret.client
    _check_can_roll_back(args, spec, catalog_file=secret.target.catalog_path.name)
    with aws_errors(name):
        versions = client.describe_secret(SecretId=name).get("VersionIdsToStages", {})
        current, previous = _current_and_previous(name, versions)
        pending = version_with_stage(versions, AWSPENDING)
        if pending is not None and pending != current and not args.cancel_pending:
            raise CommandError(
                f"{name}: version {pending} is AWSPENDING, a rotation has not finished; "
                "wait for it, or pass --cancel-pending to drop it and roll back",
                status=EXIT_FAILED,
            )
        if pending is not None:
            client.update_secret_version_stage(
                SecretId=name, VersionStage=AWSPENDING, RemoveFromVersionId=pending
            )
        client.update_secret_version_stage(
            SecretId=name,
            VersionStage=AWSCURRENT,
            MoveToVersionId=previous,
            RemoveFromVersionId=current,
        )
        after = client.describe_secret(SecretId=name).get("VersionIdsToStages", {})
    print(f"{name}: rolled back")
    for version in (previous, current):
        stages = ", ".join(sorted(after.get(version, []))) or "no label"
        print(f"  {version}  {stages}")
    if pending == current:
        print(f"  AWSPENDING, left on {current} by an interrupted rotation, was removed")
    elif pending is not None:
        print(f"  AWSPENDING removed from {pending}: its unfinished rotation was cancelled")
    return EXIT_OK


def _check_can_roll_back(args: argparse.Namespace, spec: SecretSpec, *, catalog_file: str) -> None:
    if spec.rotation is None and not spec.external:
        raise CommandError(
            f"{args.secret}: its value comes from the stack ({spec.source} in {catalog_file}), "
            "not from a rotation: change it there and run pulumi up",
            status=EXIT_BAD_INPUT,
        )
    single_user = spec.rotation is not None and spec.rotation.strategy == "postgres-single-user"
    if single_user and not args.force:
        raise CommandError(
            f"{args.secret}: postgres-single-user rotation changed the database password, "
            "so AWSPREVIOUS no longer logs in; rotate again instead, or pass --force",
            status=EXIT_BAD_INPUT,
        )


def _current_and_previous(name: str, versions: dict[str, list[str]]) -> tuple[str, str]:
    current = version_with_stage(versions, AWSCURRENT)
    previous = version_with_stage(versions, AWSPREVIOUS)
    if current is None or previous is None:
        missing = AWSPREVIOUS if previous is None else AWSCURRENT
        raise CommandError(
            f"{name}: no version is {missing}, nothing to roll back to",
            status=EXIT_FAILED,
        )
    return current, previous
