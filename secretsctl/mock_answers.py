"""What the offline plan's mock provider answers per resource type: ids, ARNs, computed values.

Each answer follows the id and ARN format pulumi-aws (the Terraform AWS provider) reports for
the type, as its docstring says; `place` carries the partition, region and account.
"""

from __future__ import annotations

import hashlib
import re
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from design.arns import Account

ALPHANUMERIC = string.ascii_letters + string.digits
DEFAULT_EVENT_BUS = "default"
_NAMESPACE = uuid.UUID("6f1d2c0e-7b0a-4e4e-9a51-2f4f8a9b0c11")

Answer = Callable[[Account, str, dict], tuple[str, dict]]
"""`(where the resource lives, its logical name, its inputs) -> (id, outputs)`."""


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


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _name(inputs: Mapping[str, Any], key: str, default: str) -> str:
    return text(inputs.get(key)) or default


# --- Secrets Manager, KMS, random ----------------------------------------------------------


def _secret(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`secret:{name}-{6 random characters}`; the id is the ARN."""
    full_name = _name(inputs, "name", name)
    arn = place.arn("secretsmanager", f"secret:{full_name}-{derived_characters(full_name, 6)}")
    return arn, {"arn": arn, "name": full_name}


def _secret_version(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """The id is `{secret ARN}|{version id}` (the provider's import format)."""
    version_id = derived_uuid(f"version:{name}")
    secret_arn = inputs.get("secretId", "")
    return f"{secret_arn}|{version_id}", {
        "arn": secret_arn,
        "versionId": version_id,
        "versionStages": inputs.get("versionStages") or ["AWSCURRENT"],
    }


def _by_secret(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """SecretPolicy and SecretRotation have no ARN of their own; the id is the secret's ARN."""
    return _name(inputs, "secretArn", _name(inputs, "secretId", name)), {}


def _secret_rotation(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    resource_id, _ = _by_secret(place, name, inputs)
    return resource_id, {"rotationEnabled": True}


def _key(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`key/{key id}`; the id is the key id, a UUID, or `mrk-` and 32 hex for a multi-region
    key (whose replicas share it)."""
    key_id = derived_uuid(f"key:{name}")
    if inputs.get("multiRegion"):
        key_id = "mrk-" + key_id.replace("-", "")
    return key_id, {"arn": place.arn("kms", f"key/{key_id}"), "keyId": key_id}


def _replica_key(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """A multi-region key's replica: the primary's key id, an ARN of the replica's region."""
    primary = text(inputs.get("primaryKeyArn")) or f"key/mrk-{derived_uuid(name).replace('-', '')}"
    key_id = primary.rsplit("/", 1)[1]
    return key_id, {"arn": place.arn("kms", f"key/{key_id}"), "keyId": key_id, "enabled": True}


def _alias(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`alias/{name}`, an ARN of KMS; the id is the alias name."""
    alias = _name(inputs, "name", f"alias/{name}")
    target = text(inputs.get("targetKeyId")) or derived_uuid(f"key:{name}")
    target_arn = target if target.startswith("arn:") else place.arn("kms", f"key/{target}")
    return alias, {"arn": place.arn("kms", alias), "targetKeyArn": target_arn}


def _password(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """pulumi_random's RandomPassword: its id is always `none`."""
    alphabet = ALPHANUMERIC + (inputs.get("overrideSpecial") or "")
    result = derived_characters(
        f"password:{name}", int(inputs.get("length", 16)), alphabet=alphabet
    )
    return "none", {"result": result, "bcryptHash": "$2a$10$" + derived_characters(name, 53)}


# --- IAM: global, so no region in any ARN ---------------------------------------------------


def _role(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`role{path}{name}`, unique id `AROA...`; the id is the role name."""
    outputs = _iam_entity(place, "role", name, inputs=inputs, id_key="uniqueId", id_prefix="AROA")
    return outputs["name"], outputs


def _policy(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`policy{path}{name}`, policy id `ANPA...`; the id is the ARN."""
    outputs = _iam_entity(place, "policy", name, inputs=inputs, id_key="policyId", id_prefix="ANPA")
    return outputs["arn"], outputs


def _iam_entity(
    place: Account, kind: str, name: str, *, inputs: dict, id_key: str, id_prefix: str
) -> dict:
    entity_name = _name(inputs, "name", name)
    path = _name(inputs, "path", "/")
    arn = place.arn("iam", f"{kind}{path}{entity_name}")
    return {
        "arn": arn,
        "name": entity_name,
        "path": path,
        id_key: id_prefix + derived_characters(arn, 17).upper(),
    }


def _oidc_provider(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`oidc-provider/{url without https://}`; the id is the ARN (the provider's import form).

    Trust policies name this ARN, so the guardrails recognise the stack's own CI roles by it.
    """
    url = _name(inputs, "url", name)
    issuer = re.sub(r"^https://", "", url).rstrip("/")
    arn = place.arn("iam", f"oidc-provider/{issuer}")
    return arn, {"arn": arn}


def _role_policy(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """An inline policy has no ARN; the id is `{role name}:{policy name}`."""
    policy_name = _name(inputs, "name", f"{name}-{derived_characters(name, 8).lower()}")
    return f"{_name(inputs, 'role', name)}:{policy_name}", {"name": policy_name}


def _role_policy_attachment(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """No ARN; the id is `{role}-` and a 26-digit unique id, as the provider generates."""
    role = _name(inputs, "role", name)
    seed = f"attachment:{role}:{inputs.get('policyArn')}"
    return f"{role}-{derived_characters(seed, 26, alphabet=string.digits)}", {}


# --- SNS, EventBridge, Access Analyzer ------------------------------------------------------


def _topic(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`arn:...:sns:{region}:{account}:{name}`; the id is the ARN."""
    topic_name = _name(inputs, "name", name)
    arn = place.arn("sns", topic_name)
    return arn, {"arn": arn, "name": topic_name, "owner": place.account_id}


def _subscription(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`{topic ARN}:{UUID}`; the id is the ARN."""
    topic = _name(inputs, "topic", place.arn("sns", name))
    arn = f"{topic}:{derived_uuid(f'subscription:{name}')}"
    return arn, {"arn": arn, "ownerId": place.account_id}


def _topic_policy(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """No ARN of its own (`arn` is the topic's, an input); the id is the topic ARN."""
    return _name(inputs, "arn", name), {"owner": place.account_id}


def _bus_name(inputs: Mapping[str, Any]) -> str:
    """`eventBusName` takes a name or an ARN (`...:event-bus/{name}`); omitted, the default."""
    bus = _name(inputs, "eventBusName", DEFAULT_EVENT_BUS)
    return bus.rsplit("event-bus/", 1)[-1]


def _event_rule(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`rule/{name}`, or `rule/{bus}/{name}` on another bus; the id is `[{bus}/]{name}`."""
    rule_name = _name(inputs, "name", name)
    bus = _bus_name(inputs)
    path = rule_name if bus == DEFAULT_EVENT_BUS else f"{bus}/{rule_name}"
    return path, {
        "arn": place.arn("events", f"rule/{path}"),
        "name": rule_name,
        "eventBusName": inputs.get("eventBusName") or DEFAULT_EVENT_BUS,
    }


def _event_target(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """No ARN of its own (`arn` is the target's, an input); the id is `[{bus}-]{rule}-{id}`."""
    target_id = _name(inputs, "targetId", name)
    bus = _bus_name(inputs)
    parts = [_name(inputs, "rule", name), target_id]
    return "-".join(parts if bus == DEFAULT_EVENT_BUS else [bus, *parts]), {"targetId": target_id}


def _event_bus(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`event-bus/{name}`; the id is the name."""
    bus = _name(inputs, "name", name)
    return bus, {"arn": place.arn("events", f"event-bus/{bus}"), "name": bus}


def _event_bus_policy(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """No ARN; the id is the bus name."""
    return _bus_name(inputs), {}


def _analyzer(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`arn:...:access-analyzer:{region}:{account}:analyzer/{name}`; the id is the name."""
    analyzer = _name(inputs, "analyzerName", name)
    arn = place.arn("access-analyzer", f"analyzer/{analyzer}")
    return analyzer, {"arn": arn, "analyzerName": analyzer}


# --- S3 and CloudTrail ----------------------------------------------------------------------


def _bucket(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`arn:aws:s3:::{bucket}`: no region, no account; the id is the bucket name."""
    bucket = _name(inputs, "bucket", f"{name}-{derived_characters(name, 7).lower()}")
    return bucket, {
        "arn": f"arn:{place.partition}:s3:::{bucket}",
        "bucket": bucket,
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{place.region}.amazonaws.com",
        "region": place.region,
    }


def _bucket_part(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """Policies, public access blocks and encryption settings: no ARN; the id is the bucket."""
    return _name(inputs, "bucket", name), {}


def _trail(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`trail/{name}`; the id is the ARN."""
    trail_name = _name(inputs, "name", name)
    arn = place.arn("cloudtrail", f"trail/{trail_name}")
    return arn, {"arn": arn, "name": trail_name, "homeRegion": place.region}


# --- Lambda, logs, ECS ----------------------------------------------------------------------


def _function(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`function:{name}`, unpublished (`$LATEST`); the id is the function name."""
    function_name = _name(inputs, "name", name)
    arn = place.arn("lambda", f"function:{function_name}")
    invoke = f"arn:{place.partition}:apigateway:{place.region}:lambda:path/2015-03-31/functions"
    return function_name, {
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"{invoke}/{arn}/invocations",
        "qualifiedInvokeArn": f"{invoke}/{arn}:$LATEST/invocations",
        "version": "$LATEST",
    }


def _permission(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """A statement of the function's policy, no ARN; the id is the statement id."""
    statement_id = _name(inputs, "statementId", f"plan-{derived_characters(name, 12)}")
    return statement_id, {"statementId": statement_id}


def _log_group(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`log-group:{name}`: the provider drops the `:*` DescribeLogGroups appends; id: the name."""
    group = _name(inputs, "name", name)
    return group, {"arn": place.arn("logs", f"log-group:{group}"), "name": group}


def _task_definition(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`task-definition/{family}:{revision}`, the first revision; the id is the family."""
    family = _name(inputs, "family", name)
    without_revision = place.arn("ecs", f"task-definition/{family}")
    return family, {
        "arn": f"{without_revision}:1",
        "arnWithoutRevision": without_revision,
        "revision": 1,
    }


# --- Step Functions ------------------------------------------------------------------------


def _state_machine(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
    """`stateMachine:{name}` (a colon, not a slash); the id is the ARN, as the provider sets."""
    machine = _name(inputs, "name", name)
    arn = place.arn("states", f"stateMachine:{machine}")
    return arn, {
        "arn": arn,
        "name": machine,
        "status": "ACTIVE",
        "revisionId": derived_uuid(f"revision:{arn}"),
        "stateMachineVersionArn": "",
    }


def guessed(type_token: str) -> Answer:
    """A type with no answer yet: `{service}:{region}:{account}:{type}/{name}`, a best guess.

    tests/secretsctl/test_mocks.py fails for any type of a realistic plan that lands here.
    """
    module = type_token.split(":")[1].split("/")[0] if type_token.count(":") >= 2 else "unknown"
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", type_token.rsplit(":", 1)[-1]).lower()

    def answer(place: Account, name: str, inputs: dict) -> tuple[str, dict]:
        return name, {"arn": place.arn(module, f"{kind}/{_name(inputs, 'name', name)}")}

    return answer


ANSWERS: dict[str, Answer] = {
    "aws:accessanalyzer/analyzer:Analyzer": _analyzer,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:cloudwatch/eventBus:EventBus": _event_bus,
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": _event_bus_policy,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:iam/policy:Policy": _policy,
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _role_policy_attachment,
    "aws:kms/alias:Alias": _alias,
    "aws:kms/key:Key": _key,
    "aws:kms/replicaKey:ReplicaKey": _replica_key,
    "aws:lambda/function:Function": _function,
    "aws:lambda/permission:Permission": _permission,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_part,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_part,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_part
    ),
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretPolicy:SecretPolicy": _by_secret,
    "aws:secretsmanager/secretRotation:SecretRotation": _secret_rotation,
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:sns/topic:Topic": _topic,
    "aws:sns/topicPolicy:TopicPolicy": _topic_policy,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "random:index/randomPassword:RandomPassword": _password,
}
"""Each resource type's answer, with the id and ARN formats of pulumi-aws (see each docstring)."""
