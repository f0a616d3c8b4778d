"""The ComponentResources a stack is built from, and the function that declares a whole stack."""

from components.account import AwsAccount, current_account
from components.alerting import Alerting, AlertingArgs, AlertRule
from components.boundary import WorkloadBoundary, WorkloadBoundaryArgs
from components.break_glass import BreakGlassRole, BreakGlassRoleArgs
from components.ci_roles import CiRoles, CiRolesArgs
from components.kms import SecretsKey, SecretsKeyArgs
from components.lambda_package import LambdaPackage, rotation_package
from components.roles import WorkloadRole, WorkloadRoleArgs
from components.runtime import program_inputs, secret_config_values
from components.secret_rotation import Rotation, RotationArgs
from components.secrets import SecretEntry, SecretStore, SecretStoreArgs
from components.services import ServiceAccess, ServiceAccessArgs
from components.stack import declare_stack

__all__ = [
    "AlertRule",
    "Alerting",
    "AlertingArgs",
    "AwsAccount",
    "BreakGlassRole",
    "BreakGlassRoleArgs",
    "CiRoles",
    "CiRolesArgs",
    "LambdaPackage",
    "Rotation",
    "RotationArgs",
    "SecretEntry",
    "SecretStore",
    "SecretStoreArgs",
    "SecretsKey",
    "SecretsKeyArgs",
    "ServiceAccess",
    "ServiceAccessArgs",
    "WorkloadBoundary",
    "WorkloadBoundaryArgs",
    "WorkloadRole",
    "WorkloadRoleArgs",
    "current_account",
    "declare_stack",
    "program_inputs",
    "rotation_package",
    "secret_config_values",
]
