"""Restarts after rotation: which ECS services restart on which secrets, their rules and IAM.

ECS resolves a task's `secrets` once, when the task starts, so a rotated value reaches running
tasks only when they are replaced. Each successful rotation (`RotationSucceeded`) of a secret a
service receives through `env` starts a new deployment of the ECS service the catalog names
(`UpdateService` with `forceNewDeployment`), through EventBridge and one Step Functions state
machine using the AWS SDK integration: no function of our own.

One state machine for the whole stack, with a Choice on the rotated secret per service, rather
than one per service. What limits the design at 1,000 secrets is the event pattern: EventBridge
takes 2,048 characters per pattern (about 24 secret ARNs) and 300 rules per bus. With one state
machine each rotated secret appears once in the rules, however many services receive it, and
the stack adds one state machine, two roles and a rule (and its target) per 24 secrets. One state
machine per service would repeat a shared secret in every consumer's rules and multiply the
state machines, rules and targets by the services. The definition grows by one ARN per
(secret, service) pair, far within Step Functions' 1 MB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from design.alerts import (
    EVENTS_PRINCIPAL,
    SECRETS_MANAGER_EVENT_SOURCE,
    SECRETS_MANAGER_SOURCE,
    SERVICE_EVENT,
)
from design.arns import Account
from design.detection import EVENT_PATTERN_LIMIT
from design.exceptions import DefinitionTooLargeError
from design.iam import compact, document
from design.naming import StackNames
from inputs.catalog import SecretSpec, ServiceSpec, split_reference

ROTATION_SUCCEEDED = "RotationSucceeded"
SECRET_ID_PATH = "$.detail.additionalEventData.SecretId"
"""Where a rotation's service event names the secret: its full ARN."""
STATES_PRINCIPAL = "states.amazonaws.com"
UPDATE_SERVICE = "ecs:UpdateService"
START_EXECUTION = "states:StartExecution"
TASK_DEFINITION_KEY = "ecs:task-definition"
"""Present when an UpdateService request names a task definition: the restarts never do."""
RETRIED_ERRORS = ("Ecs.ServerException", "Ecs.ThrottlingException", "States.Timeout")
"""ECS's own failures and throttling, retried with backoff; anything else fails at once."""
EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change"
STATES_SOURCE = "aws.states"
FAILED_STATUSES = ("ABORTED", "FAILED", "TIMED_OUT")
ALERT_KIND = "restart-failed"
DEFINITION_LIMIT = 1_048_576
"""Step Functions: a state machine definition, in characters."""
EXECUTION_TIMEOUT_SECONDS = 900
TASK_TIMEOUT_SECONDS = 60
DONE, FAILED, RESTARTED = "Done", "RestartFailed", "Restarted"
FAILURE_PATH = "$.failed"
_WIDEST = Account(partition="aws-us-gov", region="xx-xxxxxxxxx-99", account_id="0" * 12)


@dataclass(frozen=True)
class ServiceRestart:
    """One ECS service of the cluster, and the rotated secrets that restart it."""

    ecs_service: str
    """The ECS service's name (`ecs_service` in the catalog). Required."""
    services: tuple[str, ...]
    """The catalog services that name it, sorted; the first names its states. Required."""
    secrets: tuple[str, ...]
    """Catalog names of the rotated secrets they receive through `env`, sorted. Required."""

    @property
    def label(self) -> str:
        return self.services[0]


def service_restarts(
    services: Mapping[str, ServiceSpec],
    secrets: Mapping[str, SecretSpec],
    *,
    cluster_name: str | None,
) -> tuple[ServiceRestart, ...]:
    """The ECS services to restart, by name, each with the rotated secrets of its `env`.

    Nothing without a cluster. A `runtime_read` secret restarts nothing: the application reads
    it again itself. Catalog services naming the same ECS service restart it once.
    """
    if not cluster_name:
        return ()
    found: dict[str, tuple[set[str], set[str]]] = {}
    for name, spec in services.items():
        rotated = {
            secret
            for secret, _ in map(split_reference, spec.env.values())
            if secret in secrets and secrets[secret].rotation is not None
        }
        if spec.ecs_service and rotated:
            consumers, restarting = found.setdefault(spec.ecs_service, (set(), set()))
            consumers.add(name)
            restarting |= rotated
    restarts = (
        ServiceRestart(ecs_service, tuple(sorted(consumers)), tuple(sorted(restarting)))
        for ecs_service, (consumers, restarting) in found.items()
    )
    return tuple(sorted(restarts, key=lambda restart: restart.label))


