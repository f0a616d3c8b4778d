"""BreakGlassRole under the mock engine: the role, its grants, its alert rule, the guardrails."""

from __future__ import annotations

import json

import pulumi

from aws_model.iam_eval import Decision
from components.account import AwsAccount
from components.break_glass import BreakGlassRole, BreakGlassRoleArgs
from design.alerts import WITH_READ_ONLY_EVENTS
from design.arns import Account
from design.break_glass import break_glass_policy, break_glass_trust, break_glass_use_pattern
from design.naming import StackNames
from policies import evaluate, resources_from_plan
from tests.conftest import records_of
from tests.design.service_requests import assume

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="prod")
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
ROLE_ARN = "arn:aws:iam::123456789012:role/app-secrets-break-glass/acme-prod-break-glass"
PRINCIPALS = ["arn:aws:iam::123456789012:user/oncall-b", "arn:aws:iam::123456789012:user/oncall-a"]


def declare() -> BreakGlassRole:
    return BreakGlassRole(
        "break-glass",
        BreakGlassRoleArgs(
            names=NAMES,
            principals=PRINCIPALS,
            account=AwsAccount(
                account_id=pulumi.Output.from_input("123456789012"),
                region=pulumi.Output.from_input("eu-west-1"),
                partition=pulumi.Output.from_input("aws"),
            ),
            key_arn=KEY_ARN,
            tags={"Project": "acme"},
        ),
    )


@pulumi.runtime.test
def test_role_lives_outside_ci_paths_with_mfa_trust_and_short_sessions(monitor):
    role = declare()

    def check(arn):
        record = records_of(monitor, "aws:iam/role:Role")["break-glass-role"]
        assert arn == ROLE_ARN
        assert record.inputs["path"] == "/app-secrets-break-glass/"
        assert record.inputs["maxSessionDuration"] == 3600
        assert json.loads(record.inputs["assumeRolePolicy"]) == break_glass_trust(
            PRINCIPALS, mfa_max_age_seconds=3600, region="eu-west-1"
        )
        assert "permissionsBoundary" not in record.inputs

    return role.arn.apply(check)


@pulumi.runtime.test
def test_planned_trust_admits_mfa_callers_through_the_stack_region_only(monitor):
    role = declare()

    def check(_):
        trust = json.loads(
            records_of(monitor, "aws:iam/role:Role")["break-glass-role"].inputs["assumeRolePolicy"]
        )
        mfa = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "120"}

        def decide(region: str) -> Decision:
            context = {**mfa, "aws:RequestedRegion": region}
            return assume(trust, PRINCIPALS[0], role_arn=ROLE_ARN, **context)

        assert decide("eu-west-1") is Decision.ALLOW
        assert decide("us-east-1") is Decision.IMPLICIT_DENY  # also the global STS endpoint
        assert decide("eu-central-1") is Decision.IMPLICIT_DENY

    return role.arn.apply(check)


@pulumi.runtime.test
def test_role_policy_and_alert_rule_follow_the_role(monitor):
    role = declare()

    def check(values):
        pattern, _ = values
        grants = records_of(monitor, "aws:iam/rolePolicy:RolePolicy")["break-glass-grants"]
        assert grants.inputs["role"] == "acme-prod-break-glass"
        assert json.loads(grants.inputs["policy"]) == break_glass_policy(
            ACCOUNT, names=NAMES, key_arn=KEY_ARN
        )
        assert json.loads(pattern) == break_glass_use_pattern(ROLE_ARN)
        assert role.alert_rule.state == WITH_READ_ONLY_EVENTS

    return pulumi.Output.all(role.alert_rule.pattern, role.grants.id).apply(check)


@pulumi.runtime.test
def test_role_passes_the_mandatory_guardrails(monitor):
    role = declare()

    def check(_):
        plan = {"stack": "prod", "resources": [r.as_plan() for r in monitor.records.values()]}
        resources = resources_from_plan(plan)
        assert {resource.type for resource in resources} >= {
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
        }
        assert [v for v in evaluate(resources) if v.mandatory] == []

    return pulumi.Output.all(role.arn, role.grants.id).apply(check)
