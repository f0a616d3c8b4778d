"""The CI identities' policies: ci-deploy runs `pulumi up` for one stack, ci-preview reads it."""

from __future__ import annotations

from dataclasses import dataclass

from design.arns import Account
from design.iam import (
    GITHUB_OIDC_HOST,
    KMS_ENCRYPT_DECRYPT,
    document,
    kms_via_secrets_manager,
)
from design.naming import CI_ROLE_PATH, StackNames

SECRET_MANAGE_ACTIONS = (
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:ValidateResourcePolicy",
)
"""What `pulumi up` does to the stack's secrets; DeleteSecret is added outside prod."""
SECRET_DESCRIBE_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:ListSecretVersionIds",
)
KEY_MANAGE_ACTIONS = (
    "kms:DescribeKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
)
KEY_DESCRIBE_ACTIONS = (
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
)
ROLE_READ_ACTIONS = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
)
POLICY_READ_ACTIONS = ("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions")
BOUNDED_ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
"""Allowed only while the role carries the stack's boundary (`iam:PermissionsBoundary`)."""
ROLE_MANAGE_ACTIONS = (
    "iam:DeleteRole",
    "iam:ListInstanceProfilesForRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
POLICY_MANAGE_ACTIONS = (
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)
PASSED_TO_SERVICES = ("ecs-tasks.amazonaws.com", "lambda.amazonaws.com")
TASK_DEFINITION_ACTIONS = (
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
    "ecs:RegisterTaskDefinition",
    "ecs:TagResource",
)
LOG_GROUP_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:ListTagsForResource",
    "logs:PutRetentionPolicy",
    "logs:TagResource",
    "logs:UntagResource",
)
BOUNDARY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:SetDefaultPolicyVersion",
)
"""Denied on the boundary and on the stack's roles, whatever else allows them."""
PREVIEW_DENIED = (
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:DeleteSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
    "kms:Decrypt",
    "kms:ScheduleKeyDeletion",
    "iam:DeletePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "ecs:DeregisterTaskDefinition",
    "logs:DeleteLogGroup",
)
"""Denied outright, so a later grant elsewhere cannot give ci-preview a value or a deletion."""


def github_subjects(
    repository: str, *, deploy_branch: str, deploy_environment: str | None
) -> tuple[str, str]:
    """The OIDC `sub` each role trusts: pull requests; the deploy branch or environment."""
    preview = f"repo:{repository}:pull_request"
    if deploy_environment:
        return preview, f"repo:{repository}:environment:{deploy_environment}"
    return preview, f"repo:{repository}:ref:refs/heads/{deploy_branch}"


@dataclass(frozen=True)
class StackScope:
    """What the CI roles may touch: the stack's names and paths, its boundary, prod or not."""

    names: StackNames
    boundary_arn: str
    production: bool

    def secrets(self, account: Account) -> str:
        return account.arn("secretsmanager", f"secret:{self.names.secret_path}*")

    def key_tags(self) -> dict[str, str]:
        """The conditions that pick the stack's own keys: the tags every resource carries."""
        return {
            "aws:ResourceTag/Project": self.names.prefix,
            "aws:ResourceTag/Environment": self.names.environment,
        }

    def request_tags(self) -> dict[str, str]:
        """The same tags on a key being created."""
        return {
            "aws:RequestTag/Project": self.names.prefix,
            "aws:RequestTag/Environment": self.names.environment,
        }

    def roles(self, account: Account) -> str:
        return account.arn("iam", f"role{self.names.workload_path}*")

    def policies(self, account: Account) -> str:
        return account.arn("iam", f"policy{self.names.workload_path}*")

    def log_groups(self, account: Account) -> list[str]:
        return [
            account.arn("logs", f"log-group:{self.names.service_log_group_pattern}"),
            account.arn("logs", f"log-group:{self.names.lambda_log_group_pattern}"),
        ]


def _allow(sid: str, actions: str | list[str], *, resource: str | list[str], **condition) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def ci_deploy_policy(account: Account, scope: StackScope, *, key_arn: str) -> dict:
    """`pulumi up` for this stack only. Roles it creates must carry the stack's boundary."""
    statements = [
        *_deploy_secret_statements(account, scope, key_arn=key_arn),
        *_deploy_key_statements(account, scope),
        *_deploy_iam_statements(account, scope),
        *_deploy_task_and_log_statements(account, scope),
        _boundary_stays(account, scope),
    ]
    if scope.production:
        statements.append(_no_deletion_in_prod())
    return document(statements)


def _deploy_secret_statements(account: Account, scope: StackScope, *, key_arn: str) -> list[dict]:
    actions = list(SECRET_MANAGE_ACTIONS)
    if not scope.production:
        actions.append("secretsmanager:DeleteSecret")
    return [
        _allow("ManageStackSecrets", sorted(actions), resource=scope.secrets(account)),
        _allow("ListSecrets", "secretsmanager:ListSecrets", resource="*"),
        kms_via_secrets_manager(key_arn, account.region, actions=KMS_ENCRYPT_DECRYPT),
    ]