def restarted_secrets(restarts: Sequence[ServiceRestart]) -> tuple[str, ...]:
    """Every secret whose rotation restarts something, sorted."""
    return tuple(sorted({secret for restart in restarts for secret in restart.secrets}))


def rotation_succeeded_pattern(secret_arns: Sequence[str]) -> dict:
    """A successful rotation of one of `secret_arns`, by exact ARN.

    Rotation outcomes are CloudTrail service events; the secret's full ARN is in
    `additionalEventData.SecretId`. Exact ARNs, not a prefix: `{prefix}/{env}/db-` would also
    match `db-master`'s rotations.
    """
    return {
        "source": [SECRETS_MANAGER_SOURCE],
        "detail-type": [SERVICE_EVENT],
        "detail": {
            "eventSource": [SECRETS_MANAGER_EVENT_SOURCE],
            "eventName": [ROTATION_SUCCEEDED],
            "additionalEventData": {"SecretId": sorted(secret_arns)},
        },
    }


def rule_groups(names: StackNames, secrets: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The secrets of each rule, in catalog order, as many as fit EventBridge's pattern quota.

    Sized with the widest partition, region and the six characters Secrets Manager appends, so
    the patterns built from the real ARNs later are never larger.
    """
    groups: list[list[str]] = []
    for secret in sorted(secrets):
        candidate = [*groups[-1], secret] if groups else [secret]
        if groups and _widest_pattern_size(names, candidate) <= EVENT_PATTERN_LIMIT:
            groups[-1] = candidate
        else:
            groups.append([secret])
    return tuple(tuple(group) for group in groups)


def _widest_pattern_size(names: StackNames, secrets: Sequence[str]) -> int:
    arns = [
        _WIDEST.arn("secretsmanager", f"secret:{names.secret_full_name(secret)}-XXXXXX")
        for secret in secrets
    ]
    return len(compact(rotation_succeeded_pattern(arns)))


def service_arn(account: Account, *, cluster_name: str, ecs_service: str) -> str:
    """The long ARN format (`service/{cluster}/{service}`), which UpdateService authorises."""
    return account.arn("ecs", f"service/{cluster_name}/{ecs_service}")


def state_machine_arn(account: Account, names: StackNames) -> str:
    return account.arn("states", f"stateMachine:{names.restart_state_machine_name}")


def restart_rule_arns(account: Account, names: StackNames, *, count: int) -> list[str]:
    """The rules `{prefix}-{env}-rotated-001` ... in the stack's region, on the default bus."""
    return [
        account.arn("events", f"rule/{names.restart_rule_name(number)}")
        for number in range(1, count + 1)
    ]


def restart_definition(
    account: Account,
    *,
    cluster_name: str,
    restarts: Sequence[ServiceRestart],
    secret_arns: Mapping[str, str],
) -> dict:
    """The state machine: for each service in turn, restart it if it receives the secret.

    The input is the EventBridge event. Each `Check {service}` compares the rotated secret's ARN
    with the service's secrets; `Restart {service}` calls UpdateService with forceNewDeployment,
    retrying ECS's own failures with backoff. A failure is caught so that the other services
    still restart, and fails the execution at the end (which alerts).
    """
    states: dict[str, dict] = {}
    for index, restart in enumerate(restarts):
        after = f"Check {restarts[index + 1].label}" if index + 1 < len(restarts) else DONE
        arns = sorted(secret_arns[secret] for secret in restart.secrets)
        states[f"Check {restart.label}"] = {
            "Type": "Choice",
            "Choices": [{**_any_of(arns), "Next": f"Restart {restart.label}"}],
            "Default": after,
        }
        states[f"Restart {restart.label}"] = _restart_task(
            account, cluster_name=cluster_name, restart=restart, after=after
        )
    states[DONE] = {
        "Type": "Choice",
        "Choices": [{"Variable": FAILURE_PATH, "IsPresent": True, "Next": FAILED}],
        "Default": RESTARTED,
    }
    states[FAILED] = {
        "Type": "Fail",
        "ErrorPath": f"{FAILURE_PATH}.Error",
        "CausePath": f"{FAILURE_PATH}.Cause",
    }
    states[RESTARTED] = {"Type": "Succeed"}
    definition = {
        "Comment": f"Restarts the ECS services of {cluster_name} that receive a rotated secret",
        "StartAt": f"Check {restarts[0].label}",
        "TimeoutSeconds": EXECUTION_TIMEOUT_SECONDS,
        "States": states,
    }
    size = len(compact(definition))
    if size > DEFINITION_LIMIT:
        raise DefinitionTooLargeError(
            f"restart state machine: definition of {size} characters > {DEFINITION_LIMIT}"
        )
    return definition


def _any_of(secret_arns: Sequence[str]) -> dict:
    rules = [{"Variable": SECRET_ID_PATH, "StringEquals": arn} for arn in secret_arns]
    return rules[0] if len(rules) == 1 else {"Or": rules}


def _restart_task(
    account: Account, *, cluster_name: str, restart: ServiceRestart, after: str
) -> dict:
    # ResultPath null keeps the event as the output, for the next service's check.
    return {
        "Type": "Task",
        "Comment": f"ECS service {restart.ecs_service} ({', '.join(restart.services)})",
        "Resource": f"arn:{account.partition}:states:::aws-sdk:ecs:updateService",
        "Parameters": {
            "Cluster": cluster_name,
            "Service": restart.ecs_service,
            "ForceNewDeployment": True,
        },
        "TimeoutSeconds": TASK_TIMEOUT_SECONDS,
        "ResultPath": None,
        "Retry": [
            {
                "ErrorEquals": list(RETRIED_ERRORS),
                "IntervalSeconds": 5,
                "MaxAttempts": 5,
                "BackoffRate": 2.0,
                "MaxDelaySeconds": 60,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": FAILURE_PATH, "Next": after}],
        "Next": after,
    }


def restart_statements(
    account: Account, *, cluster_name: str, restarts: Sequence[ServiceRestart]
) -> list[dict]:
    """The state machine role's grant: a new deployment of exactly these services.

    The service ARN names the cluster, so another cluster's service of the same name is not
    covered. A request that names a task definition (which would change the code that runs) is
    refused: a restart never sends one.
    """
    return [
        {
            "Sid": "ForceNewDeployments",
            "Effect": "Allow",
            "Action": UPDATE_SERVICE,
            "Resource": _service_arns(account, cluster_name=cluster_name, restarts=restarts),
            "Condition": {"Null": {TASK_DEFINITION_KEY: "true"}},
        }
    ]


def _service_arns(
    account: Account, *, cluster_name: str, restarts: Sequence[ServiceRestart]
) -> list[str]:
    return sorted(
        service_arn(account, cluster_name=cluster_name, ecs_service=restart.ecs_service)
        for restart in restarts
    )


def start_statements(account: Account, names: StackNames) -> list[dict]:
    """The rules' role: start executions of the restart state machine, and nothing else."""
    return [
        {
            "Sid": "StartRestarts",
            "Effect": "Allow",
            "Action": START_EXECUTION,
            "Resource": state_machine_arn(account, names),
        }
    ]


def service_trust(account: Account, *, principal: str, source_arns: Sequence[str]) -> dict:
    """`principal` may assume the role only for these resources of this account (no confused
    deputy): Step Functions for the state machine, EventBridge for the rules."""
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account.account_id},
                    "ArnEquals": {"aws:SourceArn": sorted(source_arns)},
                },
            }
        ]
    )


