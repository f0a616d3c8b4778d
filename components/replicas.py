"""The replicas' keys: a multi-region primary key of their own and its replica in each region."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from design.key_policy import key_policy
from design.replicas import replica_key_alias, replica_key_policy, replicated_names
from design.stack_inputs import StackInputs


@dataclass(frozen=True)
class ReplicaKeysArgs:
    alias: str
    """`alias/{prefix}-{env}-replicas`, the primary key's alias in the stack's region. Required."""
    account: AwsAccount
    """Where the primary key lives; every key policy names this account's root. Required."""
    regions: Sequence[str]
    """The replica regions, each getting an `aws.kms.ReplicaKey`. Required (at least one)."""
    deletion_window_days: int = 30
    """Days between scheduling deletion and a key being gone (AWS allows 7-30). Default: 30."""
    protect: bool = False
    """Pulumi `protect` on every key. Default: off (the stack config turns it on in prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the keys. Default: none."""


class ReplicaKeys(pulumi.ComponentResource):
    """A rotating multi-region key, used by no secret in the stack's region, and its replicas.

    A key of its own rather than the stack key made multi-region: `multi_region` cannot change
    on an existing key, and replacing the stack key would leave every deployed secret
    undecryptable. A multi-region key's replicas share its key material and its rotation, so a
    replica stays decryptable in its region if the stack's region is gone; each has its own key
    policy, the stack key's for its region (use only via Secrets Manager there).
    """

    arn: pulumi.Output[str]
    arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ReplicaKeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:replicas:ReplicaKeys", name, None, opts)
        account = args.account.resolved()
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Multi-region key of the replicas of {args.alias.removeprefix('alias/')}",
            enable_key_rotation=True,
            multi_region=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=account.apply(lambda resolved: json.dumps(key_policy(resolved))),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arns = {}
        for region in args.regions:
            # pulumi-aws 7's `region` argument: the replica is managed in that region by the
            # stack's own provider and credentials, with no second provider to configure.
            replica = aws.kms.ReplicaKey(
                f"{name}-{region}",
                primary_key_arn=self.key.arn,
                description=f"Replica in {region} of {args.alias.removeprefix('alias/')}",
                deletion_window_in_days=args.deletion_window_days,
                policy=account.apply(
                    lambda resolved, region=region: json.dumps(replica_key_policy(resolved, region))
                ),
                region=region,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.arns[region] = replica.arn
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn, "arns": self.arns, "aliasName": alias.name})


def stack_replica_keys(
    inputs: StackInputs, *, account: AwsAccount, tags: dict[str, str]
) -> ReplicaKeys | None:
    """The replicas' multi-region key and its replicas, when the stack replicates at all."""
    regions = inputs.settings.replica_regions
    if not replicated_names(inputs.secrets, regions):
        return None
    return ReplicaKeys(
        "replicas",
        ReplicaKeysArgs(
            alias=replica_key_alias(inputs.names),
            account=account,
            regions=regions,
            deletion_window_days=inputs.settings.key_deletion_window_days,
            protect=inputs.settings.protected,
            tags=tags,
        ),
    )


def replica_outputs(
    secret_replica_arns: Mapping[str, pulumi.Output[dict[str, str]]],
    replica_keys: ReplicaKeys | None,
) -> dict[str, Any]:
    """The stack outputs of the replicas (README: Stack outputs); none without replicas."""
    if replica_keys is None:
        return {}
    return {
        "secretReplicaArns": dict(secret_replica_arns),
        "replicaKeyArn": replica_keys.arn,
        "replicaKeyArns": replica_keys.arns,
    }
