"""`secretsctl rollback SECRET --stack S`: make the AWSPREVIOUS version current again."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime

from inputs.catalog import SecretSpec
from rotation.secrets_manager import AWSCURRENT, AWSPENDING, AWSPREVIOUS, version_with_stage
from secretsctl.confirm import add_confirmation_argument, confirm_change
from secretsctl.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError, fail
from secretsctl.operations import (
    OperatedSecret,
    add_operation,
    aws_errors,
    list_versions,
    operated_secret,
    refuse_pending_deletion,
    secretsctl_command,
)

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

No version is deleted, and running rollback again swaps C and P back (it says so when P is the
newer version: it undoes the earlier rollback). Rotated secrets and external ones only: the
stack owns every other value. postgres-single-user is refused without --force: its rotation
changed the database password, so P's password no longer works. A secret pending deletion is
refused: restore it first. In prod it asks first (--yes when not on a terminal).
Exit status: 0 rolled back, 1 nothing to roll back to, AWS failed or not confirmed, 2 bad
input or --yes missing."""


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
    add_confirmation_argument(parser)


@dataclass(frozen=True)
class LabelMove:
    """What a rollback does: which version gains AWSCURRENT, which loses it, what is cancelled."""

    current: str
    """C: AWSCURRENT now, AWSPREVIOUS after."""
    previous: str
    """P: AWSPREVIOUS now, AWSCURRENT after."""
    pending: str | None
    """The version with AWSPENDING, removed first; None when there is none."""
    undoes_rollback: bool
    """P is newer than C: C came back by an earlier rollback, which this one undoes."""

    def action(self, name: str) -> str:
        """What is about to happen, for the confirmation."""
        what = (
            f"undo the earlier rollback of {name}" if self.undoes_rollback else f"roll back {name}"
        )
        moves = (
            f"version {self.previous} becomes AWSCURRENT, "
            f"version {self.current} becomes AWSPREVIOUS"
        )
        if self.pending == self.current:
            moves += f"; AWSPENDING, left on {self.current}, is removed"
        elif self.pending is not None:
            moves += f"; AWSPENDING is removed from {self.pending}, cancelling its rotation"
        return f"{what} ({moves})"


def rollback(args: argparse.Namespace) -> int:
    secret = operated_secret(args)
    _check_can_roll_back(args, secret.spec, catalog_file=secret.target.catalog_path.name)
    move = _label_move(args, secret)
    confirm_change(
        environment=secret.target.inputs.settings.environment,
        action=move.action(secret.name),
        assume_yes=args.yes,
    )
    after = _move_labels(secret, move)
    _print_result(secret.name, move, after)
    if _single_user(secret.spec):
        _warn_database(args, secret.name, move)
    return EXIT_OK


def _label_move(args: argparse.Namespace, secret: OperatedSecret) -> LabelMove:
    """The labels to move, or CommandError when the secret cannot be rolled back now."""
    name, client = secret.name, secret.client
    with aws_errors(name):
        metadata = client.describe_secret(SecretId=name)
        refuse_pending_deletion(secret, metadata, action="rolled back")
        versions = metadata.get("VersionIdsToStages", {})
        current, previous = _current_and_previous(name, versions)
        pending = version_with_stage(versions, AWSPENDING)
        if pending is not None and pending != current and not args.cancel_pending:
            raise CommandError(
                f"{name}: version {pending} is AWSPENDING, a rotation has not finished; "
                "wait for it, or pass --cancel-pending to drop it and roll back",
                status=EXIT_FAILED,
            )
        created = {
            version["VersionId"]: version.get("CreatedDate")
            for version in list_versions(client, name)
        }
    return LabelMove(
        current=current,
        previous=previous,
        pending=pending,
        undoes_rollback=_newer(created.get(previous), than=created.get(current)),
    )


def _newer(moment: datetime | None, *, than: datetime | None) -> bool:
    return moment is not None and than is not None and moment > than


def _move_labels(secret: OperatedSecret, move: LabelMove) -> dict[str, list[str]]:
    """Moves the labels; the versions' stages afterwards."""
    name, client = secret.name, secret.client
    with aws_errors(name):
        if move.pending is not None:
            client.update_secret_version_stage(
                SecretId=name, VersionStage=AWSPENDING, RemoveFromVersionId=move.pending
            )
        client.update_secret_version_stage(
            SecretId=name,
            VersionStage=AWSCURRENT,
            MoveToVersionId=move.previous,
            RemoveFromVersionId=move.current,
        )
        return client.describe_secret(SecretId=name).get("VersionIdsToStages", {})


def _print_result(name: str, move: LabelMove, after: dict[str, list[str]]) -> None:
    if move.undoes_rollback:
        print(f"{name}: undid the earlier rollback: the newer version is AWSCURRENT again")
    else:
        print(f"{name}: rolled back")
    for version in (move.previous, move.current):
        stages = ", ".join(sorted(after.get(version, []))) or "no label"
        print(f"  {version}  {stages}")
    if move.pending == move.current:
        print(f"  AWSPENDING, left on {move.current} by an interrupted rotation, was removed")
    elif move.pending is not None:
        print(f"  AWSPENDING removed from {move.pending}: its unfinished rotation was cancelled")


def _warn_database(args: argparse.Namespace, name: str, move: LabelMove) -> None:
    """After a forced rollback the database still has the password rotation set last."""
    rotate = secretsctl_command(args, "rotate", args.secret)
    if move.undoes_rollback:
        problem = (
            "AWSCURRENT is again the version whose password rotation set in the database; if "
            "the password was changed after the earlier rollback, AWSCURRENT no longer logs in"
        )
    else:
        problem = (
            f"the database password is still the one of version {move.current}, now "
            "AWSPREVIOUS, so AWSCURRENT no longer logs in"
        )
    fail(
        "rollback",
        f"warning: {name}: {problem}: rotate again ({rotate}), or set the role's password to "
        "AWSCURRENT's",
    )


def _single_user(spec: SecretSpec) -> bool:
    return spec.rotation is not None and spec.rotation.strategy == "postgres-single-user"


def _check_can_roll_back(args: argparse.Namespace, spec: SecretSpec, *, catalog_file: str) -> None:
    if spec.rotation is None and not spec.external:
        raise CommandError(
            f"{args.secret}: its value comes from the stack ({spec.source} in {catalog_file}), "
            "not from a rotation: change it there and run pulumi up",
            status=EXIT_BAD_INPUT,
        )
    if _single_user(spec) and not args.force:
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
