"""Realistic provider answers for the offline plan: ARNs, ids and generated values."""

from __future__ import annotations

import hashlib
import string
import uuid
from typing import Any

import pulumi

ALPHANUMERIC = string.ascii_letters + string.digits
_NAMESPACE = uuid.UUID("6f1d2c0e-7b0a-4e4e-9a51-2f4f8a9b0c11")


def derived_characters(seed: str, length: int, *, alphabet: str = ALPHANUMERIC) -> str:
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
    `arn:aws:iam::{account}:role{path}{name}` and keys `arn:aws:kms:{region}:{account}:key/{id}`;
    topics `arn:aws:sns:{region}:{account}:{name}`, rules `arn:aws:events:{region}:{account}:
    rule/{name}`, buckets `arn:aws:s3:::{bucket}`, trails `arn:aws:cloudtrail:{region}:{account}:
    trail/{name}`; functions `arn:aws:lambda:{region}:{account}:function:{name}`, log groups
    `arn:aws:logs:{region}:{account}:log-group:{name}`.
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
        result = derived_characters(
            f"password:{name}", int(inputs.get("length", 16)), alphabet=alphabet
        )
        return "none", {"result": result, "bcryptHash": "$2a$10$" + derived_characters(name, 53)}

    def _role(self, name: str, inputs: dict) -> tuple[str, dict]:
        _, outputs = self._iam_entity(
            "role", name, inputs=inputs, id_key="uniqueId", id_prefix="AROA"
        )
        return outputs["name"], outputs

    def _policy(self, name: str, inputs: dict) -> tuple[str, dict]:
        arn, outputs = self._iam_entity(
            "policy", name, inputs=inputs, id_key="policyId", id_prefix="ANPA"
        )
        return arn, outputs

    def _iam_entity(
        self, kind: str, name: str, *, inputs: dict, id_key: str, id_prefix: str
    ) -> tuple[str, dict]:
        """A role or managed policy: `arn:aws:iam::{account}:{kind}{path}{name}` and IAM's id."""
        entity_name = inputs.get("name") or name
        path = inputs.get("path") or "/"
        arn = f"arn:{self.partition}:iam::{self.account_id}:{kind}{path}{entity_name}"
        return arn, {
            "arn": arn,
            "name": entity_name,
            "path": path,
            id_key: id_prefix + derived_characters(arn, 17).upper(),
        }

    def _topic(self, name: str, inputs: dict) -> tuple[str, dict]:
        topic_name = inputs.get("name") or name
        arn = self._arn("sns", topic_name)
        return arn, {"arn": arn, "name": topic_name, "owner": self.account_id}

    def _subscription(self, name: str, inputs: dict) -> tuple[str, dict]:
        topic = inputs.get("topic") or self._arn("sns", name)
        arn = f"{topic}:{derived_uuid(f'subscription:{name}')}"
        return arn, {"arn": arn, "ownerId": self.account_id}

    def _topic_policy(self, name: str, inputs: dict) -> tuple[str, dict]:
        return inputs.get("arn") or name, {"owner": self.account_id}

    def _event_rule(self, name: str, inputs: dict) -> tuple[str, dict]:
        rule_name = inputs.get("name") or name
        arn = self._arn("events", f"rule/{rule_name}")
        return rule_name, {"arn": arn, "name": rule_name, "eventBusName": "default"}

    def _event_target(self, name: str, inputs: dict) -> tuple[str, dict]:
        target_id = inputs.get("targetId") or name
        return f"{inputs.get('rule', name)}-{target_id}", {"targetId": target_id}

    def _bucket(self, name: str, inputs: dict) -> tuple[str, dict]:
        bucket = inputs.get("bucket") or f"{name}-{derived_characters(name, 7).lower()}"
        return bucket, {
            "arn": f"arn:{self.partition}:s3:::{bucket}",
            "bucket": bucket,
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "region": self.region,
        }

    def _bucket_part(self, name: str, inputs: dict) -> tuple[str, dict]:
        """Policies, public access blocks and encryption settings are known by their bucket."""
        return inputs.get("bucket") or name, {}

    def _trail(self, name: str, inputs: dict) -> tuple[str, dict]:
        trail_name = inputs.get("name") or name
        arn = self._arn("cloudtrail", f"trail/{trail_name}")
        return arn, {"arn": arn, "name": trail_name, "homeRegion": self.region}

    def _function(self, name: str, inputs: dict) -> tuple[str, dict]:
        function_name = inputs.get("name") or name
        arn = self._arn("lambda", f"function:{function_name}")
        invoke = f"arn:{self.partition}:apigateway:{self.region}:lambda:path/2015-03-31/functions"
        return function_name, {
            "arn": arn,
            "qualifiedArn": f"{arn}:$LATEST",
            "invokeArn": f"{invoke}/{arn}/invocations",
            "version": "$LATEST",
        }

    def _permission(self, name: str, inputs: dict) -> tuple[str, dict]:
        statement_id = inputs.get("statementId") or f"plan-{derived_characters(name, 12)}"
        return statement_id, {"statementId": statement_id}

    def _log_group(self, name: str, inputs: dict) -> tuple[str, dict]:
        group = inputs.get("name") or name
        return group, {"arn": self._arn("logs", f"log-group:{group}"), "name": group}

    def _secret_rotation(self, name: str, inputs: dict) -> tuple[str, dict]:
        return inputs.get("secretId") or name, {"rotationEnabled": True}

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
    "aws:sns/topic:Topic": PlanMocks._topic,
    "aws:sns/topicPolicy:TopicPolicy": PlanMocks._topic_policy,
    "aws:sns/topicSubscription:TopicSubscription": PlanMocks._subscription,
    "aws:cloudwatch/eventRule:EventRule": PlanMocks._event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": PlanMocks._event_target,
    "aws:s3/bucket:Bucket": PlanMocks._bucket,
    "aws:s3/bucketPolicy:BucketPolicy": PlanMocks._bucket_part,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": PlanMocks._bucket_part,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        PlanMocks._bucket_part
    ),
    "aws:cloudtrail/trail:Trail": PlanMocks._trail,
    "aws:lambda/function:Function": PlanMocks._function,
    "aws:lambda/permission:Permission": PlanMocks._permission,
    "aws:cloudwatch/logGroup:LogGroup": PlanMocks._log_group,
    "aws:secretsmanager/secretRotation:SecretRotation": PlanMocks._secret_rotation,
}
