"""Restarts after rotation: who restarts on what, the rules' patterns, the definition, the IAM."""

from __future__ import annotations

import json

import parliament
import pytest

from aws_model.event_patterns import matches, validate_pattern
from aws_model.iam_eval import Decision, Request, evaluate
from aws_model.step_functions import TaskFailure, run, validate_definition
from design.arns import Account
from design.boundary import workload_boundary
from design.detection import EVENT_PATTERN_LIMIT
from design.exceptions import DefinitionTooLargeError
from design.iam import compact, document
from design.naming import StackNames
from design.restarts import (
    ServiceRestart,
    boundary_statements,
    restart_definition,
    restart_failure_pattern,
    restart_rule_arns,
    restart_statements,
    restarted_secrets,
    rotation_succeeded_pattern,
    rule_groups,
    rules_trust,
    service_arn,
    service_restarts,
    start_statements,
    state_machine_arn,
    state_machine_trust,
)
from inputs.catalog import Catalog
from secretsctl.mock_answers import ANSWERS
from tests.conftest import ACCOUNT_ID, REGION
from tests.design.service_requests import assume, source

ACCOUNT = Account(partition="aws", region=REGION, account_id=ACCOUNT_ID)
NAMES = StackNames(prefix="acme", environment="dev")
CLUSTER = "acme-main"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/k"
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/app-secrets/acme-dev/acme-dev-restarts-sfn"
TOKEN = {"every_days": 30, "strategy": "token"}
CATALOG = Catalog.model_validate(
    {
        "environments": ["dev"],
        "secrets": {
            "db": {"description": "x", "generate": {}, "rotation": TOKEN},
            "db-master": {"description": "x", "generate": {}, "rotation": TOKEN},
            "app": {
                "description": "x",
                "fields": {"KEY": {"generate": {}}, "HOST": {"value": "h"}},
                "rotation": TOKEN,
            },
            "cached": {"description": "x", "generate": {}, "rotation": TOKEN},
            "static": {"description": "x", "generate": {}},
        },
        "services": {
            "api": {
                "env": {"DB": "db", "APP_KEY": "app:KEY", "STATIC": "static"},
                "runtime_read": ["cached"],
                "ecs_service": "api-svc",
            },
            "api-admin": {"env": {"DB": "db"}, "ecs_service": "api-svc"},
            "worker": {"env": {"DB": "db-master"}, "ecs_service": "worker-svc"},
            "reports": {"env": {"DB": "db"}},  # no ecs_service: never restarted
            "cron": {"env": {"STATIC": "static"}, "ecs_service": "cron-svc"},  # nothing rotated
        },
    }
)
RESTARTS = service_restarts(
    CATALOG.services_in("dev"), CATALOG.secrets_in("dev"), cluster_name=CLUSTER
)


def secret_arn(name: str) -> str:
    """The ARN the plan's mock gives the secret: its full name and six derived characters."""
    answer = ANSWERS["aws:secretsmanager/secret:Secret"]
    return answer(ACCOUNT, f"{name}-secret", {"name": NAMES.secret_full_name(name)})[1]["arn"]


ARNS = {name: secret_arn(name) for name in CATALOG.secrets}
DEFINITION = restart_definition(ACCOUNT, cluster_name=CLUSTER, restarts=RESTARTS, secret_arns=ARNS)
PATTERN = rotation_succeeded_pattern([ARNS[name] for name in restarted_secrets(RESTARTS)])
MACHINE = state_machine_arn(ACCOUNT, NAMES)


def rotation_event(event_name: str, secret_id: str) -> dict:
    """A rotation outcome as EventBridge receives it: a CloudTrail service event."""
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "AWS Service Event via CloudTrail",
        "source": "aws.secretsmanager",
        "account": ACCOUNT_ID,
        "time": "2025-03-01T04:00:12Z",
        "region": REGION,
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {"accountId": ACCOUNT_ID, "invokedBy": "secretsmanager.amazonaws.com"},
            "eventTime": "2025-03-01T04:00:12Z",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": event_name,
            "awsRegion": REGION,
            "sourceIPAddress": "secretsmanager.amazonaws.com",
            "userAgent": "secretsmanager.amazonaws.com",
            "requestParameters": None,
            "responseElements": None,
            "additionalEventData": {"SecretId": secret_id},
            "requestID": "c7ba8c6a-0000-4e7d-9c0d-5f1c2f4b7a11",
            "eventID": "6a2e0c4f-0000-4a57-8c39-2b3c0a9f8e21",
            "readOnly": False,
            "eventType": "AwsServiceEvent",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT_ID,
            "eventCategory": "Management",
        },
    }


