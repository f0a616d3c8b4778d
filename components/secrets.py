"""The stack's secrets: each Secrets Manager secret, its value and where the value comes from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from design.replicas import replica_arns
from design.rotation import rotates_first_value
from inputs.catalog import GenerateSpec, SecretSpec, is_arn

ROTATED_VALUE_FIELDS = ("secretString", "versionStages")
MASTER_ARN_FIELD = "masterarn"
"""What `pulumi up` must never revert on a rotated secret: rotation moves both."""


@dataclass(frozen=True)
class SecretEntry:
    full_name: str
    """`{prefix}/{env}/{name}` (Secrets Manager allows 512 characters). Required."""
    spec: SecretSpec
    """The catalog entry: description, value source, rotation. Required."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The secret's tags (Secrets Manager allows 50). Default: none."""
    master: str | None = None
    """The master of an alternating-users rotation in this environment: a catalog name or a
    secret ARN (one RDS manages). A `fields` value gets its ARN as `masterarn`. Default: none."""


@dataclass(frozen=True)
class SecretStoreArgs:
    secrets: Mapping[str, SecretEntry]
    """Catalog name -> what to declare. Required (may be empty)."""
    kms_key_arn: pulumi.Input[str]
    """The customer-managed key every secret is encrypted with. Required."""
    recovery_window_days: int = 30
    """Days a deleted secret stays restorable; 0 deletes at once. Default: 30, AWS's own."""
    config_values: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    """Stack config values by key, for `config:` sources; each is written as a Pulumi secret.
    Default: none (then no secret may have a `config:` source)."""
    protect: bool = False
    """Pulumi `protect` on every secret. Default: off."""
    resource_policy: pulumi.Input[str] | None = None
    """The resource policy (JSON) of every secret, public policies blocked. Default: none."""
    replica_key_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Replica region -> the key the replicas there are encrypted with. Default: none, and no
    secret is replicated."""
    replicated: frozenset[str] = frozenset()
    """Catalog names of the secrets replicated to every region of `replica_key_arns`.
    Default: none."""
    resource_policies: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Catalog name -> the resource policy (JSON) of that secret instead of `resource_policy`:
    a secret shared with another account (design/sharing.py). Default: none."""


class SecretStore(pulumi.ComponentResource):
    """Every secret of the stack, encrypted with the stack key, with a first value unless external.

    Per secret (children named after the catalog name): the `-secret`, its `-policy`, a
    `-value` SecretVersion, and a `-password` RandomPassword per generated value. Generated
    values stay stable until the catalog's `generate.generation` changes. External secrets get
    no SecretVersion: the stack never writes or reads their value. Neither do generated `token`
    secrets with rotation: their first value is made by their rotation function, in AWS
    (`design.rotation.rotates_first_value`). Other rotated secrets keep their SecretVersion for
    the first value only; `ignore_changes` stops `pulumi up` from reverting a rotation.

    One component holds them all, rather than one per secret: at 1,000 secrets that is 1,000
    fewer registrations for every preview.
    """

    arns: dict[str, pulumi.Output[str]]
    names: dict[str, pulumi.Output[str]]
    versions: dict[str, aws.secretsmanager.SecretVersion]
    policies: dict[str, aws.secretsmanager.SecretPolicy]
    replica_arns: dict[str, pulumi.Output[dict[str, str]]]

    def __init__(
        self, name: str, args: SecretStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:secrets:SecretStore", name, None, opts)
        self.arns, self.names, self.versions, self.policies = {}, {}, {}, {}
        self.replica_arns = {}
        secrets = {
            secret_name: self._declare(secret_name, entry, args=args)
            for secret_name, entry in args.secrets.items()
        }
        # Values second: an alternating-users value names its master secret's ARN.
        for secret_name, entry in args.secrets.items():
            self._declare_value(secret_name, secrets[secret_name], entry=entry, args=args)
        self.register_outputs(
            {"arns": self.arns, "names": self.names, "replicaArns": self.replica_arns}
        )

    def _declare(
        self, name: str, entry: SecretEntry, *, args: SecretStoreArgs
    ) -> aws.secretsmanager.Secret:
        child = pulumi.ResourceOptions(parent=self)
        secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            name=entry.full_name,
            description=entry.spec.description,
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=args.recovery_window_days,
            tags=dict(entry.tags),
            **_replication(name, args),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.arns[name] = secret.arn
        if name in args.replicated and args.replica_key_arns:
            regions = tuple(args.replica_key_arns)
            self.replica_arns[name] = secret.arn.apply(lambda arn: replica_arns(arn, regions))
        self.names[name] = secret.name
        policy = args.resource_policies.get(name, args.resource_policy)
        if policy is not None:
            self.policies[name] = aws.secretsmanager.SecretPolicy(
                f"{name}-policy",
                secret_arn=secret.arn,
                policy=policy,
                block_public_policy=True,
                opts=child,
            )
        return secret

    def _declare_value(
        self,
        name: str,
        secret: aws.secretsmanager.Secret,
        *,
        entry: SecretEntry,
        args: SecretStoreArgs,
    ) -> None:
        value = self._value(name, entry.spec, args=args)
        if value is not None:
            self.versions[name] = aws.secretsmanager.SecretVersion(
                f"{name}-value",
                secret_id=secret.id,
                secret_string=value,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    ignore_changes=list(ROTATED_VALUE_FIELDS) if entry.spec.rotation else None,
                ),
            )

    def _value(
        self, name: str, spec: SecretSpec, *, args: SecretStoreArgs
    ) -> pulumi.Output[str] | None:
        if rotates_first_value(spec):
            return None
        if spec.generate is not None:
            return self._generated(f"{name}-password", spec.generate)
        if spec.config is not None:
            return pulumi.Output.secret(args.config_values[spec.config])
        if spec.fields is not None:
            master = args.secrets[name].master
            parts: dict[str, pulumi.Input[str | int | bool]] = {}
            for key, source in spec.fields.items():
                if source.generate is not None:
                    parts[key] = self._generated(f"{name}-{key}-password", source.generate)
                elif source.config is not None:
                    parts[key] = args.config_values[source.config]
                else:
                    assert source.value is not None
                    parts[key] = source.value
            if master is not None:
                # The alternating-users rotation finds its master credentials here, as AWS's
                # own rotation functions do.
                parts[MASTER_ARN_FIELD] = master if is_arn(master) else self.arns[master]
            return pulumi.Output.secret(pulumi.Output.all(**parts).apply(json.dumps))
        return None

    def _generated(self, resource_name: str, generate: GenerateSpec) -> pulumi.Output[str]:
        specials = generate.specials
        password = random.RandomPassword(
            resource_name,
            length=generate.length,
            special=bool(specials),
            override_special=specials or None,
            upper=generate.upper,
            lower=generate.lower,
            numeric=generate.numeric,
            keepers={"generation": str(generate.generation)},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return pulumi.Output.secret(password.result)


def _replication(name: str, args: SecretStoreArgs) -> dict:
    """The replica blocks of a replicated secret; none at all otherwise, so that a stack without
    `replicaRegions` declares exactly what it did before."""
    if name not in args.replicated or not args.replica_key_arns:
        return {}
    return {
        "replicas": [
            aws.secretsmanager.SecretReplicaArgs(region=region, kms_key_id=key_arn)
            for region, key_arn in args.replica_key_arns.items()
        ],
        # Never take over a secret of the same name someone made in a replica region.
        "force_overwrite_replica_secret": False,
    }