def state_machine_trust(account: Account, names: StackNames) -> dict:
    return service_trust(
        account, principal=STATES_PRINCIPAL, source_arns=[state_machine_arn(account, names)]
    )


def rules_trust(account: Account, names: StackNames, *, rule_count: int) -> dict:
    return service_trust(
        account,
        principal=EVENTS_PRINCIPAL,
        source_arns=restart_rule_arns(account, names, count=rule_count),
    )


def boundary_statements(
    account: Account, names: StackNames, *, cluster_name: str, restarts: Sequence[ServiceRestart]
) -> list[dict]:
    """What the workload boundary must allow the two restart roles, exactly."""
    return [
        {
            "Sid": "RestartConsumingServices",
            "Effect": "Allow",
            "Action": UPDATE_SERVICE,
            "Resource": _service_arns(account, cluster_name=cluster_name, restarts=restarts),
            "Condition": {"Null": {TASK_DEFINITION_KEY: "true"}},
        },
        *start_statements(account, names),
    ]


def restart_failure_pattern(state_machine_arn: str) -> dict:
    """An execution of the restart state machine that failed, timed out or was aborted."""
    return {
        "source": [STATES_SOURCE],
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "detail": {"status": list(FAILED_STATUSES), "stateMachineArn": [state_machine_arn]},
    }