# --- who restarts on what --------------------------------------------------------------------


def test_each_ecs_service_restarts_on_the_rotated_secrets_of_its_env():
    expected = (
        ServiceRestart("api-svc", ("api", "api-admin"), ("app", "db")),
        ServiceRestart("worker-svc", ("worker",), ("db-master",)),
    )
    assert expected == RESTARTS
    assert restarted_secrets(RESTARTS) == ("app", "db", "db-master")


def test_nothing_restarts_without_a_cluster():
    assert service_restarts(CATALOG.services, CATALOG.secrets, cluster_name=None) == ()


def test_runtime_reads_and_unrotated_secrets_restart_nothing():
    assert "cached" not in restarted_secrets(RESTARTS)
    assert "static" not in restarted_secrets(RESTARTS)
    assert "cron-svc" not in {restart.ecs_service for restart in RESTARTS}


# --- the rules' patterns ---------------------------------------------------------------------


def test_the_pattern_is_one_eventbridge_accepts():
    validate_pattern(PATTERN)


@pytest.mark.parametrize("secret", ["app", "db", "db-master"])
def test_the_pattern_matches_a_successful_rotation_of_each_consumed_secret(secret):
    assert matches(PATTERN, rotation_event("RotationSucceeded", ARNS[secret]))


@pytest.mark.parametrize(
    "secret_id",
    [
        secret_arn("cached"),  # read at runtime
        secret_arn("static"),
        secret_arn("db-replica"),  # a name that extends a consumed one
        secret_arn("db")[:-7],  # the ARN without Secrets Manager's suffix
        secret_arn("db").replace(ACCOUNT_ID, "999988887777"),
        secret_arn("db").replace(REGION, "us-east-1"),
    ],
)
def test_the_pattern_ignores_every_other_secret(secret_id):
    assert not matches(PATTERN, rotation_event("RotationSucceeded", secret_id))


def test_a_prefix_of_another_name_matches_only_its_own_secret():
    # GIVEN only `db` consumed, and `db-master` rotated beside it
    only_db = rotation_succeeded_pattern([ARNS["db"]])

    # THEN a rotation of db-master restarts nothing that reads db
    assert matches(only_db, rotation_event("RotationSucceeded", ARNS["db"]))
    assert not matches(only_db, rotation_event("RotationSucceeded", ARNS["db-master"]))


@pytest.mark.parametrize(
    "event_name", ["RotationStarted", "RotationFailed", "RotationAbandoned", "PutSecretValue"]
)
def test_the_pattern_ignores_every_other_event_of_the_secret(event_name):
    assert not matches(PATTERN, rotation_event(event_name, ARNS["db"]))


def test_the_pattern_ignores_an_api_call_of_the_same_name():
    event = rotation_event("RotationSucceeded", ARNS["db"])
    event["detail-type"] = "AWS API Call via CloudTrail"

    assert not matches(PATTERN, event)


def test_rules_hold_every_secret_once_within_eventbridge_s_quota():
    secrets = [f"service-{index:04}/database-password" for index in range(1000)]
    widest = StackNames(prefix="p" * 24, environment="e" * 16)

    groups = rule_groups(widest, secrets)

    assert sorted(secret for group in groups for secret in group) == sorted(secrets)
    assert len(groups) < 100  # three digits name them
    wide = Account(partition="aws-us-gov", region="ap-southeast-5", account_id=ACCOUNT_ID)
    for group in groups:
        arns = [
            wide.arn("secretsmanager", f"secret:{widest.secret_full_name(secret)}-AbCdEf")
            for secret in group
        ]
        assert len(compact(rotation_succeeded_pattern(arns))) <= EVENT_PATTERN_LIMIT
    assert all(len(widest.restart_rule_name(n)) <= 64 for n in range(1, len(groups) + 1))


def test_few_secrets_need_one_rule():
    assert rule_groups(NAMES, restarted_secrets(RESTARTS)) == (("app", "db", "db-master"),)


# --- the state machine -----------------------------------------------------------------------


