"""One catalog secret: the Secrets Manager secret, its value and where the value comes from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.catalog import GenerateSpec, SecretSpec

ROTATED_VALUE_FIELDS = ("secretString", "versionStages")
"""What `pulumi up` must never revert on a rotated secret: rotation moves both."""


@dataclass(frozen=True)
class CatalogSecretArgs:
    full_name: str
    """`{prefix}/{env}/{name}`."""
    spec: SecretSpec
    """The catalog entry: description, value source, rotation."""
    kms_key_arn: pulumi.Input[str]
    recovery_window_days: int = 30
    """Days a deleted secret stays restorable; 0 deletes at once. Default: 30, AWS's own."""
    tags: Mapping[str, str] = field(default_factory=dict)
    config_values: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    """Stack config values by key, for `config:` sources. Each must be a Pulumi secret."""
    protect: bool = False
    """Pulumi `protect` on the secret. Default: off."""


class CatalogSecret(pulumi.ComponentResource):
    """A secret encrypted with the stack key, and a first value unless it is external.

    Generated values come from RandomPassword and stay stable until the catalog's
    `generate.generation` changes. External secrets get no SecretVersion: the stack never
    writes or reads their value. Rotated secrets keep their SecretVersion for the initial value
    only; `ignore_changes` stops `pulumi up` from reverting a rotation.
    """

    arn: pulumi.Output[str]
    secret_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: CatalogSecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:secrets:CatalogSecret", name, None, opts)
        self.secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            name=args.full_name,
            description=args.spec.description,
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=args.recovery_window_days,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        value = self._value(name, args)
        self.version = None
        if value is not None:
            self.version = aws.secretsmanager.SecretVersion(
                f"{name}-value",
                secret_id=self.secret.id,
                secret_string=value,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    ignore_changes=list(ROTATED_VALUE_FIELDS) if args.spec.rotation else None,
                ),
            )
        self.arn = self.secret.arn
        self.secret_name = self.secret.name
        self.register_outputs({"arn": self.arn, "name": self.secret_name})

    def _value(self, name: str, args: CatalogSecretArgs) -> pulumi.Output[str] | None:
        spec = args.spec
        if spec.generate is not None:
            return self._generated(f"{name}-password", spec.generate)
        if spec.config is not None:
            return pulumi.Output.secret(args.config_values[spec.config])
        if spec.fields is not None:
            parts: dict[str, pulumi.Input[str | int | bool]] = {}
            for key, source in spec.fields.items():
                if source.generate is not None:
                    parts[key] = self._generated(f"{name}-{key}-password", source.generate)
                elif source.config is not None:
                    parts[key] = args.config_values[source.config]
                else:
                    assert source.value is not None
                    parts[key] = source.value
            return pulumi.Output.secret(pulumi.Output.all(**parts).apply(json.dumps))
        return None

    def _generated(self, resource_name: str, generate: GenerateSpec) -> pulumi.Output[str]:
        specials = generate.specials
        password = random.RandomPassword(
            resource_name,
            length=generate.length,
            special=bool(specials),
            override_special=specials or None,
            keepers={"generation": str(generate.generation)},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return pulumi.Output.secret(password.result)
