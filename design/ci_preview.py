"""ci-preview's policy: the provider's Read actions on every resource of the stack, no value."""

from __future__ import annotations

from design import provider_actions as types
from design.arns import Account
from design.ci import Resources, StackScope, allow, deny
from design.iam import GITHUB_OIDC_HOST, document
from design.naming import CI_ROLE_PATH
from design.provider_actions import ACTIONS_ON_STAR, TABLE

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
PREVIEW_EXTRA = {
    types.SECRET: ("secretsmanager:ListSecretVersionIds",),
    types.STATE_MACHINE: ("states:ValidateStateMachineDefinition",),
}
"""A version's Read is GetSecretValue, which ci-preview is denied; it may list the versions.
A preview of a changed state machine definition validates it (the provider's CustomizeDiff)."""


def _preview_reads(ci_path: str) -> tuple[tuple[tuple[str, ...], Resources], ...]:
    """The types ci-preview reads, with the ARNs of this stack's resources of them."""

    def stack_roles(scope: StackScope, account: Account) -> list[str]:
        """Every role of the stack on the app-secrets paths (workload, CI, break-glass, ...)."""
        stem = scope.names.stem
        return [
            account.arn("iam", f"role/app-secrets*/{stem}-*"),
            account.arn("iam", f"role{ci_path}{scope.names.ci_role_pattern}"),
        ]

    return (
        ((types.SECRET, types.SECRET_POLICY, types.SECRET_ROTATION), StackScope.secrets),
        ((types.ROLE, types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT), stack_roles),
        (
            (types.MANAGED_POLICY,),
            lambda s, a: [a.arn("iam", f"policy/app-secrets*/{s.names.stem}-*"), s.boundary_arn],
        ),
        (
            (types.OIDC_PROVIDER,),
            lambda s, a: [a.arn("iam", f"oidc-provider/{GITHUB_OIDC_HOST}")],
        ),
        ((types.LOG_GROUP,), StackScope.log_groups),
        ((types.TASK_DEFINITION, types.ALIAS, types.TOPIC_SUBSCRIPTION), lambda s, a: []),
        ((types.FUNCTION, types.PERMISSION), StackScope.functions),
        ((types.STATE_MACHINE,), StackScope.state_machines),
        ((types.TOPIC, types.TOPIC_POLICY), lambda s, a: [a.arn("sns", s.names.alert_topic_name)]),
        (
            (types.EVENT_RULE, types.EVENT_TARGET),
            # any region: the IAM-change relay rule lives in us-east-1
            lambda s, a: [f"arn:{a.partition}:events:*:{a.account_id}:rule/{s.names.stem}-*"],
        ),
    )


def ci_preview_policy(account: Account, scope: StackScope, *, ci_path: str = CI_ROLE_PATH) -> dict:
    """`pulumi preview --refresh`: the provider's Read actions; no value, no deletion.

    A type with resource-level actions but no resource in this stack (no restart state
    machine) is not read at all.
    """
    statements, on_star = [], set()
    for readable, resources in _preview_reads(ci_path):
        actions = {a for t in readable for a in (*TABLE[t].read, *PREVIEW_EXTRA.get(t, ()))}
        arns = resources(scope, account)
        if actions - ACTIONS_ON_STAR and not arns:
            continue
        on_star |= actions & ACTIONS_ON_STAR
        if actions - ACTIONS_ON_STAR:
            sid = f"Read{readable[0].rsplit(':', 1)[-1]}"
            statements.append(allow(sid, actions - ACTIONS_ON_STAR, resource=arns))
    statements += [
        allow("ReadNoResourceLevel", on_star, resource="*"),
        allow(
            "ReadStackKeys",
            TABLE[types.KEY].read,
            resource=account.arn("kms", "key/*"),
            StringEquals=scope.key_tags(),
        ),
        deny("NoValuesNoDeletion", PREVIEW_DENIED, resource="*"),
    ]
    return document(statements)