def updated(definition: dict, event: dict, *, fail: dict[str, str] | None = None) -> tuple:
    """Run the definition on `event`; UpdateService fails for the services in `fail`."""

    def call(resource: str, parameters: dict) -> dict:
        assert resource == "arn:aws:states:::aws-sdk:ecs:updateService"
        error = (fail or {}).get(parameters["Service"])
        if error:
            raise TaskFailure(error, f"{parameters['Service']}: {error}")
        return {"Service": {"ServiceName": parameters["Service"]}}

    execution = run(definition, event, call=call)
    return execution, [
        (p["Cluster"], p["Service"], p["ForceNewDeployment"]) for _, p in execution.calls
    ]


def test_the_definition_is_one_step_functions_accepts_and_names_exactly_the_services():
    validate_definition(DEFINITION)
    tasks = [state for state in DEFINITION["States"].values() if state["Type"] == "Task"]

    assert {(t["Parameters"]["Cluster"], t["Parameters"]["Service"]) for t in tasks} == {
        (CLUSTER, "api-svc"),
        (CLUSTER, "worker-svc"),
    }
    assert all(t["Parameters"]["ForceNewDeployment"] is True for t in tasks)
    assert len(compact(DEFINITION)) < 10_000


@pytest.mark.parametrize(
    ("secret", "services"),
    [("db", ["api-svc"]), ("app", ["api-svc"]), ("db-master", ["worker-svc"])],
)
def test_a_rotation_redeploys_exactly_the_services_that_receive_the_secret(secret, services):
    execution, calls = updated(DEFINITION, rotation_event("RotationSucceeded", ARNS[secret]))

    assert execution.status == "SUCCEEDED"
    assert calls == [(CLUSTER, service, True) for service in services]


def test_a_secret_shared_by_two_services_redeploys_both():
    shared = service_restarts(
        {
            "a": CATALOG.services["api"],
            "w": CATALOG.services["api"].model_copy(update={"ecs_service": "other-svc"}),
        },
        CATALOG.secrets,
        cluster_name=CLUSTER,
    )
    definition = restart_definition(
        ACCOUNT, cluster_name=CLUSTER, restarts=shared, secret_arns=ARNS
    )

    _, calls = updated(definition, rotation_event("RotationSucceeded", ARNS["db"]))

    assert [service for _, service, _ in calls] == ["api-svc", "other-svc"]


def test_a_failed_restart_still_restarts_the_others_and_fails_the_execution():
    both = restart_definition(
        ACCOUNT,
        cluster_name=CLUSTER,
        restarts=[
            ServiceRestart("api-svc", ("api",), ("db",)),
            ServiceRestart("worker-svc", ("worker",), ("db",)),
        ],
        secret_arns=ARNS,
    )
    event = rotation_event("RotationSucceeded", ARNS["db"])

    execution, calls = updated(both, event, fail={"api-svc": "Ecs.ServiceNotFoundException"})

    assert [service for _, service, _ in calls] == ["api-svc", "worker-svc"]  # not retried
    assert (execution.status, execution.error) == ("FAILED", "Ecs.ServiceNotFoundException")


def test_throttling_is_retried_with_backoff_then_fails():
    execution, calls = updated(
        DEFINITION,
        rotation_event("RotationSucceeded", ARNS["db"]),
        fail={"api-svc": "Ecs.ThrottlingException"},
    )
    retry = DEFINITION["States"]["Restart api"]["Retry"][0]

    assert len(calls) == 1 + retry["MaxAttempts"]
    assert retry["BackoffRate"] > 1 and retry["IntervalSeconds"] >= 1
    assert "Ecs.ServerException" in retry["ErrorEquals"]
    assert execution.status == "FAILED"


def test_an_unknown_secret_restarts_nothing():
    execution, calls = updated(DEFINITION, rotation_event("RotationSucceeded", ARNS["static"]))

    assert (execution.status, calls) == ("SUCCEEDED", [])


def test_fails_on_a_definition_beyond_step_functions_limit():
    many = [ServiceRestart(f"s-{n}", (f"s{n:03}",), tuple(ARNS)) for n in range(3000)]

    with pytest.raises(DefinitionTooLargeError, match="1048576"):
        restart_definition(ACCOUNT, cluster_name=CLUSTER, restarts=many, secret_arns=ARNS)


# --- the roles ------------------------------------------------------------------------------


BOUNDARY = workload_boundary(
    ACCOUNT, names=NAMES, key_arn=KEY_ARN, restart_cluster=CLUSTER, restarts=RESTARTS
)
MACHINE_POLICY = document(restart_statements(ACCOUNT, cluster_name=CLUSTER, restarts=RESTARTS))
RULES_POLICY = document(start_statements(ACCOUNT, NAMES))


