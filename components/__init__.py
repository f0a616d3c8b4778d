"""The components and pure functions app-secrets is built from."""

from components import naming
from components.account import AwsAccount, current_account
from components.alerting import Alerting, AlertingArgs, AlertRule, TrailArgs
from components.boundary import WorkloadBoundary, WorkloadBoundaryArgs
from components.break_glass import BreakGlassRole, BreakGlassRoleArgs
from components.catalog import Catalog, SecretSpec, ServiceSpec, load_catalog
from components.ci import CiRoles, CiRolesArgs, StackScope, github_subjects
from components.exceptions import InputError
from components.grants import compact, secret_resource_policy
from components.inputs import StackInputs, load_inputs
from components.kms import SecretsKey, SecretsKeyArgs, key_policy
from components.lambda_package import LambdaPackage, rotation_package
from components.rotation import Rotation, RotationArgs
from components.runtime import secret_config_values, stack_inputs
from components.secrets import SecretEntry, SecretStore, SecretStoreArgs
from components.services import ServiceAccess, ServiceAccessArgs
from components.settings import StackSettings

__all__ = [
    "AlertRule",
    "Alerting",
    "AlertingArgs",
    "AwsAccount",
    "BreakGlassRole",
    "BreakGlassRoleArgs",
    "Catalog",
    "CiRoles",
    "CiRolesArgs",
    "InputError",
    "LambdaPackage",
    "Rotation",
    "RotationArgs",
    "SecretEntry",
    "SecretSpec",
    "SecretStore",
    "SecretStoreArgs",
    "SecretsKey",
    "SecretsKeyArgs",
    "ServiceAccess",
    "ServiceAccessArgs",
    "ServiceSpec",
    "StackInputs",
    "StackScope",
    "StackSettings",
    "TrailArgs",
    "WorkloadBoundary",
    "WorkloadBoundaryArgs",
    "compact",
    "current_account",
    "github_subjects",
    "key_policy",
    "load_catalog",
    "load_inputs",
    "naming",
    "rotation_package",
    "secret_config_values",
    "secret_resource_policy",
    "stack_inputs",
]
