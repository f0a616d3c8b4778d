"""The CI identities' policies: ci-deploy runs `pulumi up` for one stack, ci-preview reads it.

ci-deploy's grants are derived from design/provider_actions.py: for every type design/deployers.py
gives to `ci`, exactly the actions the provider calls, on that type's ARNs in this stack. What IAM
can forbid beyond that is denied explicitly, so no later grant can reopen it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from design import provider_actions as types
from design.arns import Account
from design.iam import (
    INLINE_LIMIT,
    KMS_ENCRYPT_DECRYPT,
    MANAGED_LIMIT,
    compact,
    document,
    kms_via_secrets_manager,
)
from design.naming import BOUNDARY_PATH, StackNames
from design.provider_actions import ACTIONS_ON_STAR, INVOKED_WITH, prod_denied_deletions
from design.replicas import replica_deploy_statements

SECRETS_MANAGER_PRINCIPAL = "secretsmanager.amazonaws.com"
ECS_TASKS, LAMBDA = "ecs-tasks.amazonaws.com", "lambda.amazonaws.com"
_WIDEST = Account(partition="aws-us-gov", region="xx-xxxxxxxxx-99", account_id="0" * 12)
EXTERNAL_VALUE_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
"""Reading or writing an external secret's value: someone else owns it."""
BOUNDARY_CHANGES = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:SetDefaultPolicyVersion",
)
"""Denied on the boundary and on the stack's roles, whatever else allows them."""
KEY_CHANGES = (
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:UpdateAlias",
)
"""The stack key, its alias and its policy are the administrator's."""
ALERTING_CHANGES = (
    "cloudtrail:Delete*",
    "cloudtrail:Put*",
    "cloudtrail:Stop*",
    "cloudtrail:Update*",
    "events:Delete*",
    "events:Disable*",
    "events:Put*",
    "events:Remove*",
    "sns:Delete*",
    "sns:Set*",
    "sns:Subscribe",
    "sns:Unsubscribe",
)
"""Writes to alert rules, targets, the topic and its subscriptions, and the trail."""


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
    external_secrets: tuple[str, ...] = ()
    """Catalog names of the `external` secrets, whose values ci-deploy never reads or writes."""
    task_families: tuple[str, ...] = ()
    """The task definition families the stack registers (`{prefix}-{env}-{service}`)."""
    restarts: bool = False
    """Whether the stack restarts services after rotations: its state machine and rules."""
    replica_regions: tuple[str, ...] = ()
    """The regions the stack's secrets replicate to (design/replicas.py)."""

    def secrets(self, account: Account) -> list[str]:
        return [account.arn("secretsmanager", f"secret:{self.names.secret_path}*")]

    def external_secret_arns(self, account: Account) -> list[list[str]]:
        """By name plus the six characters Secrets Manager appends, so no other secret matches;
        in groups of at most 4,000 characters of the widest ARN (whatever the account), so that
        each group's statement fits a managed policy."""
        groups, size = [], 0
        for name in sorted(self.external_secrets):
            full_name = f"secret:{self.names.secret_full_name(name)}-??????"
            if not groups or size + len(_WIDEST.arn("secretsmanager", full_name)) > 4_000:
                groups, size = [*groups, []], 0
            groups[-1].append(account.arn("secretsmanager", full_name))
            size += len(_WIDEST.arn("secretsmanager", full_name)) + 3
        return groups

    def key_tags(self) -> dict[str, str]:
        """The conditions that pick the stack's own keys: the tags every resource carries."""
        return {
            "aws:ResourceTag/Project": self.names.prefix,
            "aws:ResourceTag/Environment": self.names.environment,
        }

    def roles(self, account: Account) -> list[str]:
        return [account.arn("iam", f"role{self.names.workload_path}*")]

    def policies(self, account: Account) -> list[str]:
        return [account.arn("iam", f"policy{self.names.workload_path}*")]

    def log_groups(self, account: Account) -> list[str]:
        return [
            account.arn("logs", f"log-group:{self.names.service_log_group_pattern}"),
            account.arn("logs", f"log-group:{self.names.rotation_log_group_pattern}"),
        ]

    def task_definitions(self, account: Account) -> list[str]:
        return [
            account.arn("ecs", f"task-definition/{family}:*")
            for family in sorted(self.task_families)
        ]

    def functions(self, account: Account) -> list[str]:
        return [account.arn("lambda", f"function:{self.names.rotation_function_name('*')}")]

    def state_machines(self, account: Account) -> list[str]:
        if not self.restarts:
            return []
        return [account.arn("states", f"stateMachine:{self.names.restart_state_machine_name}")]

    def restart_rules(self, account: Account) -> list[str]:
        """`rule/{prefix}-{env}-rotated-???` on the default bus: never an alert rule."""
        if not self.restarts:
            return []
        return [account.arn("events", f"rule/{self.names.restart_rule_name('???')}")]


