"""Where the stack deploys, and the ARNs built from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """The partition, region and account id every ARN of the stack is built from."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str) -> str:
        """An ARN of this account; IAM's are global, so they carry no region."""
        region = "" if service == "iam" else self.region
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def aws_managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    @property
    def root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def service_principal_host(self, service: str) -> str:
        """`{service}.{region}.amazonaws.com`, as `kms:ViaService` names a calling service."""
        return f"{service}.{self.region}.amazonaws.com"


def log_group_arn(account: Account, log_group: str) -> str:
    return account.arn("logs", f"log-group:{log_group}:*")


def secrets_manager_service(region: str) -> str:
    """The `kms:ViaService` value of Secrets Manager in `region`."""
    return f"secretsmanager.{region}.amazonaws.com"
