"""CI identities through GitHub OIDC: ci-preview for pull requests, ci-deploy for main."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from design.ci import StackScope, ci_deploy_documents, deploy_layout, github_subjects
from design.ci_preview import ci_preview_policy
from design.iam import GITHUB_AUDIENCE, GITHUB_OIDC_HOST, compact, github_trust
from design.naming import CI_ROLE_PATH, StackNames

CI_SESSION_SECONDS = 3600


@dataclass(frozen=True)
class CiRolesArgs:
    names: StackNames
    """The stack's names: roles `{prefix}-{env}-ci-preview` and `-ci-deploy`, scoped to the
    stack's secrets, key, roles and log groups. Required."""
    repository: str
    """`OWNER/REPO` whose GitHub Actions may assume the roles. Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key, which ci-deploy uses through Secrets Manager. Required."""
    boundary_arn: pulumi.Input[str]
    """The workload boundary every role ci-deploy creates must carry. Required."""
    production: bool = False
    """In prod, ci-deploy may not delete secrets or disable or delete keys. Default: off."""
    external_secrets: tuple[str, ...] = ()
    """Catalog names of the `external` secrets, whose values ci-deploy may neither read nor
    write. Default: none."""
    task_families: tuple[str, ...] = ()
    """The task definition families ci-deploy registers. Default: none."""
    restarts: bool = False
    """Whether ci-deploy deploys the restarts after rotation (state machine, rules, targets) and
    passes their roles. Default: off."""
    replica_regions: tuple[str, ...] = ()
    """The regions the stack's secrets replicate to: ci-deploy may add and (outside prod)
    remove exactly those replicas, encrypting with the stack's replica keys there. Default:
    none, no replication call at all."""
    deploy_branch: str = "main"
    """The branch whose workflow runs may assume ci-deploy. Default: `main`."""
    deploy_environment: str | None = None
    """A GitHub environment ci-deploy trusts instead of the branch. Default: none."""
    oidc_provider_arn: str | None = None
    """An existing token.actions.githubusercontent.com provider. Default: the stack creates one."""
    path: str = CI_ROLE_PATH
    """IAM path of both roles, outside the path ci-deploy manages. Default: `/app-secrets-ci/`."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the roles and the provider. Default: none."""


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
        self.roles: dict[str, aws.iam.Role] = {}
        self.oidc_provider_arn = self._github_provider_arn(name, args, child=child)
        preview_subject, deploy_subject = github_subjects(
            args.repository,
            deploy_branch=args.deploy_branch,
            deploy_environment=args.deploy_environment,
        )
        scope = StackScope(
            names=args.names,
            boundary_arn="",
            production=args.production,
            external_secrets=args.external_secrets,
            task_families=args.task_families,
            restarts=args.restarts,
            replica_regions=args.replica_regions,
        )
        account = args.account.resolved()
        preview_policy = pulumi.Output.all(account, args.boundary_arn).apply(
            lambda values: compact(
                ci_preview_policy(
                    values[0], replace(scope, boundary_arn=values[1]), ci_path=args.path
                )
            )
        )
        # The split is decided now, from the widest ARNs, so the resources are known up front.
        layout = deploy_layout(scope)
        deploy_documents = pulumi.Output.all(account, args.boundary_arn, args.key_arn).apply(
            lambda values: [
                compact(document)
                for document in ci_deploy_documents(
                    values[0],
                    replace(scope, boundary_arn=values[1]),
                    key_arn=values[2],
                    layout=layout,
                )
            ]
        )
        deploy_policy = deploy_documents.apply(lambda documents: documents[0])
        self.preview_role_arn = self._role(
            f"{name}-preview", args, kind="preview", subject=preview_subject, policy=preview_policy
        )
        self.deploy_role_arn = self._role(
            f"{name}-deploy", args, kind="deploy", subject=deploy_subject, policy=deploy_policy
        )
        for index in range(1, len(layout)):
            self._managed_part(f"{name}-deploy", args, index=index, policy=deploy_documents[index])
        self.register_outputs(
            {
                "previewRoleArn": self.preview_role_arn,
                "deployRoleArn": self.deploy_role_arn,
                "oidcProviderArn": self.oidc_provider_arn,
            }
        )

    @staticmethod
    def _github_provider_arn(
        name: str, args: CiRolesArgs, *, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        """The account's GitHub OIDC provider: the one named, or a new one."""
        if args.oidc_provider_arn:
            return pulumi.Output.from_input(args.oidc_provider_arn)
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-github",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_id_lists=[GITHUB_AUDIENCE],
            tags=dict(args.tags),
            opts=child,
        )
        return provider.arn

    def _role(
        self,
        name: str,
        args: CiRolesArgs,
        *,
        kind: str,
        subject: str,
        policy: pulumi.Output[str],
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            name=args.names.ci_role_name(kind),
            path=args.path,
            description=f"GitHub Actions of {args.repository} ({subject})",
            assume_role_policy=self.oidc_provider_arn.apply(
                lambda arn: compact(github_trust(arn, subject))
            ),
            max_session_duration=CI_SESSION_SECONDS,
            tags=dict(args.tags),
            opts=child,
        )
        aws.iam.RolePolicy(f"{name}-grants", name="grants", role=role.id, policy=policy, opts=child)
        self.roles[kind] = role
        return role.arn

    def _managed_part(
        self, name: str, args: CiRolesArgs, *, index: int, policy: pulumi.Output[str]
    ) -> None:
        """ci-deploy's statements past IAM's inline limit, under the CI path (no committed stack
        needs one: its URNs are `{name}-grants-{index}`)."""
        child = pulumi.ResourceOptions(parent=self)
        role_name = args.names.ci_role_name("deploy")
        part = aws.iam.Policy(
            f"{name}-grants-{index}",
            name=f"{role_name}-{index}",
            path=args.path,
            description=f"Grants of {role_name}, part {index + 1}",
            policy=policy,
            tags=dict(args.tags),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-grants-{index}",
            role=self.roles["deploy"].name,
            policy_arn=part.arn,
            opts=child,
        )
