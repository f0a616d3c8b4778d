"""A workload role: trust, boundary, and exact secret grants packed within IAM's limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.account import AwsAccount
from design.arns import Account
from design.exceptions import PolicyTooLargeError
from design.grant_layout import FixedStatements, role_layout
from design.iam import INLINE_LIMIT, MANAGED_LIMIT, compact, document, secret_statement
from design.replicas import replica_arns, replica_kms_statements


@dataclass(frozen=True)
class WorkloadRoleArgs:
    role_name: str
    """The role's name (IAM: at most 64 characters). Required."""
    path: str
    """IAM path; ci-deploy manages only the stack's workload path. Required."""
    trust_policy: pulumi.Input[str]
    """Who may assume the role, as JSON. Required."""
    boundary_arn: pulumi.Input[str]
    """The permissions boundary the role carries. Required."""
    account: AwsAccount
    """Where the stack deploys. Required."""
    key_arn: pulumi.Input[str]
    """The stack key ARN, handed to `fixed_statements`. Required."""
    secret_sid: str = "Secrets"
    """The Sid of the secret grant statement. Default: `Secrets`."""
    secret_actions: Sequence[str] = ()
    """What the role may do on each granted secret. Default: nothing."""
    secret_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Full secret name -> ARN: exactly the secrets this role is granted. Default: none."""
    fixed_statements: FixedStatements | None = None
    """Other statements of the inline policy (KMS, logs). Default: none."""
    aws_managed_policies: Sequence[str] = ()
    """AWS managed policies to attach, e.g. `service-role/AmazonECSTaskExecutionRolePolicy`; each
    takes one of the role's 10 managed-policy slots. Default: none."""
    replicated: frozenset[str] = frozenset()
    """Full names of the granted secrets that have replicas in `replica_regions`: the grant
    names each replica's ARN too. Default: none."""
    replica_regions: Sequence[str] = ()
    """The regions the `replicated` secrets replicate to. Default: none."""
    replica_key_arn: pulumi.Input[str] | None = None
    """The multi-region key of the replicas: with replicated grants, the role may decrypt with
    its replica in each region through Secrets Manager there. Default: none."""
    description: str = ""
    """The role's description. Default: empty."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the role and its managed policies. Default: none."""


class WorkloadRole(pulumi.ComponentResource):
    """A role whose secret grants name every secret by its exact ARN.

    The ARNs go in the inline policy while it has room and spill into customer managed
    policies after that, so a role can hold hundreds of secrets without any wildcard.
    """

    arn: pulumi.Output[str]
    role: aws.iam.Role

    def __init__(
        self, name: str, args: WorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("app-secrets:roles:WorkloadRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            path=args.path,
            description=args.description,
            assume_role_policy=args.trust_policy,
            permissions_boundary=args.boundary_arn,
            tags=dict(args.tags),
            opts=child,
        )
        account = args.account.resolved()
        self.attachments: list[aws.iam.RolePolicyAttachment] = []
        for index, managed in enumerate(args.aws_managed_policies):
            attachment = aws.iam.RolePolicyAttachment(
                f"{name}-aws-managed-{index + 1}",
                role=self.role.name,
                policy_arn=account.apply(
                    lambda resolved, managed=managed: resolved.aws_managed_policy(managed)
                ),
                opts=child,
            )
            self.attachments.append(attachment)
        granted_replicas = sorted(args.replicated & set(args.secret_arns))
        regions = tuple(args.replica_regions) if granted_replicas else ()
        layout = role_layout(
            list(args.secret_arns),
            fixed=with_replica_keys(args.fixed_statements, regions),
            aws_managed=len(args.aws_managed_policies),
            copies=dict.fromkeys(granted_replicas, 1 + len(regions)),
        )
        self.inline_policy: aws.iam.RolePolicy | None = None
        self.managed_policies: list[aws.iam.Policy] = []
        if layout.inline or args.fixed_statements:
            self.inline_policy = aws.iam.RolePolicy(
                f"{name}-grants",
                name="grants",
                role=self.role.id,
                policy=self._document(
                    args, layout.inline, account=account, fixed=True, limit=INLINE_LIMIT
                ),
                opts=child,
            )
        for index, chunk in enumerate(layout.managed):
            policy = aws.iam.Policy(
                f"{name}-grants-{index + 1}",
                name=f"{args.role_name}-{index + 1}",
                path=args.path,
                description=f"Secret grants of {args.role_name}, part {index + 1}",
                policy=self._document(
                    args, chunk, account=account, fixed=False, limit=MANAGED_LIMIT
                ),
                tags=dict(args.tags),
                opts=child,
            )
            self.managed_policies.append(policy)
            self.attachments.append(
                aws.iam.RolePolicyAttachment(
                    f"{name}-grants-{index + 1}",
                    role=self.role.name,
                    policy_arn=policy.arn,
                    opts=child,
                )
            )
        self.arn = self.role.arn
        self.register_outputs({"arn": self.arn, "name": self.role.name})

    @staticmethod
    def _document(
        args: WorkloadRoleArgs,
        full_names: Sequence[str],
        *,
        account: pulumi.Output[Account],
        fixed: bool,
        limit: int,
    ) -> pulumi.Output[str]:
        arns = [args.secret_arns[name] for name in full_names]
        replicated = [name in args.replicated for name in full_names]
        regions = tuple(args.replica_regions) if args.replicated & set(args.secret_arns) else ()

        def build(values: list) -> str:
            resolved, key_arn, replica_key_arn, *secret_arns = values
            statements = []
            if secret_arns:
                granted = [
                    *secret_arns,
                    *(
                        replica
                        for arn, has_replicas in zip(secret_arns, replicated, strict=True)
                        if has_replicas
                        for replica in replica_arns(arn, regions).values()
                    ),
                ]
                statements.append(
                    secret_statement(args.secret_sid, args.secret_actions, secret_arns=granted)
                )
            if fixed and args.fixed_statements:
                statements += args.fixed_statements(resolved, key_arn)
            if fixed and regions and replica_key_arn:
                statements += replica_kms_statements(replica_key_arn, regions)
            text = compact(document(statements))
            if len(text) > limit:
                raise PolicyTooLargeError(
                    f"{args.role_name}: policy of {len(text)} characters > {limit}"
                )
            return text

        return pulumi.Output.all(account, args.key_arn, args.replica_key_arn, *arns).apply(build)


def with_replica_keys(
    fixed: FixedStatements | None, regions: Sequence[str]
) -> FixedStatements | None:
    """`fixed` and the replica-key statements, as the size check must count them."""
    if fixed is None or not regions:
        return fixed
    return lambda account, key_arn: [
        *fixed(account, key_arn),
        *replica_kms_statements(key_arn, regions),
    ]
