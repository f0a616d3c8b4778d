"""Secrets Manager's IAM actions, and which of them accept a secret's ARN as resource."""

from __future__ import annotations

# Every secretsmanager IAM action, as listed in parliament's iam_definition.json (a test checks it).
SECRETSMANAGER_ACTIONS: tuple[str, ...] = (
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:ListSecrets",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:ValidateResourcePolicy",
)
# Actions without resource-level permissions: a policy must grant them on Resource "*".
STAR_RESOURCE_ACTIONS: tuple[str, ...] = (
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:ListSecrets",
)
# Actions that apply to one secret's ARN (resource type "Secret").
SECRET_RESOURCE_ACTIONS: tuple[str, ...] = tuple(
    action for action in SECRETSMANAGER_ACTIONS if action not in STAR_RESOURCE_ACTIONS
)
