"""CI identities through GitHub OIDC: ci-preview for pull requests, ci-deploy for main."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from components.grants import (
    GITHUB_AUDIENCE,
    GITHUB_OIDC_HOST,
    Account,
    compact,
    document,
    github_trust,
    kms_via_secrets_manager,
)

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
    """What the CI roles may touch: names derived from `{prefix}-{env}` and the stack's paths."""

    name_stem: str
    secret_path: str
    workload_path: str
    boundary_arn: str
    production: bool

    def secrets(self, account: Account) -> str:
        return account.arn("secretsmanager", f"secret:{self.secret_path}*")

    def key_tags(self) -> dict[str, str]:
        project, _, environment = self.name_stem.rpartition("-")
        return {"aws:ResourceTag/Project": project, "aws:ResourceTag/Environment": environment}

    def log_groups(self, account: Account) -> list[str]:
        return [
            account.arn("logs", f"log-group:/app-secrets/{self.name_stem}/*"),
            account.arn("logs", f"log-group:/aws/lambda/{self.name_stem}-*"),
        ]


def ci_deploy_policy(account: Account, scope: StackScope, *, key_arn: str) -> dict:
    """`pulumi up` for this stack only. Roles it creates must carry the stack's boundary."""
    secret_actions = list(SECRET_MANAGE_ACTIONS)
    if not scope.production:
        secret_actions.append("secretsmanager:DeleteSecret")
    key_actions = list(KEY_MANAGE_ACTIONS)
    if not scope.production:
        key_actions.append("kms:ScheduleKeyDeletion")
    roles = account.arn("iam", f"role{scope.workload_path}*")
    project, _, environment = scope.name_stem.rpartition("-")
    statements = [
        {
            "Sid": "ManageStackSecrets",
            "Effect": "Allow",
            "Action": sorted(secret_actions),
            "Resource": scope.secrets(account),
        },
        {
            "Sid": "ListSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:ListSecrets",
            "Resource": "*",
        },
        kms_via_secrets_manager(
            key_arn, account.region, actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
        ),
        {
            "Sid": "CreateTaggedKey",
            "Effect": "Allow",
            "Action": "kms:CreateKey",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:RequestTag/Project": project,
                    "aws:RequestTag/Environment": environment,
                }
            },
        },
        {
            "Sid": "ManageStackKey",
            "Effect": "Allow",
            "Action": sorted(key_actions),
            "Resource": account.arn("kms", "key/*"),
            "Condition": {"StringEquals": scope.key_tags()},
        },
        {
            # Alias actions need the alias and the key; an alias carries no tags to condition on.
            "Sid": "ManageStackAlias",
            "Effect": "Allow",
            "Action": ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            "Resource": [
                account.arn("kms", f"alias/{scope.name_stem}-secrets"),
                account.arn("kms", "key/*"),
            ],
        },
        {"Sid": "ListKeys", "Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*"},
        {
            "Sid": "CreateBoundedRoles",
            "Effect": "Allow",
            "Action": [
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
            ],
            "Resource": roles,
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn}},
        },
        {
            "Sid": "ManageStackRoles",
            "Effect": "Allow",
            "Action": [
                *ROLE_READ_ACTIONS,
                "iam:DeleteRole",
                "iam:ListInstanceProfilesForRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            "Resource": roles,
        },
        {
            "Sid": "PassStackRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": roles,
            "Condition": {
                "StringEquals": {
                    "iam:PassedToService": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]
                }
            },
        },
        {
            "Sid": "ManageStackPolicies",
            "Effect": "Allow",
            "Action": [
                *POLICY_READ_ACTIONS,
                "iam:CreatePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:TagPolicy",
                "iam:UntagPolicy",
            ],
            "Resource": account.arn("iam", f"policy{scope.workload_path}*"),
        },
        {
            "Sid": "ReadBoundary",
            "Effect": "Allow",
            "Action": list(POLICY_READ_ACTIONS),
            "Resource": scope.boundary_arn,
        },
        {
            "Sid": "TaskDefinitions",
            "Effect": "Allow",
            "Action": [
                "ecs:DeregisterTaskDefinition",
                "ecs:DescribeTaskDefinition",
                "ecs:RegisterTaskDefinition",
                "ecs:TagResource",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ManageStackLogGroups",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:ListTagsForResource",
                "logs:PutRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            "Resource": scope.log_groups(account),
        },
        {
            "Sid": "DescribeLogGroups",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "*",
        },
        {
            "Sid": "BoundaryStays",
            "Effect": "Deny",
            "Action": [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:DeleteRolePermissionsBoundary",
                "iam:SetDefaultPolicyVersion",
            ],
            "Resource": [scope.boundary_arn, roles],
        },
    ]
    if scope.production:
        statements.append(
            {
                "Sid": "NoDeletionInProd",
                "Effect": "Deny",
                "Action": [
                    "kms:DisableKey",
                    "kms:ScheduleKeyDeletion",
                    "secretsmanager:DeleteSecret",
                ],
                "Resource": "*",
            }
        )
    return document(statements)