def decide(
    policy: dict, action: str, resource: str, *, boundary: dict | None = BOUNDARY, **context
) -> Decision:
    request = Request(principal_arn=ROLE, action=action, resource_arn=resource, context=context)
    return evaluate(request, identity_policies=[policy], permissions_boundary=boundary)


def ecs(resource: str) -> str:
    return ACCOUNT.arn("ecs", resource)


def test_the_state_machine_may_redeploy_exactly_the_consuming_services():
    for service in ("api-svc", "worker-svc"):
        arn = service_arn(ACCOUNT, cluster_name=CLUSTER, ecs_service=service)
        assert decide(MACHINE_POLICY, "ecs:UpdateService", arn) is Decision.ALLOW


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("ecs:UpdateService", ecs(f"service/{CLUSTER}/cron-svc"), {}),  # another service
        ("ecs:UpdateService", ecs("service/other-cluster/api-svc"), {}),  # another cluster
        ("ecs:UpdateService", ecs("service/api-svc"), {}),  # the short ARN format
        (
            "ecs:UpdateService",
            ecs(f"service/{CLUSTER}/api-svc"),
            {"ecs:task-definition": ecs("task-definition/evil:1")},  # other code
        ),
        ("ecs:DeleteService", ecs(f"service/{CLUSTER}/api-svc"), {}),
        ("ecs:CreateService", ecs(f"service/{CLUSTER}/api-svc"), {}),
        ("ecs:StopTask", ecs(f"task/{CLUSTER}/0123"), {}),
        ("states:StartExecution", MACHINE, {}),
        ("secretsmanager:GetSecretValue", ARNS["db"], {}),
    ],
)
def test_the_state_machine_may_do_nothing_else(action, resource, context):
    assert decide(MACHINE_POLICY, action, resource, **context) is not Decision.ALLOW


def test_the_role_policy_alone_refuses_a_task_definition_and_other_services():
    arn = service_arn(ACCOUNT, cluster_name=CLUSTER, ecs_service="api-svc")
    evil = {"ecs:task-definition": ecs("task-definition/evil:1")}

    assert decide(MACHINE_POLICY, "ecs:UpdateService", arn, boundary=None) is Decision.ALLOW
    assert decide(MACHINE_POLICY, "ecs:UpdateService", arn, boundary=None, **evil) is (
        Decision.IMPLICIT_DENY
    )
    other = ecs(f"service/{CLUSTER}/cron-svc")
    assert decide(MACHINE_POLICY, "ecs:UpdateService", other, boundary=None) is (
        Decision.IMPLICIT_DENY
    )


def test_both_the_boundary_and_the_role_policy_must_allow_a_restart():
    arn = service_arn(ACCOUNT, cluster_name=CLUSTER, ecs_service="api-svc")
    without_restarts = workload_boundary(ACCOUNT, names=NAMES, key_arn=KEY_ARN)
    everything = document([{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}])

    assert decide(MACHINE_POLICY, "ecs:UpdateService", arn, boundary=without_restarts) is (
        Decision.IMPLICIT_DENY
    )
    # a role ci-deploy might create under the boundary, granted everything: still these only
    assert decide(everything, "ecs:UpdateService", arn) is Decision.ALLOW
    assert decide(everything, "ecs:DeleteService", arn) is Decision.IMPLICIT_DENY
    other = ecs(f"service/{CLUSTER}/cron-svc")
    assert decide(everything, "ecs:UpdateService", other) is Decision.IMPLICIT_DENY
    evil = {"ecs:task-definition": ecs("task-definition/evil:1")}
    assert decide(everything, "ecs:UpdateService", arn, **evil) is Decision.IMPLICIT_DENY


def test_the_rules_may_start_the_restart_state_machine_only():
    assert decide(RULES_POLICY, "states:StartExecution", MACHINE) is Decision.ALLOW
    other = MACHINE.replace("acme-dev-restarts", "acme-prod-restarts")
    assert decide(RULES_POLICY, "states:StartExecution", other) is Decision.IMPLICIT_DENY
    arn = service_arn(ACCOUNT, cluster_name=CLUSTER, ecs_service="api-svc")
    assert decide(RULES_POLICY, "ecs:UpdateService", arn) is Decision.IMPLICIT_DENY
    assert decide(RULES_POLICY, "states:StopExecution", MACHINE) is Decision.IMPLICIT_DENY


