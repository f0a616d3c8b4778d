"""Every name, path, log-group pattern and tag set of a stack, from its prefix and environment.

The prefix and the environment stay two values: a joined `{prefix}-{env}` is built here and never
taken apart again (prefix `acme-web` with environment `pre-prod` has no unambiguous split).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MANAGED_BY = "pulumi"
SECRET_NAME_LIMIT = 512
ROLE_NAME_LIMIT = 64
WORKLOAD_ROLE_PATH_ROOT = "/app-secrets/"
CI_ROLE_PATH = "/app-secrets-ci/"
"""Outside the workload path ci-deploy manages, so CI cannot change its own roles."""
BOUNDARY_PATH = "/app-secrets-boundary/"
BREAK_GLASS_PATH = "/app-secrets-break-glass/"
"""Outside the workload path ci-deploy manages, so CI can neither change nor assume the role."""
ALERTING_ROLE_PATH = "/app-secrets-alerting/"
"""Outside every path ci-deploy manages: CI cannot change what carries the alerts."""
SERVICE_LOG_ROOT = "/app-secrets/"
LAMBDA_LOG_ROOT = "/aws/lambda/"
"""Lambda writes to `/aws/lambda/{function}`; the stack creates the group to set retention."""
ROTATION_STRATEGY_TAG = "RotationStrategy"


@dataclass(frozen=True)
class StackNames:
    """The names of one stack: `prefix` (1-24 of a-z0-9-) and `environment`, kept apart."""

    prefix: str
    environment: str

    @property
    def stem(self) -> str:
        """`{prefix}-{env}`, the start of role, family, function and log group names."""
        return f"{self.prefix}-{self.environment}"

    @property
    def secret_path(self) -> str:
        """`{prefix}/{env}/`: every secret of the stack lives under it, so IAM can scope by it."""
        return f"{self.prefix}/{self.environment}/"

    def secret_full_name(self, name: str) -> str:
        """`{prefix}/{env}/{name}`."""
        return f"{self.secret_path}{name}"

    @property
    def key_alias(self) -> str:
        return f"alias/{self.stem}-secrets"

    @property
    def logs_key_alias(self) -> str:
        """The key the stack's log groups are encrypted with."""
        return f"alias/{self.stem}-logs"

    @property
    def workload_path(self) -> str:
        """The IAM path of every role and managed policy the stack's workloads use.

        ci-deploy may manage only this path, so it cannot touch the CI roles or the boundary.
        """
        return f"{WORKLOAD_ROLE_PATH_ROOT}{self.stem}/"

    @property
    def boundary_policy_name(self) -> str:
        return f"{self.stem}-workload-boundary"

    def service_role_name(self, service: str, kind: str) -> str:
        """`{prefix}-{env}-{service}-exec` or `-task`."""
        return f"{self.stem}-{service}-{kind}"

    def task_family(self, service: str) -> str:
        return f"{self.stem}-{service}"

    def service_log_group(self, service: str) -> str:
        return f"{SERVICE_LOG_ROOT}{self.stem}/{service}"

    @property
    def service_log_group_pattern(self) -> str:
        """Matches the log group of every service of the stack, and no other stack's."""
        return self.service_log_group("*")

    @property
    def rotation_role_name(self) -> str:
        """The one role every rotation function of the stack runs as."""
        return f"{self.stem}-rotation"

    def rotation_function_name(self, profile_slug: str) -> str:
        """`{prefix}-{env}-rot-{profile}`, at most 41 + 5 + 16 of Lambda's 64 characters."""
        return f"{self.stem}-rot-{profile_slug}"

    def rotation_log_group(self, profile_slug: str) -> str:
        return lambda_log_group(self.rotation_function_name(profile_slug))

    @property
    def rotation_log_group_pattern(self) -> str:
        """Matches the log group of every rotation function of the stack, and no other's."""
        return self.rotation_log_group("*")

    @property
    def lambda_log_group_pattern(self) -> str:
        """Every `/aws/lambda/{prefix}-{env}-*` group: the functions the boundary allows."""
        return lambda_log_group(f"{self.stem}-*")

    def ci_role_name(self, kind: str) -> str:
        """`{prefix}-{env}-ci-preview` or `-ci-deploy`."""
        return f"{self.stem}-ci-{kind}"

    @property
    def ci_role_pattern(self) -> str:
        """The CI roles of this stack by name under their path."""
        return f"{self.stem}-*"

    @property
    def break_glass_role_name(self) -> str:
        return f"{self.stem}-break-glass"

    @property
    def iam_relay_role_name(self) -> str:
        """The role EventBridge uses to forward IAM's us-east-1 events to the stack's region."""
        return f"{self.stem}-iam-relay"

    @property
    def restart_state_machine_name(self) -> str:
        """The one state machine that restarts services after a rotation: at most 41 + 9 of
        Step Functions' 80 characters."""
        return f"{self.stem}-restarts"

    def restart_role_name(self, assumed_by: str) -> str:
        """`{prefix}-{env}-restarts-sfn` (the state machine's) or `-events` (its rules'): at
        most 41 + 16 of IAM's 64 characters."""
        return f"{self.stem}-restarts-{assumed_by}"

    def restart_rule_name(self, number: int | str) -> str:
        """`{prefix}-{env}-rotated-001`: three digits, so that `-rotated-???` names these
        rules and no alert rule of this or another stack (at most 41 + 12 of 64)."""
        digits = f"{number:03d}" if isinstance(number, int) else number
        return f"{self.stem}-rotated-{digits}"

    @property
    def alert_topic_name(self) -> str:
        return f"{self.stem}-secrets-alerts"

    def alert_rule_name(self, kind: str) -> str:
        """`{prefix}-{env}-{kind}`: at most 41 + 1 + 22 characters, within EventBridge's 64."""
        return f"{self.stem}-{kind}"

    @property
    def trail_name(self) -> str:
        return f"{self.stem}-secrets-trail"

    def trail_bucket_name(self, account_id: str) -> str:
        """Bucket names are global: the account id makes it unique (at most 60 of S3's 63)."""
        return f"{self.stem}-trail-{account_id}"

    @property
    def identity_tags(self) -> dict[str, str]:
        """Project, Environment, ManagedBy: what CI's tag conditions and `verify` rely on."""
        return {"Project": self.prefix, "Environment": self.environment, "ManagedBy": MANAGED_BY}

    def standard_tags(self, stack_tags: Mapping[str, str]) -> dict[str, str]:
        """The tags every resource carries: the stack's own, then the identity tags."""
        return {**stack_tags, **self.identity_tags}

    def secret_tags(
        self,
        stack_tags: Mapping[str, str],
        secret_tags: Mapping[str, str],
        *,
        rotation_strategy: str | None,
    ) -> dict[str, str]:
        """Stack + the secret's own + identity tags, and `RotationStrategy` on a rotated secret.

        The catalog rejects the reserved keys, so neither the stack nor the secret can override
        them.
        """
        tags = {**stack_tags, **secret_tags, **self.identity_tags}
        if rotation_strategy is not None:
            tags[ROTATION_STRATEGY_TAG] = rotation_strategy
        return tags


def lambda_log_group(function_name: str) -> str:
    return f"{LAMBDA_LOG_ROOT}{function_name}"
