"""The components and pure functions app-secrets is built from."""

from components.account import AwsAccount, current_account
from components.catalog import Catalog, SecretSpec, ServiceSpec, load_catalog
from components.exceptions import InputError
from components.inputs import StackInputs, load_inputs
from components.kms import SecretsKey, SecretsKeyArgs, key_policy
from components.naming import key_alias, secret_full_name, secret_tags, standard_tags
from components.runtime import secret_config_values, stack_inputs
from components.secrets import CatalogSecret, CatalogSecretArgs
from components.settings import StackSettings

__all__ = [
    "AwsAccount",
    "Catalog",
    "CatalogSecret",
    "CatalogSecretArgs",
    "InputError",
    "SecretSpec",
    "SecretsKey",
    "SecretsKeyArgs",
    "ServiceSpec",
    "StackInputs",
    "StackSettings",
    "current_account",
    "key_alias",
    "key_policy",
    "load_catalog",
    "load_inputs",
    "secret_config_values",
    "secret_full_name",
    "secret_tags",
    "stack_inputs",
    "standard_tags",
]
