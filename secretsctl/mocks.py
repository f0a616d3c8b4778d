"""The offline plan's mock provider: realistic, reproducible answers in each resource's region."""

from __future__ import annotations

import json

import pulumi

from design.arns import Account
from secretsctl.mock_answers import (
    ALPHANUMERIC,
    ANSWERS,
    derived_characters,
    derived_uuid,
    guessed,
    text,
)

__all__ = ["ALPHANUMERIC", "ANSWERS", "PlanMocks", "derived_characters", "derived_uuid"]
PROVIDER_PREFIX = "pulumi:providers:"


def provider_reference_id(reference: str | None) -> str | None:
    """The id part of a provider reference, which the SDK sends as `{urn}::{id}`."""
    if not reference or "::" not in reference:
        return None
    return reference.rsplit("::", 1)[1]


class PlanMocks(pulumi.runtime.Mocks):
    """Answers like AWS and pulumi_random would, derived from names so plans are reproducible.

    Every type the program declares has an answer in `ANSWERS` with the id and ARN format the
    AWS provider reports (see each answer). A regional ARN carries the region the resource is
    deployed to: its own `region` input (pulumi-aws 7), else the `region` of the explicit
    `pulumi:providers:aws` it names, else the stack's. IAM's CloudTrail events arrive in
    us-east-1 only, so the stack puts the rules on them there.
    """

    def __init__(self, *, account_id: str, region: str, partition: str = "aws") -> None:
        self.account_id = account_id
        self.region = region
        self.partition = partition
        self._provider_regions: dict[str, str] = {}
        """The `region` input of each explicit provider, by the id in its references."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        region = text(args.args.get("region")) or self.region_of(args.provider)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/plan",
                "userId": "AIDAPLAN",
                "id": self.account_id,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "name": region,
                "region": region,
                "id": region,
                "description": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "partition": self.partition,
                "dnsSuffix": "amazonaws.com",
                "id": self.partition,
                "reverseDnsPrefix": "com.amazonaws",
            }
        return {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        if args.typ.startswith(PROVIDER_PREFIX):
            return self._provider(args.name, inputs), inputs
        if args.custom is False:  # a component: the engine gives it no id and no outputs
            return "", inputs
        place = Account(
            partition=self.partition,
            region=text(inputs.get("region")) or self.region_of(args.provider),
            account_id=self.account_id,
        )
        answer = ANSWERS.get(args.typ) or guessed(args.typ)
        resource_id, outputs = answer(place, args.name, inputs)
        return resource_id, {**inputs, **outputs}

    def region_of(self, provider_reference: str | None) -> str:
        """The region of the provider a resource or call names; the stack's by default."""
        provider_id = provider_reference_id(provider_reference)
        return self._provider_regions.get(provider_id or "", self.region)

    def _provider(self, name: str, inputs: dict) -> str:
        """A provider's id, a UUID as the engine gives; its region is kept for its resources.

        Providers register before anything that names them (the SDK waits for the reference),
        so the region is known when their resources arrive.
        """
        provider_id = derived_uuid(f"provider:{name}:{json.dumps(inputs, sort_keys=True)}")
        region = text(inputs.get("region"))
        if region:
            self._provider_regions[provider_id] = region
        return provider_id
