"""ServiceRestarts under the mock engine: the state machine, its roles, its rules, its alert."""

from __future__ import annotations

import json

import pulumi

from aws_model.event_patterns import matches
from components.account import AwsAccount
from components.restarts import ServiceRestarts, ServiceRestartsArgs
from design.arns import Account
from design.naming import StackNames
from design.restarts import (
    ServiceRestart,
    restart_definition,
    restart_failure_pattern,
    restart_statements,
    rotation_succeeded_pattern,
    rules_trust,
    start_statements,
    state_machine_trust,
)
from policies import evaluate, resources_from_plan
from tests.conftest import ACCOUNT_ID, REGION, records_of, registered
from tests.design.test_restarts import rotation_event

ACCOUNT = Account(partition="aws", region=REGION, account_id=ACCOUNT_ID)
NAMES = StackNames(prefix="acme", environment="dev")
CLUSTER = "acme-main"
BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/app-secrets-boundary/acme-dev-workload-boundary"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/k"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:acme-dev-restarts"
ROLES = f"arn:aws:iam::{ACCOUNT_ID}:role/app-secrets/acme-dev/acme-dev-restarts-"
RESTARTS = (
    ServiceRestart("api-svc", ("api",), ("admin-token", "db")),
    ServiceRestart("worker-svc", ("worker",), ("db",)),
)
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
RULE, TARGET = "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget"


def arn_of(secret: str) -> str:
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:acme/dev/{secret}-AbCdEf"


def declare(restarts=RESTARTS) -> ServiceRestarts:
    secrets = {secret for restart in restarts for secret in restart.secrets}
    return ServiceRestarts(
        "restarts",
        ServiceRestartsArgs(
            names=NAMES,
            account=AwsAccount(
                account_id=pulumi.Output.from_input(ACCOUNT_ID),
                region=pulumi.Output.from_input(REGION),
                partition=pulumi.Output.from_input("aws"),
            ),
            cluster_name=CLUSTER,
            restarts=restarts,
            secret_arns={secret: arn_of(secret) for secret in secrets},
            key_arn=KEY_ARN,
            boundary_arn=BOUNDARY,
            tags={"Project": "acme"},
        ),
    )


@pulumi.runtime.test
def test_the_state_machine_runs_the_definition_as_its_own_bounded_role(monitor):
    restarts = declare()

    def check(values):
        machine_arn, _ = values
        machine = records_of(monitor, STATE_MACHINE)["restarts-state-machine"]
        roles = records_of(monitor, "aws:iam/role:Role")
        grants = records_of(monitor, "aws:iam/rolePolicy:RolePolicy")
        assert machine_arn == MACHINE
        assert machine.inputs["name"] == "acme-dev-restarts"
        assert machine.inputs["type"] == "STANDARD"
        assert machine.inputs["roleArn"] == f"{ROLES}sfn"
        assert json.loads(machine.inputs["definition"]) == restart_definition(
            ACCOUNT,
            cluster_name=CLUSTER,
            restarts=RESTARTS,
            secret_arns={s: arn_of(s) for s in ("admin-token", "db")},
        )
        for kind, trust, statements in (
            ("sfn", state_machine_trust(ACCOUNT, NAMES), restart_statements(
                ACCOUNT, cluster_name=CLUSTER, restarts=RESTARTS)),
            ("events", rules_trust(ACCOUNT, NAMES, rule_count=1),
             start_statements(ACCOUNT, NAMES)),
        ):  # fmt: skip
            role = roles[f"restarts-{kind}-role"]
            assert role.inputs["path"] == "/app-secrets/acme-dev/"
            assert role.inputs["permissionsBoundary"] == BOUNDARY
            assert json.loads(role.inputs["assumeRolePolicy"]) == trust
            policy = json.loads(grants[f"restarts-{kind}-grants"].inputs["policy"])
            assert policy["Statement"] == statements

    return pulumi.Output.all(restarts.state_machine_arn, registered(restarts)).apply(check)


@pulumi.runtime.test
def test_one_rule_routes_the_consumed_secrets_to_the_state_machine(monitor):
    restarts = declare()

    def check(_):
        rules, targets = records_of(monitor, RULE), records_of(monitor, TARGET)
        assert set(rules) == {"restarts-rotated-001"}
        rule = rules["restarts-rotated-001"]
        assert rule.inputs["name"] == "acme-dev-rotated-001"
        assert rule.inputs["state"] == "ENABLED"
        pattern = json.loads(rule.inputs["eventPattern"])
        assert pattern == rotation_succeeded_pattern([arn_of("admin-token"), arn_of("db")])
        assert matches(pattern, rotation_event("RotationSucceeded", arn_of("db")))
        assert not matches(pattern, rotation_event("RotationSucceeded", arn_of("db-master")))
        target = targets["restarts-rotated-001-target"]
        assert target.inputs["rule"] == "acme-dev-rotated-001"
        assert (target.inputs["arn"], target.inputs["roleArn"]) == (MACHINE, f"{ROLES}events")

    return registered(restarts).apply(check)


@pulumi.runtime.test
def test_many_secrets_spread_over_rules_the_rules_role_trusts(monitor):
    many = (ServiceRestart("api-svc", ("api",), tuple(f"s{n:03}" for n in range(50))),)
    restarts = declare(many)

    def check(values):
        rule_arns = values[1:]
        rules = records_of(monitor, RULE)
        role = records_of(monitor, "aws:iam/role:Role")["restarts-events-role"]
        assert set(rules) == {f"restarts-rotated-{n:03}" for n in (1, 2, 3)}
        covered = [
            arn
            for rule in rules.values()
            for arn in json.loads(rule.inputs["eventPattern"])["detail"]["additionalEventData"][
                "SecretId"
            ]
        ]
        assert sorted(covered) == sorted(arn_of(f"s{n:03}") for n in range(50))
        assert json.loads(role.inputs["assumeRolePolicy"]) == rules_trust(
            ACCOUNT, NAMES, rule_count=3
        )
        assert rule_arns == [
            f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/acme-dev-rotated-{n:03}" for n in (1, 2, 3)
        ]

    return pulumi.Output.all(registered(restarts), *restarts.rule_arns).apply(check)


@pulumi.runtime.test
def test_the_alert_rule_reports_the_state_machine_s_failures(monitor):
    restarts = declare()

    def check(pattern):
        assert json.loads(pattern) == restart_failure_pattern(MACHINE)

    return restarts.alert_rule.pattern.apply(check)


@pulumi.runtime.test
def test_restarts_pass_the_mandatory_guardrails(monitor):
    restarts = declare()

    def check(_):
        plan = {"stack": "dev", "resources": [r.as_plan() for r in monitor.records.values()]}
        resources = resources_from_plan(plan)
        assert STATE_MACHINE in {resource.type for resource in resources}
        assert [v for v in evaluate(resources) if v.mandatory] == []

    return registered(restarts).apply(check)