def _deploy_key_statements(account: Account, scope: StackScope) -> list[dict]:
    actions = list(KEY_MANAGE_ACTIONS)
    if not scope.production:
        actions.append("kms:ScheduleKeyDeletion")
    return [
        _allow("CreateTaggedKey", "kms:CreateKey", resource="*", StringEquals=scope.request_tags()),
        _allow(
            "ManageStackKey",
            sorted(actions),
            resource=account.arn("kms", "key/*"),
            StringEquals=scope.key_tags(),
        ),
        # Alias actions need the alias and the key; an alias carries no tags to condition on.
        _allow(
            "ManageStackAlias",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            resource=[account.arn("kms", scope.names.key_alias), account.arn("kms", "key/*")],
        ),
        _allow("ListKeys", "kms:ListAliases", resource="*"),
    ]


def _deploy_iam_statements(account: Account, scope: StackScope) -> list[dict]:
    roles = scope.roles(account)
    return [
        _allow(
            "CreateBoundedRoles",
            list(BOUNDED_ROLE_ACTIONS),
            resource=roles,
            StringEquals={"iam:PermissionsBoundary": scope.boundary_arn},
        ),
        _allow("ManageStackRoles", [*ROLE_READ_ACTIONS, *ROLE_MANAGE_ACTIONS], resource=roles),
        _allow(
            "PassStackRoles",
            "iam:PassRole",
            resource=roles,
            StringEquals={"iam:PassedToService": list(PASSED_TO_SERVICES)},
        ),
        _allow(
            "ManageStackPolicies",
            [*POLICY_READ_ACTIONS, *POLICY_MANAGE_ACTIONS],
            resource=scope.policies(account),
        ),
        _allow("ReadBoundary", list(POLICY_READ_ACTIONS), resource=scope.boundary_arn),
    ]


def _deploy_task_and_log_statements(account: Account, scope: StackScope) -> list[dict]:
    return [
        _allow("TaskDefinitions", list(TASK_DEFINITION_ACTIONS), resource="*"),
        _allow("ManageStackLogGroups", list(LOG_GROUP_ACTIONS), resource=scope.log_groups(account)),
        _allow("DescribeLogGroups", "logs:DescribeLogGroups", resource="*"),
    ]


def _boundary_stays(account: Account, scope: StackScope) -> dict:
    return {
        "Sid": "BoundaryStays",
        "Effect": "Deny",
        "Action": list(BOUNDARY_CHANGES),
        "Resource": [scope.boundary_arn, scope.roles(account)],
    }


def _no_deletion_in_prod() -> dict:
    return {
        "Sid": "NoDeletionInProd",
        "Effect": "Deny",
        "Action": ["kms:DisableKey", "kms:ScheduleKeyDeletion", "secretsmanager:DeleteSecret"],
        "Resource": "*",
    }


def ci_preview_policy(account: Account, scope: StackScope, *, ci_path: str = CI_ROLE_PATH) -> dict:
    """`pulumi preview`: describe and list the stack's resources; no value, no deletion."""
    return document(
        [
            _allow(
                "DescribeStackSecrets",
                list(SECRET_DESCRIBE_ACTIONS),
                resource=scope.secrets(account),
            ),
            _allow("ListSecrets", "secretsmanager:ListSecrets", resource="*"),
            _allow(
                "DescribeStackKey",
                list(KEY_DESCRIBE_ACTIONS),
                resource=account.arn("kms", "key/*"),
                StringEquals=scope.key_tags(),
            ),
            _allow("ListKeys", "kms:ListAliases", resource="*"),
            _allow(
                "DescribeStackRoles",
                list(ROLE_READ_ACTIONS),
                resource=[
                    scope.roles(account),
                    account.arn("iam", f"role{ci_path}{scope.names.ci_role_pattern}"),
                ],
            ),
            _allow(
                "DescribeStackPolicies",
                list(POLICY_READ_ACTIONS),
                resource=[scope.policies(account), scope.boundary_arn],
            ),
            _allow(
                "DescribeOidcProvider",
                "iam:GetOpenIDConnectProvider",
                resource=account.arn("iam", f"oidc-provider/{GITHUB_OIDC_HOST}"),
            ),
            _allow(
                "DescribeTasksAndLogs",
                ["ecs:DescribeTaskDefinition", "logs:DescribeLogGroups"],
                resource="*",
            ),
            {
                "Sid": "NoValuesNoDeletion",
                "Effect": "Deny",
                "Action": list(PREVIEW_DENIED),
                "Resource": "*",
            },
        ]
    )
