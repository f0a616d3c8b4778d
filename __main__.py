"""app-secrets: declares every secret of the catalog for one stack, who may read it, and exports."""

from functools import partial
from pathlib import Path

import pulumi

from components import (
    Alerting,
    AlertingArgs,
    BreakGlassRole,
    BreakGlassRoleArgs,
    CiRoles,
    CiRolesArgs,
    Rotation,
    RotationArgs,
    SecretEntry,
    SecretsKey,
    SecretsKeyArgs,
    SecretStore,
    SecretStoreArgs,
    ServiceAccess,
    ServiceAccessArgs,
    StackScope,
    TrailArgs,
    WorkloadBoundary,
    WorkloadBoundaryArgs,
    compact,
    current_account,
    github_subjects,
    naming,
    rotation_package,
    secret_config_values,
    secret_resource_policy,
    stack_inputs,
)

inputs = stack_inputs(Path(__file__).parent)
settings = inputs.settings
account = current_account()
tags = naming.standard_tags(settings)
stem = naming.resource_prefix(settings)
workload_path = naming.workload_path(settings)

key = SecretsKey(
    "secrets",
    SecretsKeyArgs(
        alias=naming.key_alias(settings),
        account_id=account.account_id,
        region=account.region,
        partition=account.partition,
        deletion_window_days=max(7, settings.recovery_window_days),
        protect=settings.protected,
        tags=tags,
    ),
)

resource_policy = account.resolved().apply(
    lambda resolved: compact(secret_resource_policy(resolved))
)
store = SecretStore(
    "secrets",
    SecretStoreArgs(
        secrets={
            name: SecretEntry(
                full_name=naming.secret_full_name(settings, name),
                spec=spec,
                tags=naming.secret_tags(settings, spec),
            )
            for name, spec in inputs.secrets.items()
        },
        kms_key_arn=key.arn,
        recovery_window_days=settings.recovery_window_days,
        config_values=secret_config_values(inputs),
        protect=settings.protected,
        resource_policy=resource_policy,
    ),
)
secret_arns = store.arns
full_names = {name: naming.secret_full_name(settings, name) for name in inputs.secrets}

boundary = WorkloadBoundary(
    "workload-boundary",
    WorkloadBoundaryArgs(
        policy_name=f"{stem}-workload-boundary",
        path=naming.BOUNDARY_PATH,
        secret_path=settings.secret_path,
        name_stem=stem,
        account=account,
        key_arn=key.arn,
        tags=tags,
    ),
)

services = {
    name: ServiceAccess(
        name,
        ServiceAccessArgs(
            service=name,
            spec=spec,
            execution_role_name=naming.service_role_name(settings, name, "exec"),
            task_role_name=naming.service_role_name(settings, name, "task"),
            role_path=workload_path,
            family=f"{stem}-{name}",
            log_group=naming.service_log_group(settings, name),
            secret_arns=secret_arns,
            secret_full_names=full_names,
            account=account,
            key_arn=key.arn,
            boundary_arn=boundary.arn,
            log_retention_days=settings.log_retention_days,
            tags=tags,
        ),
    )
    for name, spec in inputs.services.items()
}

rotated = {name: spec for name, spec in inputs.secrets.items() if spec.rotation is not None}
if rotated:
    rotation = Rotation(
        "rotation",
        RotationArgs(
            role_name=naming.rotation_role_name(settings),
            role_path=workload_path,
            function_name=partial(naming.rotation_function_name, settings),
            log_group_pattern=naming.rotation_log_group_pattern(settings),
            rotated=rotated,
            secret_arns=secret_arns,
            secret_full_names=full_names,
            first_values=store.versions,
            package=rotation_package(Path(__file__).parent),
            subnet_ids=settings.rotation_subnet_ids,
            security_group_ids=settings.rotation_security_group_ids,
            account=account,
            key_arn=key.arn,
            boundary_arn=boundary.arn,
            log_retention_days=settings.log_retention_days,
            tags=tags,
        ),
    )
    pulumi.export("rotationRoleArn", rotation.role_arn)
    pulumi.export("rotationFunctionArns", rotation.function_arns)