Resources = Callable[[StackScope, Account], list[str]]
"""A scope method, or a function of the same shape: the ARNs of one kind in this stack."""
DEPLOY_FAMILIES: tuple[tuple[str, tuple[str, ...], Resources], ...] = (
    (
        "StackSecrets",
        (types.SECRET, types.SECRET_VERSION, types.SECRET_POLICY, types.SECRET_ROTATION),
        StackScope.secrets,
    ),
    (
        "WorkloadRoles",
        (types.ROLE, types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT),
        StackScope.roles,
    ),
    ("WorkloadPolicies", (types.MANAGED_POLICY,), StackScope.policies),
    ("StackLogGroups", (types.LOG_GROUP,), StackScope.log_groups),
    ("StackTaskDefinitions", (types.TASK_DEFINITION,), StackScope.task_definitions),
    ("RotationFunctions", (types.FUNCTION, types.PERMISSION), StackScope.functions),
    ("RestartStateMachine", (types.STATE_MACHINE,), StackScope.state_machines),
    ("RestartRules", (types.EVENT_RULE, types.EVENT_TARGET), StackScope.restart_rules),
)
"""The `ci` types of design/deployers.py, grouped by the ARNs their actions act on."""
BOUNDED = ("iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy")
"""Role writes allowed only while the role carries the stack's boundary (see `_conditions`)."""


def allow(sid: str, actions: Iterable[str], *, resource: str | list[str], **condition) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(sid: str, actions: Iterable[str], *, resource: str | list[str], **condition) -> dict:
    return {**allow(sid, actions, resource=resource, **condition), "Effect": "Deny"}


def ci_deploy_policy(account: Account, scope: StackScope, *, key_arn: str) -> dict:
    """`pulumi up` of this stack's `ci` resources, and nothing IAM can refuse beyond them."""
    return document(_deploy_statements(account, scope, key_arn=key_arn))


def deploy_layout(scope: StackScope) -> tuple[int, ...]:
    """Statements per document: the inline policy first, then managed ones under the CI path.

    Sized with the widest partition, region and ARNs AWS has, so the documents built later from
    the real account are never larger; the statements grow with external secrets and families.
    """
    boundary = _WIDEST.arn("iam", f"policy{BOUNDARY_PATH}{scope.names.boundary_policy_name}")
    statements = _deploy_statements(
        _WIDEST,
        replace(scope, boundary_arn=boundary),
        key_arn=_WIDEST.arn("kms", "key/" + "0" * 36),
    )
    counts, current = [0], []
    for statement in statements:
        limit = INLINE_LIMIT if len(counts) == 1 else MANAGED_LIMIT
        if current and len(compact(document([*current, statement]))) > limit:
            counts, current = [*counts, 0], []
        current.append(statement)
        counts[-1] += 1
    return tuple(counts)


def ci_deploy_documents(
    account: Account, scope: StackScope, *, key_arn: str, layout: Sequence[int]
) -> list[dict]:
    """ci-deploy's policy split as `deploy_layout` decided."""
    statements = _deploy_statements(account, scope, key_arn=key_arn)
    starts = [sum(layout[:index]) for index in range(len(layout))]
    return [document(statements[at : at + count]) for at, count in zip(starts, layout, strict=True)]


def _deploy_statements(account: Account, scope: StackScope, *, key_arn: str) -> list[dict]:
    statements = [
        *_table_grants(account, scope),
        kms_via_secrets_manager(key_arn, account.region, actions=KMS_ENCRYPT_DECRYPT),
        allow(
            "InvokeForRotateSecret",
            INVOKED_WITH[types.SECRET_ROTATION],
            resource=scope.functions(account),
        ),
        *_pass_roles(account, scope),
        *replica_deploy_statements(
            account,
            secrets=scope.secrets(account),
            regions=scope.replica_regions,
            key_tags=scope.key_tags(),
            production=scope.production,
        ),
        *_secret_denials(account, scope, key_arn=key_arn),
        deny(
            "BoundaryStays", BOUNDARY_CHANGES, resource=[scope.boundary_arn, *scope.roles(account)]
        ),
        deny("NoKeyOrAliasChanges", KEY_CHANGES, resource="*"),
        _no_alerting_changes(account, scope),
    ]
    if scope.production:
        deletions = prod_denied_deletions(
            t for _, family, arns in DEPLOY_FAMILIES if arns(scope, account) for t in family
        )
        statements.append(deny("NoDeletionInProd", deletions, resource="*"))
    return statements


def _no_alerting_changes(account: Account, scope: StackScope) -> dict:
    """On every resource, but the restart rules ci-deploy deploys (their names are no alert's)."""
    restart_rules = scope.restart_rules(account)
    statement = deny("NoAlertingChanges", ALERTING_CHANGES, resource="*")
    if restart_rules:
        del statement["Resource"]
        statement["NotResource"] = restart_rules
    return statement


