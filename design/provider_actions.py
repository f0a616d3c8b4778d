"""The IAM actions Pulumi's AWS provider calls for each resource type, read from its source.

pulumi-aws 7.x wraps hashicorp/terraform-provider-aws 6.x. Each entry names the file whose Create,
Read, Update and Delete functions (and the finders, waiters and tag helpers they call) were read,
and keeps only the calls those functions make for the arguments this program sets: a branch the
program never takes (replicas, inline_policy, VPC detach on destroy, ...) is named in the comment
and granted to nobody. Create and Update tail-call Read, so a create or an update also needs the
Read actions; tags passed on create need the service's tag action too (AWS authorises both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


@dataclass(frozen=True)
class ProviderActions:
    """What the provider calls for one resource type, by CRUD function."""

    source: str
    """The provider file the entry was read from (internal/service/...)."""
    create: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    update: tuple[str, ...] = ()
    delete: tuple[str, ...] = ()
    update_deletes: tuple[str, ...] = ()
    """Deletions an ordinary update performs (a replaced revision, a pruned version): allowed
    in prod, where every other deletion is denied."""

    def up(self, *, production: bool) -> tuple[str, ...]:
        """Every action `pulumi up` may call: no deletion in prod but the update-deletions."""
        deletes = self.update_deletes if production else self.delete
        return tuple(sorted({*self.create, *self.read, *self.update, *deletes}))


SM = "secretsmanager:"
TABLE: dict[str, ProviderActions] = {
    # secretsmanager/secret.go: Create = CreateSecret (Tags in the request), findSecretByID
    # (DescribeSecret) until visible, then Read = DescribeSecret + GetResourcePolicy; tags come
    # from DescribeSecret (setTagsOut), changed by tags_gen.go Tag/UntagResource; Delete =
    # DeleteSecret then DescribeSecret until gone. Replicate/RemoveRegions (replica): only with
    # replicas, see SECRET_REPLICAS. Not granted: Put/DeleteResourcePolicy of the `policy`
    # argument (unused: SecretPolicy instead).
    SECRET: ProviderActions(
        source="internal/service/secretsmanager/secret.go",
        create=(f"{SM}CreateSecret", f"{SM}TagResource"),
        read=(f"{SM}DescribeSecret", f"{SM}GetResourcePolicy"),
        update=(f"{SM}UpdateSecret", f"{SM}TagResource", f"{SM}UntagResource"),
        delete=(f"{SM}DeleteSecret", f"{SM}DescribeSecret"),
    ),
    # secretsmanager/secret_version.go: Create = PutSecretValue, then GetSecretValue (waiter and
    # Read); Update = ListSecretVersionIds + UpdateSecretVersionStage; Delete =
    # UpdateSecretVersionStage (non-current stages) then GetSecretValue until gone. A changed
    # value replaces the version, so its Delete runs in an ordinary update.
    SECRET_VERSION: ProviderActions(
        source="internal/service/secretsmanager/secret_version.go",
        create=(f"{SM}PutSecretValue",),
        read=(f"{SM}GetSecretValue",),
        update=(f"{SM}ListSecretVersionIds", f"{SM}UpdateSecretVersionStage"),
        delete=(f"{SM}UpdateSecretVersionStage", f"{SM}GetSecretValue"),
        update_deletes=(f"{SM}UpdateSecretVersionStage", f"{SM}GetSecretValue"),
    ),
    # secretsmanager/secret_policy.go: Create/Update = PutResourcePolicy (BlockPublicPolicy
    # sent when set), Read = GetResourcePolicy, Delete = DeleteResourcePolicy.
    SECRET_POLICY: ProviderActions(
        source="internal/service/secretsmanager/secret_policy.go",
        create=(f"{SM}PutResourcePolicy",),
        read=(f"{SM}GetResourcePolicy",),
        update=(f"{SM}PutResourcePolicy",),
        delete=(f"{SM}DeleteResourcePolicy",),
    ),
    # secretsmanager/secret_rotation.go: Create/Update = RotateSecret (retried while Secrets
    # Manager cannot invoke the function), Read = findSecretByID (DescribeSecret), Delete =
    # CancelRotateSecret (Create/Update call it only for rotation_enabled = false: unused).
    # RotateSecret also needs lambda:InvokeFunction on the function, authorised for the caller
    # (RotateSecret API reference, "Required permissions"): see INVOKED_WITH.
    SECRET_ROTATION: ProviderActions(
        source="internal/service/secretsmanager/secret_rotation.go",
        create=(f"{SM}RotateSecret",),
        read=(f"{SM}DescribeSecret",),
        update=(f"{SM}RotateSecret",),
        delete=(f"{SM}CancelRotateSecret",),
    ),
    # pulumi-random: computed in the provider process, no AWS call.
    RANDOM_PASSWORD: ProviderActions(source="terraform-provider-random: no AWS call"),
    # iam/role.go (+ iam/tags.go roleUpdateTags, tags_interceptor.go): Create = CreateRole
    # (Tags in the request), Read = GetRole (waitRoleARNIsNotUniqueID too) +
    # readRoleInlinePolicies (ListRolePolicies, GetRolePolicy) + findRoleAttachedPolicies
    # (ListAttachedRolePolicies); Update = UpdateAssumeRolePolicy, UpdateRoleDescription,
    # UpdateRole (max session), PutRolePermissionsBoundary, Tag/UntagRole; Delete =
    # ListInstanceProfilesForRole, the attached and inline lists Read stored (Detach/
    # DeleteRolePolicy), DeleteRole. Not granted: DeleteRolePermissionsBoundary (only when a
    # boundary is removed), RemoveRoleFromInstanceProfile (the stack's roles have none).
    ROLE: ProviderActions(
        source="internal/service/iam/role.go",
        create=("iam:CreateRole", "iam:TagRole"),
        read=(
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
        ),
        update=(
            "iam:PutRolePermissionsBoundary",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
        ),
        delete=(
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRolePolicies",
        ),
    ),
    # iam/role_policy.go: Create/Update = PutRolePolicy (then GetRolePolicy until visible),
    # Read = GetRolePolicy, Delete = DeleteRolePolicy.
    ROLE_POLICY: ProviderActions(
        source="internal/service/iam/role_policy.go",
        create=("iam:PutRolePolicy",),
        read=("iam:GetRolePolicy",),
        update=("iam:PutRolePolicy",),
        delete=("iam:DeleteRolePolicy",),
    ),
    # iam/policy.go (+ iam/tags.go policyUpdateTags): Create = CreatePolicy (Tags in the
    # request), Read = GetPolicy + GetPolicyVersion (default); Update = policyPruneVersions
    # (ListPolicyVersions, DeletePolicyVersion of the oldest at 5) + CreatePolicyVersion
    # (SetAsDefault), Tag/UntagPolicy; Delete = ListPolicyVersions, DeletePolicyVersion,
    # DeletePolicy. Not granted: SetDefaultPolicyVersion (delay_after_policy_creation_in_ms).
    MANAGED_POLICY: ProviderActions(
        source="internal/service/iam/policy.go",
        create=("iam:CreatePolicy", "iam:TagPolicy"),
        read=("iam:GetPolicy", "iam:GetPolicyVersion"),
        update=(
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:ListPolicyVersions",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ),
        delete=("iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"),
        update_deletes=("iam:DeletePolicyVersion",),
    ),
    # iam/role_policy_attachment.go: Create = AttachRolePolicy, Read = ListAttachedRolePolicies,
    # Delete = DetachRolePolicy; every argument forces a replacement, so there is no Update.
    ROLE_POLICY_ATTACHMENT: ProviderActions(
        source="internal/service/iam/role_policy_attachment.go",
        create=("iam:AttachRolePolicy",),
        read=("iam:ListAttachedRolePolicies",),
        delete=("iam:DetachRolePolicy",),
    ),
    # logs/group.go (+ logs/tags_gen.go; Read sets no tags, so tags_interceptor.go lists them):
    # Create = CreateLogGroup (Tags in the request) + PutRetentionPolicy; Read =
    # findLogGroupByName (DescribeLogGroups) + ListTagsForResource; Update = PutRetentionPolicy,
    # Tag/UntagResource, AssociateKmsKey (kms_key_id changed to another key); Delete =
    # DeleteLogGroup. Not granted: DeleteRetentionPolicy (retention removed), DisassociateKmsKey
    # (kms_key_id removed): the stack never does either.
    LOG_GROUP: ProviderActions(
        source="internal/service/logs/group.go",
        create=("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"),
        read=("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        update=(
            "logs:AssociateKmsKey",
            "logs:PutRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ),
        delete=("logs:DeleteLogGroup",),
    ),
    # ecs/task_definition.go (+ ecs tags_gen.go): Create = RegisterTaskDefinition (Tags in the
    # request), Read = DescribeTaskDefinition (Include TAGS); Update = tags only
    # (Tag/UntagResource); Delete = DeregisterTaskDefinition. Any other change replaces the
    # revision, so Deregister runs in an ordinary update. Registering passes the execution and
    # task roles (iam:PassRole, in the policy by role).
    TASK_DEFINITION: ProviderActions(
        source="internal/service/ecs/task_definition.go",
        create=("ecs:RegisterTaskDefinition", "ecs:TagResource"),
        read=("ecs:DescribeTaskDefinition",),
        update=("ecs:TagResource", "ecs:UntagResource"),
        delete=("ecs:DeregisterTaskDefinition",),
        update_deletes=("ecs:DeregisterTaskDefinition",),
    ),
    # lambda/function.go: Create = CreateFunction (Tags, passes the role), findFunctionByName
    # and waitFunctionCreated (GetFunction); Read = GetFunction, findLatestFunctionVersionByName
    # (ListVersionsByFunction), GetFunctionCodeSigningConfig (zip, commercial partition); Update
    # = UpdateFunctionConfiguration, UpdateFunctionCode, waitFunctionUpdated (GetFunction),
    # Tag/UntagResource; reserved_concurrent_executions: PutFunctionConcurrency on create and
    # update (DeleteFunctionConcurrency only when unset: never here); Delete = DeleteFunction.
    # Not granted: PublishVersion (publish), code signing changes.
    FUNCTION: ProviderActions(
        source="internal/service/lambda/function.go",
        create=("lambda:CreateFunction", "lambda:PutFunctionConcurrency", "lambda:TagResource"),
        read=(
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
        ),
        update=(
            "lambda:PutFunctionConcurrency",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
        ),
        delete=("lambda:DeleteFunction",),
    ),
    # lambda/permission.go: Create = AddPermission, Read = GetPolicy (findPolicyStatement...),
    # Delete = RemovePermission then GetPolicy until the statement is gone; no Update.
    PERMISSION: ProviderActions(
        source="internal/service/lambda/permission.go",
        create=("lambda:AddPermission",),
        read=("lambda:GetPolicy",),
        delete=("lambda:GetPolicy", "lambda:RemovePermission"),
    ),
    # sfn/state_machine.go (@Tags(identifierAttribute="id"): tags_interceptor.go lists and
    # changes them): CustomizeDiff stateMachineDefinitionValidate calls
    # ValidateStateMachineDefinition (no resource) whenever the definition changes, so at plan
    # time of a create or an update; Create = CreateStateMachine (Tags in the request, passes
    # the role: iam:PassRole, in the policy by role), retried on AccessDeniedException while IAM
    # catches up; Read = findStateMachineByARN (DescribeStateMachine) + ListStateMachineVersions
    # + ListTagsForResource; Update = UpdateStateMachine, then DescribeStateMachine until the
    # change shows, Tag/UntagResource; Delete = DeleteStateMachine, then waitStateMachineDeleted
    # (DescribeStateMachine). Not granted: PublishStateMachineVersion (publish, unused).
    STATE_MACHINE: ProviderActions(
        source="internal/service/sfn/state_machine.go",
        create=(
            "states:CreateStateMachine",
            "states:TagResource",
            "states:ValidateStateMachineDefinition",
        ),
        read=(
            "states:DescribeStateMachine",
            "states:ListStateMachineVersions",
            "states:ListTagsForResource",
        ),
        update=(
            "states:TagResource",
            "states:UntagResource",
            "states:UpdateStateMachine",
            "states:ValidateStateMachineDefinition",
        ),
        delete=("states:DeleteStateMachine", "states:DescribeStateMachine"),
    ),
    # events/rule.go (@Tags(identifierAttribute="arn")): Create = PutRule (Tags and State in
    # the request), then findRuleByTwoPartKey (DescribeRule) until visible; Read = DescribeRule
    # + ListTagsForResource; Update = PutRule (Tags again, for ABAC), Tag/UntagResource; Delete
    # = DeleteRule, retried while the rule still has targets. Alert rules are the
    # administrator's: ci-deploy gets these only for the restart rules (design/deployers.py).
    EVENT_RULE: ProviderActions(
        source="internal/service/events/rule.go",
        create=("events:DescribeRule", "events:PutRule", "events:TagResource"),
        read=("events:DescribeRule", "events:ListTagsForResource"),
        update=(
            "events:PutRule",
            "events:TagResource",
            "events:UntagResource",
        ),
        delete=("events:DeleteRule",),
    ),
    # events/target.go: Create/Update = PutTargets (a role_arn passes the role: iam:PassRole),
    # Read = findTargetByThreePartKey (ListTargetsByRule); Delete = RemoveTargets. Each call
    # authorises on the rule.
    EVENT_TARGET: ProviderActions(
        source="internal/service/events/target.go",
        create=("events:PutTargets",),
        read=("events:ListTargetsByRule",),
        update=("events:PutTargets",),
        delete=("events:RemoveTargets",),
    ),
    # The administrator's types: only what their Read calls, for ci-preview.
    # iam/openid_connect_provider.go: findOpenIDConnectProviderByARN.
    OIDC_PROVIDER: ProviderActions(
        source="internal/service/iam/openid_connect_provider.go",
        read=("iam:GetOpenIDConnectProvider",),
    ),
    # kms/key.go findKeyInfo: DescribeKey, GetKeyPolicy, GetKeyRotationStatus; tags listed.
    KEY: ProviderActions(
        source="internal/service/kms/key.go",
        read=(
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
        ),
    ),
    # kms/alias.go findAliasByName: ListAliases, filtered by name.
    ALIAS: ProviderActions(source="internal/service/kms/alias.go", read=("kms:ListAliases",)),
    # sns/topic.go findTopicAttributesByARN: GetTopicAttributes; tags_interceptor.go lists tags.
    TOPIC: ProviderActions(
        source="internal/service/sns/topic.go",
        read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
    ),
    # sns/topic_policy.go: the topic's Policy attribute.
    TOPIC_POLICY: ProviderActions(
        source="internal/service/sns/topic_policy.go", read=("sns:GetTopicAttributes",)
    ),
    # sns/topic_subscription.go findSubscriptionAttributesByARN.
    TOPIC_SUBSCRIPTION: ProviderActions(
        source="internal/service/sns/topic_subscription.go",
        read=("sns:GetSubscriptionAttributes",),
    ),
}
"""Resource type -> provider calls. Types absent here (the trail and its bucket, Access Analyzer,
other regions) are the administrator's and unread by CI: see docs/iam.md."""