if settings.github_repository:
    preview_subject, deploy_subject = github_subjects(
        settings.github_repository,
        deploy_branch=settings.github_deploy_branch,
        deploy_environment=settings.github_deploy_environment,
    )
    ci = CiRoles(
        "ci",
        CiRolesArgs(
            repository=settings.github_repository,
            preview_subject=preview_subject,
            deploy_subject=deploy_subject,
            preview_role_name=f"{stem}-ci-preview",
            deploy_role_name=f"{stem}-ci-deploy",
            path=naming.CI_ROLE_PATH,
            scope=boundary.arn.apply(
                lambda boundary_arn: StackScope(
                    name_stem=stem,
                    secret_path=settings.secret_path,
                    workload_path=workload_path,
                    boundary_arn=boundary_arn,
                    production=settings.is_production,
                )
            ),
            account=account,
            key_arn=key.arn,
            oidc_provider_arn=settings.github_oidc_provider_arn,
            tags=tags,
        ),
    )
    pulumi.export("ciPreviewRoleArn", ci.preview_role_arn)
    pulumi.export("ciDeployRoleArn", ci.deploy_role_arn)
    pulumi.export("githubOidcProviderArn", ci.oidc_provider_arn)

alert_rules = {}
if settings.break_glass_principals:
    # Outside the paths ci-deploy manages: only an administrator's `pulumi up` changes it.
    break_glass = BreakGlassRole(
        "break-glass",
        BreakGlassRoleArgs(
            role_name=naming.break_glass_role_name(settings),
            path=naming.BREAK_GLASS_PATH,
            principals=settings.break_glass_principals,
            secret_path=settings.secret_path,
            account=account,
            key_arn=key.arn,
            tags=tags,
        ),
    )
    alert_rules["break-glass-used"] = break_glass.alert_rule
    pulumi.export("breakGlassRoleArn", break_glass.arn)

if settings.alerting:
    alerting = Alerting(
        "alerts",
        AlertingArgs(
            topic_name=naming.alert_topic_name(settings),
            rule_name_stem=stem,
            secret_path=settings.secret_path,
            account=account,
            emails=settings.alert_emails,
            https_endpoints=settings.alert_https_endpoints,
            extra_rules=alert_rules,
            trail=TrailArgs(
                trail_name=naming.trail_name(settings),
                bucket_name=account.account_id.apply(
                    lambda account_id: naming.trail_bucket_name(settings, account_id)
                ),
            )
            if settings.create_trail
            else None,
            key_deletion_window_days=max(7, settings.recovery_window_days),
            ci_role_path=naming.CI_ROLE_PATH,
            protect=settings.protected,
            tags=tags,
        ),
    )
    pulumi.export("alertTopicArn", alerting.topic_arn)
    pulumi.export("alertRuleArns", alerting.rule_arns)
    if alerting.trail_arn is not None:
        pulumi.export("trailArn", alerting.trail_arn)

pulumi.export("environment", settings.environment)
pulumi.export("secretPathPrefix", settings.secret_path)
pulumi.export("kmsKeyArn", key.arn)
pulumi.export("kmsKeyAlias", key.alias_name)
pulumi.export("secretArns", secret_arns)
pulumi.export("secretNames", store.names)
pulumi.export(
    "externalSecretArns",
    {name: secret_arns[name] for name, spec in inputs.secrets.items() if spec.external},
)
pulumi.export("boundaryPolicyArn", boundary.arn)
pulumi.export(
    "executionRoleArns", {name: access.execution_role_arn for name, access in services.items()}
)
pulumi.export("taskRoleArns", {name: access.task_role_arn for name, access in services.items()})
pulumi.export(
    "containerSecrets", {name: access.container_secrets for name, access in services.items()}
)
pulumi.export(
    "taskDefinitionArns",
    {
        name: access.task_definition_arn
        for name, access in services.items()
        if access.task_definition_arn
    },
)