def ci_preview_policy(account: Account, scope: StackScope, *, ci_path: str) -> dict:
    """`pulumi preview`: describe and list the stack's resources; no value, no deletion."""
    return document(
        [
            {
                "Sid": "DescribeStackSecrets",
                "Effect": "Allow",
                "Action": list(SECRET_DESCRIBE_ACTIONS),
                "Resource": scope.secrets(account),
            },
            {
                "Sid": "ListSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:ListSecrets",
                "Resource": "*",
            },
            {
                "Sid": "DescribeStackKey",
                "Effect": "Allow",
                "Action": list(KEY_DESCRIBE_ACTIONS),
                "Resource": account.arn("kms", "key/*"),
                "Condition": {"StringEquals": scope.key_tags()},
            },
            {"Sid": "ListKeys", "Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*"},
            {
                "Sid": "DescribeStackRoles",
                "Effect": "Allow",
                "Action": list(ROLE_READ_ACTIONS),
                "Resource": [
                    account.arn("iam", f"role{scope.workload_path}*"),
                    account.arn("iam", f"role{ci_path}{scope.name_stem}-*"),
                ],
            },
            {
                "Sid": "DescribeStackPolicies",
                "Effect": "Allow",
                "Action": list(POLICY_READ_ACTIONS),
                "Resource": [
                    account.arn("iam", f"policy{scope.workload_path}*"),
                    scope.boundary_arn,
                ],
            },
            {
                "Sid": "DescribeOidcProvider",
                "Effect": "Allow",
                "Action": "iam:GetOpenIDConnectProvider",
                "Resource": account.arn("iam", f"oidc-provider/{GITHUB_OIDC_HOST}"),
            },
            {
                "Sid": "DescribeTasksAndLogs",
                "Effect": "Allow",
                "Action": ["ecs:DescribeTaskDefinition", "logs:DescribeLogGroups"],
                "Resource": "*",
            },
            {
                "Sid": "NoValuesNoDeletion",
                "Effect": "Deny",
                "Action": list(PREVIEW_DENIED),
                "Resource": "*",
            },
        ]
    )


@dataclass(frozen=True)
class CiRolesArgs:
    repository: str
    """`OWNER/REPO` whose GitHub Actions may assume the roles."""
    preview_subject: str
    deploy_subject: str
    preview_role_name: str
    deploy_role_name: str
    path: str
    """IAM path of both roles, outside the path ci-deploy manages."""
    scope: pulumi.Input[StackScope]
    account: AwsAccount
    key_arn: pulumi.Input[str]
    oidc_provider_arn: str | None = None
    """An existing token.actions.githubusercontent.com provider. Default: the stack creates one."""
    tags: Mapping[str, str] = field(default_factory=dict)


class CiRoles(pulumi.ComponentResource):
    """ci-preview and ci-deploy, trusted only by one repository's workflows.

    Neither role can change itself: both live outside the path ci-deploy manages, so changes to
    them (and to the boundary) need an administrator's `pulumi up`.
    """

    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:ci:CiRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.oidc_provider_arn:
            self.oidc_provider_arn = pulumi.Output.from_input(args.oidc_provider_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=f"https://{GITHUB_OIDC_HOST}",
                client_id_lists=[GITHUB_AUDIENCE],
                tags=dict(args.tags),
                opts=child,
            )
            self.oidc_provider_arn = provider.arn
        account = args.account.resolved()
        preview_policy = pulumi.Output.all(account, args.scope).apply(
            lambda values: compact(ci_preview_policy(values[0], values[1], ci_path=args.path))
        )
        deploy_policy = pulumi.Output.all(account, args.scope, args.key_arn).apply(
            lambda values: compact(ci_deploy_policy(values[0], values[1], key_arn=values[2]))
        )
        self.preview_role_arn = self._role(
            f"{name}-preview",
            args,
            args.preview_role_name,
            args.preview_subject,
            preview_policy,
            child,
        )
        self.deploy_role_arn = self._role(
            f"{name}-deploy", args, args.deploy_role_name, args.deploy_subject, deploy_policy, child
        )
        self.register_outputs(
            {
                "previewRoleArn": self.preview_role_arn,
                "deployRoleArn": self.deploy_role_arn,
                "oidcProviderArn": self.oidc_provider_arn,
            }
        )

    def _role(
        self,
        name: str,
        args: CiRolesArgs,
        role_name: str,
        subject: str,
        policy: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        role = aws.iam.Role(
            f"{name}-role",
            name=role_name,
            path=args.path,
            description=f"GitHub Actions of {args.repository} ({subject})",
            assume_role_policy=self.oidc_provider_arn.apply(
                lambda arn: compact(github_trust(arn, subject))
            ),
            max_session_duration=3600,
            tags=dict(args.tags),
            opts=child,
        )
        aws.iam.RolePolicy(f"{name}-grants", name="grants", role=role.id, policy=policy, opts=child)
        return role.arn
