"""Realistic provider answers for the offline plan: ARNs, ids and generated values."""

from __future__ import annotations

import hashlib
import string
import uuid
from typing import Any

import pulumi

ALPHANUMERIC = string.ascii_letters + string.digits
_NAMESPACE = uuid.UUID("6f1d2c0e-7b0a-4e4e-9a51-2f4f8a9b0c11")


def derived_characters(seed: str, length: int, alphabet: str = ALPHANUMERIC) -> str:
    """`length` characters of `alphabet`, the same for the same seed."""
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{seed}#{counter}".encode()).digest()
        out.extend(alphabet[byte % len(alphabet)] for byte in digest)
        counter += 1
    return "".join(out[:length])


def derived_uuid(seed: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, seed))


class PlanMocks(pulumi.runtime.Mocks):
    """Answers like AWS and pulumi_random would, derived from names so plans are reproducible.

    Secrets get `arn:aws:secretsmanager:{region}:{account}:secret:{name}-{6 characters}`, roles
    `arn:aws:iam::{account}:role{path}{name}` and keys `arn:aws:kms:{region}:{account}:key/{id}`.
    """

    def __init__(self, *, account_id: str, region: str, partition: str = "aws") -> None:
        self.account_id = account_id
        self.region = region
        self.partition = partition

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/plan",
                "userId": "AIDAPLAN",
                "id": self.account_id,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "description": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
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
        answer = _ANSWERS.get(args.typ, PlanMocks._generic)
        resource_id, outputs = answer(self, args.name, inputs)
        return resource_id, {**inputs, **outputs}

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def _secret(self, name: str, inputs: dict) -> tuple[str, dict]:
        full_name = inputs.get("name") or name
        arn = self._arn("secretsmanager", f"secret:{full_name}-{derived_characters(full_name, 6)}")
        return arn, {"arn": arn, "name": full_name}

    def _secret_version(self, name: str, inputs: dict) -> tuple[str, dict]:
        version_id = derived_uuid(f"version:{name}")
        secret_arn = inputs.get("secretId", "")
        return f"{secret_arn}|{version_id}", {
            "arn": secret_arn,
            "versionId": version_id,
            "versionStages": inputs.get("versionStages") or ["AWSCURRENT"],
        }

    def _key(self, name: str, inputs: dict) -> tuple[str, dict]:
        key_id = derived_uuid(f"key:{name}")
        return key_id, {"arn": self._arn("kms", f"key/{key_id}"), "keyId": key_id}

    def _alias(self, name: str, inputs: dict) -> tuple[str, dict]:
        alias = inputs.get("name") or f"alias/{name}"
        return alias, {"arn": self._arn("kms", alias), "targetKeyArn": self._arn("kms", "key/")}

    def _password(self, name: str, inputs: dict) -> tuple[str, dict]:
        alphabet = ALPHANUMERIC + (inputs.get("overrideSpecial") or "")
        result = derived_characters(f"password:{name}", int(inputs.get("length", 16)), alphabet)
        return "none", {"result": result, "bcryptHash": "$2a$10$" + derived_characters(name, 53)}

    def _role(self, name: str, inputs: dict) -> tuple[str, dict]:
        role_name = inputs.get("name") or name
        path = inputs.get("path") or "/"
        arn = f"arn:{self.partition}:iam::{self.account_id}:role{path}{role_name}"
        return role_name, {
            "arn": arn,
            "name": role_name,
            "path": path,
            "uniqueId": "AROA" + derived_characters(arn, 17).upper(),
        }

    def _policy(self, name: str, inputs: dict) -> tuple[str, dict]:
        policy_name = inputs.get("name") or name
        path = inputs.get("path") or "/"
        arn = f"arn:{self.partition}:iam::{self.account_id}:policy{path}{policy_name}"
        return arn, {
            "arn": arn,
            "name": policy_name,
            "path": path,
            "policyId": "ANPA" + derived_characters(arn, 17).upper(),
        }

    def _generic(self, name: str, inputs: dict) -> tuple[str, dict]:
        return f"{name}-id", {"arn": self._arn("mock", name)}


_ANSWERS: dict[str, Any] = {
    "aws:secretsmanager/secret:Secret": PlanMocks._secret,
    "aws:secretsmanager/secretVersion:SecretVersion": PlanMocks._secret_version,
    "aws:kms/key:Key": PlanMocks._key,
    "aws:kms/alias:Alias": PlanMocks._alias,
    "random:index/randomPassword:RandomPassword": PlanMocks._password,
    "aws:iam/role:Role": PlanMocks._role,
    "aws:iam/policy:Policy": PlanMocks._policy,
}