def _table_grants(account: Account, scope: StackScope) -> list[dict]:
    """Each family's table actions on its ARNs; actions without resource-level support on "*"."""
    statements, on_star = [], set()
    for sid, family, resources in DEPLOY_FAMILIES:
        arns = resources(scope, account)
        if not arns:
            continue  # e.g. no service has a task definition
        actions = {a for t in family for a in types.actions_of(t, production=scope.production)}
        on_star |= actions & ACTIONS_ON_STAR
        statements += _conditioned(sid, actions - ACTIONS_ON_STAR, arns, account, scope)
    return [*statements, allow("NoResourceLevel", on_star, resource="*")]


def _conditioned(
    sid: str, actions: set[str], arns: list[str], account: Account, scope: StackScope
) -> list[dict]:
    """Split off the actions that carry a condition (boundary, attached policy, principal)."""
    conditions = _conditions(account, scope)
    plain = sorted(action for action in actions if action not in conditions)
    statements = [allow(sid, plain, resource=arns)] if plain else []
    by_condition: dict[str, list[str]] = {}
    for action in sorted(actions & set(conditions)):
        by_condition.setdefault(conditions[action][0], []).append(action)
    for suffix, grouped in by_condition.items():
        statements.append(
            allow(f"{sid}{suffix}", grouped, resource=arns, **conditions[grouped[0]][1])
        )
    return statements


def _conditions(account: Account, scope: StackScope) -> dict[str, tuple[str, dict]]:
    """Action -> (Sid suffix, condition) for the grants IAM lets us narrow further."""
    bounded = {"StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn}}
    attached = {
        **bounded,
        "ArnLike": {
            "iam:PolicyARN": [
                *scope.policies(account),
                account.aws_managed_policy("service-role/AmazonECSTaskExecutionRolePolicy"),
            ]
        },
    }
    principal = {"StringEquals": {"lambda:Principal": SECRETS_MANAGER_PRINCIPAL}}
    return {
        **{action: ("Bounded", bounded) for action in BOUNDED},
        "iam:DeleteRolePolicy": ("Bounded", bounded),
        "iam:AttachRolePolicy": ("Attach", attached),
        "iam:DetachRolePolicy": ("Attach", attached),
        "lambda:AddPermission": ("ForSecretsManager", principal),
    }


def _pass_roles(account: Account, scope: StackScope) -> list[dict]:
    """Each workload role only to the service it is for: ECS tasks, Lambda for rotation, Step
    Functions and EventBridge for the restarts."""
    names = scope.names
    service_roles = [
        account.arn("iam", f"role{names.workload_path}{names.service_role_name('*', kind)}")
        for kind in ("exec", "task")
    ]
    rotation_role = account.arn("iam", f"role{names.workload_path}{names.rotation_role_name}")
    restart_roles = [
        allow(
            f"PassRestartRoleTo{service.capitalize()}",
            ["iam:PassRole"],
            resource=account.arn(
                "iam", f"role{names.workload_path}{names.restart_role_name(assumed_by)}"
            ),
            StringEquals={"iam:PassedToService": f"{service}.amazonaws.com"},
        )
        for assumed_by, service in (("sfn", "states"), ("events", "events"))
        if scope.restarts
    ]
    return [
        allow(
            "PassServiceRolesToEcs",
            ["iam:PassRole"],
            resource=service_roles,
            StringEquals={"iam:PassedToService": ECS_TASKS},
        ),
        allow(
            "PassRotationRoleToLambda",
            ["iam:PassRole"],
            resource=rotation_role,
            StringEquals={"iam:PassedToService": LAMBDA},
        ),
        *restart_roles,
    ]


def _secret_denials(account: Account, scope: StackScope, *, key_arn: str) -> list[dict]:
    """No other key, no public policy, no external value."""
    other_key = {"secretsmanager:KmsKeyArn": key_arn}
    statements = [
        # A create without a key would use aws/secretsmanager: the missing key denies too.
        deny("CreateWithStackKey", ["secretsmanager:CreateSecret"], resource="*",
             StringNotEquals=other_key),
        # An update names a key only to re-key; without one it keeps the stack key.
        deny("KeepStackKey", ["secretsmanager:UpdateSecret"], resource="*",
             StringNotEquals=other_key, Null={"secretsmanager:KmsKeyArn": "false"}),
        # BlockPublicPolicy defaults to false when the request leaves it out.
        deny("BlockPublicPolicies", ["secretsmanager:PutResourcePolicy"], resource="*",
             BoolIfExists={"secretsmanager:BlockPublicPolicy": "false"}),
    ]  # fmt: skip
    for index, arns in enumerate(scope.external_secret_arns(account)):
        sid = f"NoExternalValues{index + 1 if index else ''}"
        statements.append(deny(sid, EXTERNAL_VALUE_ACTIONS, resource=arns))
    return statements
