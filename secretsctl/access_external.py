"""The access report's principals of other accounts: what the stack's policies let them do."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_model.iam_actions import SECRET_RESOURCE_ACTIONS
from aws_model.iam_cross_account import cross_account_allowed_actions

GET_SECRET_VALUE = "secretsmanager:GetSecretValue"
CONSUMER_GRANTS_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
"""The other account's identity policy is not the stack's to know: assume it grants everything,
so that the report shows the most the stack's resource and key policies allow."""


def external_access(plan: Mapping[str, Any], secrets: list[Any]) -> list[dict[str, Any]]:
    """`{role, secret, actions, external: true}` for every principal of another account that a
    secret's resource policy names. GetSecretValue counts only where the key policy also lets
    the principal decrypt that secret's value through Secrets Manager."""
    account = plan["account"]
    keys = _key_policies(plan)
    principals = sorted(
        {
            principal
            for secret in secrets
            for principal in _named_principals(secret.resource_policy)
            if _account(principal) not in (None, account)
        }
    )
    report = []
    for principal in principals:
        for secret in secrets:
            actions = _actions(plan, principal, secret=secret, keys=keys)
            if actions:
                report.append(
                    {"role": principal, "secret": secret.name, "actions": actions, "external": True}
                )
    return report


def _actions(
    plan: Mapping[str, Any], principal: str, *, secret: Any, keys: Mapping[str, tuple[str, str]]
) -> list[str]:
    context = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": _account(principal),
        "secretsmanager:SecretId": secret.arn,
    }
    actions = cross_account_allowed_actions(
        SECRET_RESOURCE_ACTIONS,
        principal_arn=principal,
        resource_arn=secret.arn,
        context=context,
        identity_policies=[CONSUMER_GRANTS_ALL],
        resource_policy=secret.resource_policy,
    )
    if GET_SECRET_VALUE in actions and not _decrypts(plan, principal, secret=secret, keys=keys):
        actions.remove(GET_SECRET_VALUE)
    return actions


def _decrypts(
    plan: Mapping[str, Any], principal: str, *, secret: Any, keys: Mapping[str, tuple[str, str]]
) -> bool:
    """kms:Decrypt of the secret's key, as Secrets Manager calls it for GetSecretValue: with the
    caller's credentials, `kms:ViaService` and the value's `SecretARN` encryption context."""
    key = keys.get(secret.kms_key_id or "")
    if key is None:
        return False
    key_arn, policy = key
    context = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": _account(principal),
        "kms:ViaService": f"secretsmanager.{plan['region']}.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secret.arn,
        "kms:CallerAccount": _account(principal),
    }
    return bool(
        cross_account_allowed_actions(
            ["kms:Decrypt"],
            principal_arn=principal,
            resource_arn=key_arn,
            context=context,
            identity_policies=[CONSUMER_GRANTS_ALL],
            resource_policy=policy,
        )
    )


def _key_policies(plan: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Key ARN (and key id) -> (ARN, policy) of every planned KMS key."""
    found = {}
    for resource in plan["resources"]:
        if resource["type"] != "aws:kms/key:Key":
            continue
        outputs, policy = resource["outputs"], resource["inputs"].get("policy")
        if policy and outputs.get("arn"):
            for reference in (outputs["arn"], outputs.get("keyId")):
                if reference:
                    found[reference] = (outputs["arn"], policy)
    return found


def _named_principals(document: str | None) -> set[str]:
    if not document:
        return set()
    statements = json.loads(document).get("Statement", [])
    found: set[str] = set()
    for statement in [statements] if isinstance(statements, dict) else statements:
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, dict):
            continue
        values = principal.get("AWS", [])
        found |= {values} if isinstance(values, str) else set(values)
    return found


def _account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" and parts[4] else None
