"""app-secrets: declares every secret of the catalog for one stack, and exports their ARNs."""

from pathlib import Path

import pulumi

from components import (
    CatalogSecret,
    CatalogSecretArgs,
    SecretsKey,
    SecretsKeyArgs,
    current_account,
    key_alias,
    secret_config_values,
    secret_full_name,
    secret_tags,
    stack_inputs,
    standard_tags,
)

inputs = stack_inputs(Path(__file__).parent)
settings = inputs.settings
account = current_account()

key = SecretsKey(
    "secrets",
    SecretsKeyArgs(
        alias=key_alias(settings),
        account_id=account.account_id,
        region=account.region,
        partition=account.partition,
        deletion_window_days=max(7, settings.recovery_window_days),
        protect=settings.protected,
        tags=standard_tags(settings),
    ),
)

config_values = secret_config_values(inputs)
secrets = {
    name: CatalogSecret(
        name,
        CatalogSecretArgs(
            full_name=secret_full_name(settings, name),
            spec=spec,
            kms_key_arn=key.arn,
            recovery_window_days=settings.recovery_window_days,
            tags=secret_tags(settings, spec),
            config_values=config_values,
            protect=settings.protected,
        ),
    )
    for name, spec in inputs.secrets.items()
}

pulumi.export("environment", settings.environment)
pulumi.export("secretPathPrefix", settings.secret_path)
pulumi.export("kmsKeyArn", key.arn)
pulumi.export("kmsKeyAlias", key.alias_name)
pulumi.export("secretArns", {name: secret.arn for name, secret in secrets.items()})
pulumi.export("secretNames", {name: secret.secret_name for name, secret in secrets.items()})
pulumi.export(
    "externalSecretArns",
    {name: secrets[name].arn for name, spec in inputs.secrets.items() if spec.external},
)
