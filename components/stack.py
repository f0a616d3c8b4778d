"""Declares one stack from its validated inputs: every component, wired, and the stack outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from components.account import AwsAccount, current_account
from components.alerting import Alerting, AlertingArgs, AlertRule
from components.boundary import WorkloadBoundary, WorkloadBoundaryArgs
from components.break_glass import BreakGlassRole, BreakGlassRoleArgs
from components.ci_roles import CiRoles, CiRolesArgs
from components.kms import LogsKey, LogsKeyArgs, SecretsKey, SecretsKeyArgs
from components.lambda_package import rotation_package
from components.replicas import ReplicaKeys, replica_outputs, stack_replica_keys
from components.restarts import ServiceRestarts, ServiceRestartsArgs
from components.runtime import secret_config_values
from components.secret_rotation import Rotation, RotationArgs
from components.secrets import SecretEntry, SecretStore, SecretStoreArgs
from components.services import ServiceAccess, ServiceAccessArgs
from components.sharing import shared_resource_policies
from design.break_glass import ALERT_KIND
from design.containers import ecr_repository_arns
from design.detection import IAM_CHANGED, stack_role_names
from design.iam import compact, secret_resource_policy
from design.replicas import replicated_names
from design.restarts import ALERT_KIND as RESTART_ALERT_KIND
from design.restarts import ServiceRestart, service_restarts
from design.rotation import rotated_secrets
from design.rotation_rds import external_master_arns, rds_arns
from design.sharing import shared_secrets
from design.stack_inputs import StackInputs

Outputs = dict[str, Any]


def declare_stack(inputs: StackInputs, *, project_dir: Path) -> Outputs:
    """Everything the stack deploys; returns the stack outputs by name (README: Stack outputs).

    Resource names and parents here fix every URN: a rename needs `aliases`, or `pulumi up`
    replaces the resource.
    """
    settings, names = inputs.settings, inputs.names
    account = current_account()
    tags = names.standard_tags(settings.tags)
    key = SecretsKey(
        "secrets",
        SecretsKeyArgs(
            alias=names.key_alias,
            account=account,
            deletion_window_days=settings.key_deletion_window_days,
            protect=settings.protected,
            tags=tags,
            shared_secrets=shared_secrets(inputs),
        ),
    )
    replica_keys = stack_replica_keys(inputs, account=account, tags=tags)
    store = _secret_store(inputs, key_arn=key.arn, account=account, replica_keys=replica_keys)
    rotated = rotated_secrets(inputs.secrets, environment=settings.environment)
    restarts = service_restarts(
        inputs.services, inputs.secrets, cluster_name=settings.ecs_cluster_name
    )
    boundary = WorkloadBoundary(
        "workload-boundary",
        WorkloadBoundaryArgs(
            names=names,
            account=account,
            key_arn=key.arn,
            ecr_repository_arns=ecr_repository_arns(
                spec.task.image for spec in inputs.services.values() if spec.task
            ),
            rotation_subnet_ids=settings.rotation_subnet_ids,
            rotation_security_group_ids=settings.rotation_security_group_ids,
            # RDS's own master secrets and the databases rotations describe: outside the
            # stack's path, so the boundary names each exactly.
            rotation_external_master_arns=external_master_arns(rotated),
            rotation_rds_arns=rds_arns(rotated),
            restart_cluster=settings.ecs_cluster_name,
            restarts=restarts,
            replica_regions=settings.replica_regions,
            replica_key_arn=replica_keys.arn if replica_keys else None,
            tags=tags,
        ),
    )
    common = {"account": account, "key_arn": key.arn, "tags": tags}
    logs_key = _logs_key(inputs, account=account, tags=tags)
    log_key_arn = logs_key.arn if logs_key else None
    outputs: Outputs = {
        "environment": settings.environment,
        "secretPathPrefix": names.secret_path,
        "kmsKeyArn": key.arn,
        "kmsKeyAlias": key.alias_name,
        "secretArns": store.arns,
        "secretNames": store.names,
        "externalSecretArns": {
            name: store.arns[name] for name, spec in inputs.secrets.items() if spec.external
        },
        "boundaryPolicyArn": boundary.arn,
        **({"logsKeyArn": log_key_arn} if logs_key else {}),
        **replica_outputs(store.replica_arns, replica_keys),
        **_services(
            inputs,
            store=store,
            boundary_arn=boundary.arn,
            log_key_arn=log_key_arn,
            replica_keys=replica_keys,
            **common,
        ),
        **_rotation(
            inputs,
            project_dir,
            store=store,
            boundary_arn=boundary.arn,
            log_key_arn=log_key_arn,
            **common,
        ),
        **_ci_roles(inputs, boundary_arn=boundary.arn, restarts=bool(restarts), **common),
    }
    alert_rules: dict[str, AlertRule] = {}
    outputs |= _restarts(
        inputs, restarts, alert_rules, store=store, boundary_arn=boundary.arn, **common
    )
    outputs |= _break_glass(inputs, alert_rules, **common)
    outputs |= _alerting(inputs, alert_rules, account=account, key_arn=key.arn, tags=tags)
    return outputs


def _secret_store(
    inputs: StackInputs,
    *,
    key_arn: pulumi.Output[str],
    account: AwsAccount,
    replica_keys: ReplicaKeys | None = None,
) -> SecretStore:
    settings, names = inputs.settings, inputs.names
    return SecretStore(
        "secrets",
        SecretStoreArgs(
            secrets={
                name: SecretEntry(
                    full_name=names.secret_full_name(name),
                    spec=spec,
                    tags=inputs.secret_tags(spec),
                    master=spec.rotation.master_in(settings.environment) if spec.rotation else None,
                )
                for name, spec in inputs.secrets.items()
            },
            kms_key_arn=key_arn,
            recovery_window_days=settings.recovery_window_days,
            config_values=secret_config_values(inputs),
            protect=settings.protected,
            resource_policy=account.resolved().apply(
                lambda resolved: compact(secret_resource_policy(resolved))
            ),
            resource_policies=shared_resource_policies(inputs, account=account),
            replica_key_arns=replica_keys.arns if replica_keys else {},
            replicated=frozenset(replicated_names(inputs.secrets, inputs.settings.replica_regions)),
        ),
    )


def _logs_key(inputs: StackInputs, *, account: AwsAccount, tags: dict[str, str]) -> LogsKey | None:
    """The key of the stack's log groups, when it has any (task definitions or rotation)."""
    has_logs = any(spec.task for spec in inputs.services.values()) or rotated_secrets(
        inputs.secrets, environment=inputs.settings.environment
    )
    if not has_logs:
        return None
    return LogsKey(
        "logs",
        LogsKeyArgs(
            names=inputs.names,
            account=account,
            deletion_window_days=inputs.settings.key_deletion_window_days,
            protect=inputs.settings.protected,
            tags=tags,
        ),
    )


