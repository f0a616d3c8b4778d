"""What IAM's limits demand of a stack, checked before anything is declared: role names and
the size of each role's exact grants."""

from __future__ import annotations

from design.arns import Account
from design.exceptions import PolicyTooLargeError
from design.grant_layout import role_layout
from design.naming import ROLE_NAME_LIMIT, StackNames
from design.replicas import replica_copies
from design.rotation import WIDEST_NETWORK, rotation_statements
from inputs.catalog import Catalog, split_reference
from inputs.problems import problem
from inputs.stack_settings import StackSettings


def role_name_problems(
    catalog: Catalog, settings: StackSettings, *, catalog_file: str
) -> list[str]:
    """IAM role names hold at most 64 characters; `{prefix}-{env}-{service}-exec` must fit."""
    problems = []
    names = StackNames(prefix=settings.prefix, environment=settings.environment)
    for service in catalog.services_in(settings.environment):
        name = names.service_role_name(service, "exec")
        if len(name) > ROLE_NAME_LIMIT:
            problems.append(
                problem(
                    catalog_file,
                    f"services.{service}",
                    f"role name {name!r} is {len(name)} characters; IAM allows {ROLE_NAME_LIMIT}: "
                    "shorten the service name or the stack's prefix",
                )
            )
    return problems


def grant_size_problems(
    catalog: Catalog, settings: StackSettings, *, catalog_file: str
) -> list[str]:
    """Each role's exact grants must fit IAM's limits; checked before anything is declared."""
    secrets = catalog.secrets_in(settings.environment)
    roles = []
    for service_name, service in catalog.services_in(settings.environment).items():
        env = {split_reference(reference)[0] for reference in service.env.values()}
        roles.append((f"services.{service_name}.env", env, 1))
        roles.append((f"services.{service_name}.runtime_read", set(service.runtime_read), 0))
    rotated = {name for name, spec in secrets.items() if spec.rotation is not None}
    # The master secrets' read-only policy takes one managed-policy slot of the rotation role.
    masters = any(secrets[name].rotation.master for name in rotated)
    roles.append(("rotation", rotated, 1 if masters else 0))
    names = StackNames(prefix=settings.prefix, environment=settings.environment)
    problems = []
    for catalog_path, granted, aws_managed in roles:
        full_names = [names.secret_full_name(name) for name in granted]
        copies = replica_copies(secrets, settings, granted, role=catalog_path)
        try:
            role_layout(
                full_names, fixed=_any_fixed_statements, aws_managed=aws_managed, copies=copies
            )
        except PolicyTooLargeError as exc:
            problems.append(
                problem(catalog_file, catalog_path, f"too many secrets for one IAM role: {exc}")
            )
    return problems


def _any_fixed_statements(account: Account, key_arn: str) -> list[dict]:
    """The largest fixed part any workload role has, for the size check."""
    return rotation_statements(
        account, key_arn, log_group="/aws/lambda/" + "x" * 64, network=WIDEST_NETWORK
    )
