"""The AWS side of `secretsctl import-env --apply`: look before writing, then put the values."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
)

from secretsctl.errors import EXIT_FAILED, EXIT_OK, CommandError, unanswered
from secretsctl.import_env_classify import Proposal
from secretsctl.operations import quiet_botocore
from secretsctl.stack_target import StackTarget

MISSING, DELETED, HAS_VALUE, READY = "missing", "deleted", "has a value", "ready"
NOTHING_WRITTEN = "nothing was written"
REJECTED_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "IncompleteSignature",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    }
)
"""Error codes that say the credentials themselves are wrong or expired."""
DENIED = frozenset({"AccessDenied", "AccessDeniedException"})


@dataclass(frozen=True)
class ValueSlot:
    """An external secret that takes its .env value, and what AWS holds for it now."""

    proposal: Proposal
    secret_id: str
    """`{prefix}/{env}/{name}`."""
    state: str
    arn: str = ""


@dataclass(frozen=True)
class Lookup:
    """What --apply found in AWS before writing anything; `client` is None when it asked nothing."""

    slots: list[ValueSlot]
    client: Any = None

    @property
    def ready(self) -> list[ValueSlot]:
        """The secrets that exist and have no value yet: those a put goes into."""
        return [slot for slot in self.slots if slot.state == READY]


def look_up(proposals: Sequence[Proposal], *, target: StackTarget) -> Lookup:
    """DescribeSecret for each value to put, so that no credentials, a bad endpoint or a
    refusal stops the command before it writes anything; CommandError (exit 1) then."""
    wanted = [proposal for proposal in proposals if proposal.puts_value]
    if not wanted:
        return Lookup(slots=[])
    with aws_call("creating a Secrets Manager client", outcome=NOTHING_WRITTEN):
        client = target.client("secretsmanager")
    names = target.inputs.names
    slots = [
        _describe(client, proposal=proposal, secret_id=names.secret_full_name(proposal.secret_name))
        for proposal in wanted
    ]
    return Lookup(slots=slots, client=client)


def _describe(client: Any, *, proposal: Proposal, secret_id: str) -> ValueSlot:
    with aws_call(f"DescribeSecret on {secret_id}", outcome=NOTHING_WRITTEN):
        try:
            described = client.describe_secret(SecretId=secret_id)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
            return ValueSlot(proposal=proposal, secret_id=secret_id, state=MISSING)
    if described.get("DeletedDate"):
        state = DELETED
    elif any(
        "AWSCURRENT" in labels for labels in (described.get("VersionIdsToStages") or {}).values()
    ):
        state = HAS_VALUE
    else:
        state = READY
    return ValueSlot(proposal=proposal, secret_id=secret_id, state=state, arn=described["ARN"])


def put_values(slots: Sequence[ValueSlot], *, client: Any, stack: str) -> int:
    """PutSecretValue into each secret that is ready, one row each; EXIT_FAILED if any is not
    put for a reason the operator must act on (not merely "not deployed yet")."""
    if not slots:
        return EXIT_OK
    print("\nExternal values:")
    failed = False
    for slot in slots:
        outcome, ok = _outcome(slot, client=client, stack=stack)
        failed = failed or not ok
        print(f"  {slot.proposal.variable.name} -> {slot.secret_id}: {outcome}")
    return EXIT_FAILED if failed else EXIT_OK


def _outcome(slot: ValueSlot, *, client: Any, stack: str) -> tuple[str, bool]:
    """The row's text, and whether it went as it should."""
    if slot.state == MISSING:
        return (
            f"not deployed yet: run pulumi up --stack {stack}, then import-env --apply again",
            True,
        )
    if slot.state == DELETED:
        return (
            "not put: scheduled for deletion; aws secretsmanager restore-secret --secret-id "
            f"{slot.secret_id}, then import-env --apply again",
            False,
        )
    if slot.state == HAS_VALUE:
        return "already has a value; left unchanged", True
    outcome = "values put before it are kept, run import-env --apply again"
    with aws_call(f"PutSecretValue on {slot.secret_id}", outcome=outcome):
        try:
            with quiet_botocore():
                version = client.put_secret_value(
                    SecretId=slot.arn, SecretString=slot.proposal.variable.value
                )
        except ClientError as exc:
            return f"not put: {_code(exc)}", False
    return f"value put (version {version['VersionId']})", True


@contextlib.contextmanager
def aws_call(action: str, *, outcome: str) -> Iterator[None]:
    """A call that fails becomes CommandError (exit 1): `AWS: what failed, what to do; outcome`.

    Only AWS's error code and botocore's type names are used: an exception's text may quote
    the request, and a request of PutSecretValue holds a value.
    """
    try:
        yield
    except ClientError as exc:
        raise CommandError(
            f"AWS: {action} {_refusal(exc)}; {outcome}", status=EXIT_FAILED
        ) from None
    except (BotoCoreError, ValueError) as exc:
        raise CommandError(
            f"AWS: {action} failed: {unanswered(exc)}; {outcome}", status=EXIT_FAILED
        ) from None


def _refusal(exc: ClientError) -> str:
    code = _code(exc)
    if code in REJECTED_CREDENTIALS:
        return f"failed: the credentials were rejected ({code}), refresh them (e.g. aws sso login)"
    if code in DENIED:
        return (
            f"was denied ({code}), use credentials of the stack's account that allow it "
            "on the stack's secrets"
        )
    return f"failed ({code}), check the credentials, --region and --endpoint-url"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))