def _services(
    inputs: StackInputs,
    *,
    store: SecretStore,
    boundary_arn: pulumi.Output[str],
    log_key_arn: pulumi.Output[str] | None,
    replica_keys: ReplicaKeys | None = None,
    **common: Any,
) -> Outputs:
    regions = inputs.settings.replica_regions if replica_keys else []
    replicated = frozenset(replicated_names(inputs.secrets, regions))
    services = {
        name: ServiceAccess(
            name,
            ServiceAccessArgs(
                service=name,
                names=inputs.names,
                secret_arns=store.arns,
                boundary_arn=boundary_arn,
                env=spec.env,
                runtime_read=spec.runtime_read,
                task_image=spec.task.image if spec.task else None,
                task_cpu=spec.task.cpu if spec.task else 256,
                task_memory=spec.task.memory if spec.task else 512,
                task_environment=spec.task.environment if spec.task else {},
                task_read_only_root=spec.task.read_only_root if spec.task else True,
                log_retention_days=inputs.settings.log_retention,
                log_key_arn=log_key_arn,
                replicated=replicated,
                replica_regions=regions,
                replica_key_arn=replica_keys.arn if replica_keys else None,
                **common,
            ),
        )
        for name, spec in inputs.services.items()
    }
    return {
        "executionRoleArns": {name: access.execution_role_arn for name, access in services.items()},
        "taskRoleArns": {name: access.task_role_arn for name, access in services.items()},
        "containerSecrets": {name: access.container_secrets for name, access in services.items()},
        "taskDefinitionArns": {
            name: access.task_definition_arn
            for name, access in services.items()
            if access.task_definition_arn
        },
    }


def _rotation(
    inputs: StackInputs,
    project_dir: Path,
    *,
    store: SecretStore,
    boundary_arn: pulumi.Output[str],
    log_key_arn: pulumi.Output[str] | None,
    **common: Any,
) -> Outputs:
    rotated = rotated_secrets(inputs.secrets, environment=inputs.settings.environment)
    if not rotated:
        return {}
    settings = inputs.settings
    rotation = Rotation(
        "rotation",
        RotationArgs(
            names=inputs.names,
            rotated=rotated,
            secret_arns=store.arns,
            first_values=store.versions,
            package=rotation_package(project_dir),
            subnet_ids=settings.rotation_subnet_ids,
            security_group_ids=settings.rotation_security_group_ids,
            boundary_arn=boundary_arn,
            log_retention_days=settings.log_retention,
            log_key_arn=log_key_arn,
            **common,
        ),
    )
    return {"rotationRoleArn": rotation.role_arn, "rotationFunctionArns": rotation.function_arns}