SECRET_REPLICAS = ProviderActions(
    # secretsmanager/secret.go, the `replica` blocks: Create sends them as CreateSecret's
    # AddReplicaRegions (authorised as ReplicateSecretToRegions too) with
    # ForceOverwriteReplicaSecret; Update of `replica` = removeSecretReplicas
    # (RemoveRegionsFromReplication) of the regions gone or re-keyed, then addSecretReplicas
    # (ReplicateSecretToRegions) of the new ones (a removal deletes a replica, so it is listed
    # as a deletion: outside prod only), then waits with DescribeSecret
    # (ReplicationStatus); Delete = RemoveRegionsFromReplication of every replica before
    # DeleteSecret. Granted only to stacks with `replicaRegions` (design/replicas.py), and only
    # for their regions; KMS in the replica regions: GenerateDataKey and Encrypt (and Decrypt
    # of the primary key, which ci-deploy has), per the ReplicateSecretToRegions reference.
    source="internal/service/secretsmanager/secret.go",
    create=(f"{SM}ReplicateSecretToRegions",),
    read=(f"{SM}DescribeSecret",),
    update=(f"{SM}ReplicateSecretToRegions",),
    delete=(f"{SM}RemoveRegionsFromReplication",),
)
"""The calls of a secret's replicas: not in TABLE, so a stack without replicas grants none."""