def test_the_boundary_names_the_services_and_the_state_machine_exactly():
    granted = {
        s["Sid"]: s
        for s in boundary_statements(ACCOUNT, NAMES, cluster_name=CLUSTER, restarts=RESTARTS)
    }

    assert granted["RestartConsumingServices"]["Resource"] == [
        ecs(f"service/{CLUSTER}/api-svc"),
        ecs(f"service/{CLUSTER}/worker-svc"),
    ]
    assert granted["StartRestarts"]["Resource"] == MACHINE
    assert "ecs:" not in compact(workload_boundary(ACCOUNT, names=NAMES, key_arn=KEY_ARN))


def test_step_functions_assumes_the_role_for_the_stack_s_state_machine_only():
    trust = state_machine_trust(ACCOUNT, NAMES)
    principal = "states.amazonaws.com"

    assert assume(trust, principal, **source(ACCOUNT_ID, MACHINE)) is Decision.ALLOW
    for account_id, arn in [
        (ACCOUNT_ID, MACHINE.replace("acme-dev-", "acme-prod-")),
        ("999988887777", MACHINE.replace(ACCOUNT_ID, "999988887777")),
        (ACCOUNT_ID, None),
        (None, MACHINE),
    ]:
        assert assume(trust, principal, **source(account_id, arn)) is Decision.IMPLICIT_DENY
    assert assume(trust, "lambda.amazonaws.com", **source(ACCOUNT_ID, MACHINE)) is (
        Decision.IMPLICIT_DENY
    )


def test_eventbridge_assumes_the_role_for_the_restart_rules_only():
    trust = rules_trust(ACCOUNT, NAMES, rule_count=2)
    first, second = restart_rule_arns(ACCOUNT, NAMES, count=2)
    alert = ACCOUNT.arn("events", "rule/acme-dev-rotation-failed")

    for rule in (first, second):
        assert assume(trust, "events.amazonaws.com", **source(ACCOUNT_ID, rule)) is Decision.ALLOW
    for rule in (alert, first.replace("-001", "-003")):
        assert assume(trust, "events.amazonaws.com", **source(ACCOUNT_ID, rule)) is (
            Decision.IMPLICIT_DENY
        )


def test_every_restart_policy_lints_clean():
    for policy in (MACHINE_POLICY, RULES_POLICY, BOUNDARY):
        findings = parliament.analyze_policy_string(json.dumps(policy)).findings
        assert not {f.issue for f in findings} & {
            "UNKNOWN_ACTION",
            "RESOURCE_MISMATCH",
            "UNKNOWN_CONDITION_FOR_ACTION",
            "MALFORMED",
        }, findings


# --- the failure alert ----------------------------------------------------------------------


def execution_event(status: str, machine: str = MACHINE) -> dict:
    execution = machine.replace(":stateMachine:", ":execution:") + ":4f1c2b3a-0000-0000-0000-1"
    return {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": ACCOUNT_ID,
        "time": "2025-03-01T04:01:02Z",
        "region": REGION,
        "resources": [execution],
        "detail": {
            "executionArn": execution,
            "stateMachineArn": machine,
            "name": "4f1c2b3a-0000-0000-0000-1",
            "status": status,
            "startDate": 1740801662000,
            "stopDate": 1740801722000,
            "input": "{}",
            "output": None,
            "error": "Ecs.ServiceNotFoundException" if status == "FAILED" else None,
            "cause": None,
        },
    }


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT", "ABORTED"])
def test_the_alert_matches_every_failed_execution(status):
    assert matches(restart_failure_pattern(MACHINE), execution_event(status))


@pytest.mark.parametrize(
    "event",
    [
        execution_event("SUCCEEDED"),
        execution_event("RUNNING"),
        execution_event("FAILED", MACHINE.replace("acme-dev-restarts", "acme-dev-other")),
    ],
)
def test_the_alert_ignores_success_and_other_state_machines(event):
    assert not matches(restart_failure_pattern(MACHINE), event)


def test_names_fit_aws_limits_for_the_longest_stack():
    longest = StackNames(prefix="p" * 24, environment="e" * 16)

    assert len(longest.restart_state_machine_name) <= 80
    assert max(len(longest.restart_role_name(kind)) for kind in ("sfn", "events")) <= 64
    assert len(longest.restart_rule_name(999)) <= 64
    assert len(longest.alert_rule_name("restart-failed")) <= 64