def _restarts(
    inputs: StackInputs,
    restarts: tuple[ServiceRestart, ...],
    alert_rules: dict[str, AlertRule],
    *,
    store: SecretStore,
    boundary_arn: pulumi.Output[str],
    **common: Any,
) -> Outputs:
    """New deployments of the ECS services after rotations of their `env` secrets, when the
    stack names a cluster and a service there receives a rotated secret; failures alert."""
    cluster_name = inputs.settings.ecs_cluster_name
    if not cluster_name or not restarts:
        return {}
    component = ServiceRestarts(
        "restarts",
        ServiceRestartsArgs(
            names=inputs.names,
            cluster_name=cluster_name,
            restarts=restarts,
            secret_arns=store.arns,
            boundary_arn=boundary_arn,
            **common,
        ),
    )
    alert_rules[RESTART_ALERT_KIND] = component.alert_rule
    return {"restartStateMachineArn": component.state_machine_arn}


def _ci_roles(
    inputs: StackInputs,
    *,
    boundary_arn: pulumi.Output[str],
    restarts: bool = False,
    **common: Any,
) -> Outputs:
    settings = inputs.settings
    if not settings.github_repository:
        return {}
    ci = CiRoles(
        "ci",
        CiRolesArgs(
            names=inputs.names,
            repository=settings.github_repository,
            boundary_arn=boundary_arn,
            production=settings.is_production,
            external_secrets=tuple(
                sorted(name for name, spec in inputs.secrets.items() if spec.external)
            ),
            task_families=tuple(
                sorted(
                    inputs.names.task_family(name)
                    for name, spec in inputs.services.items()
                    if spec.task
                )
            ),
            restarts=restarts,
            replica_regions=tuple(settings.replica_regions)
            if replicated_names(inputs.secrets, settings.replica_regions)
            else (),
            deploy_branch=settings.github_deploy_branch,
            deploy_environment=settings.github_deploy_environment,
            oidc_provider_arn=settings.github_oidc_provider_arn,
            **common,
        ),
    )
    return {
        "ciPreviewRoleArn": ci.preview_role_arn,
        "ciDeployRoleArn": ci.deploy_role_arn,
        "githubOidcProviderArn": ci.oidc_provider_arn,
    }


def _break_glass(inputs: StackInputs, alert_rules: dict[str, AlertRule], **common: Any) -> Outputs:
    """The emergency role, outside the paths ci-deploy manages; its use feeds `alert_rules`."""
    principals = inputs.settings.break_glass_principals
    if not principals:
        return {}
    role = BreakGlassRole(
        "break-glass",
        BreakGlassRoleArgs(names=inputs.names, principals=principals, **common),
    )
    alert_rules[ALERT_KIND] = role.alert_rule
    return {"breakGlassRoleArn": role.arn}


def _alerting(
    inputs: StackInputs,
    alert_rules: dict[str, AlertRule],
    *,
    account: AwsAccount,
    key_arn: pulumi.Output[str],
    tags: dict[str, str],
) -> Outputs:
    """The topic and its rules, watching the stack's key, roles and secrets (README: Alerting)."""
    settings = inputs.settings
    if not settings.alerting:
        return {}
    region = _alert_region(inputs)
    alerting = Alerting(
        "alerts",
        AlertingArgs(
            names=inputs.names,
            account=account,
            region=region,
            role_names=stack_role_names(inputs.names, inputs.services),
            key_arns=[key_arn],
            access_analyzer_arn=settings.access_analyzer_arn,
            emails=settings.alert_emails,
            https_endpoints=settings.alert_https_endpoints,
            extra_rules=alert_rules,
            create_trail=settings.create_trail,
            key_deletion_window_days=settings.key_deletion_window_days,
            protect=settings.protected,
            tags=tags,
        ),
    )
    rule_arns = dict(alerting.rule_arns)
    if alerting.relay_rule_arn is not None:
        rule_arns[f"{IAM_CHANGED}-relay"] = alerting.relay_rule_arn
    outputs = {
        "alertTopicArn": alerting.topic_arn,
        "alertRuleArns": rule_arns,
        "accessAnalyzerArn": alerting.access_analyzer_arn,
    }
    if alerting.trail_arn is not None:
        outputs["trailArn"] = alerting.trail_arn
    return outputs


def _alert_region(inputs: StackInputs) -> str:
    """The stack's region: the input pipeline requires it, and checks the analyzer's."""
    assert inputs.region is not None
    return inputs.region