INVOKED_WITH: dict[str, tuple[str, ...]] = {
    SECRET_ROTATION: ("lambda:InvokeFunction",),
}
"""Actions AWS authorises for the caller on another resource during the call: RotateSecret
checks that the caller may invoke the rotation function."""

ACTIONS_ON_STAR = frozenset(
    {
        "ecs:DeregisterTaskDefinition",
        "ecs:DescribeTaskDefinition",
        "kms:ListAliases",
        "logs:DescribeLogGroups",
        "sns:GetSubscriptionAttributes",
        "states:ValidateStateMachineDefinition",
    }
)
"""Table actions without resource-level permissions (parliament's iam_definition.json lists no
resource type for them): IAM grants them on "*" only."""


def actions_of(resource_type: str, *, production: bool) -> tuple[str, ...]:
    """The actions `pulumi up` calls for `resource_type`; nothing for an unknown type."""
    entry = TABLE.get(resource_type)
    return entry.up(production=production) if entry else ()


def prod_denied_deletions(types: Iterable[str]) -> tuple[str, ...]:
    """Actions only a Delete function calls (no Get/List/Describe): denied in prod."""
    types = list(types)
    kept = {
        action for resource_type in types for action in TABLE[resource_type].up(production=True)
    }
    return tuple(
        sorted(
            {
                action
                for resource_type in types
                for action in TABLE[resource_type].delete
                if action not in kept and not _is_read(action)
            }
        )
    )


def _is_read(action: str) -> bool:
    name = action.split(":", 1)[1]
    return name.startswith(("Get", "List", "Describe"))
