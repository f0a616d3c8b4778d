"""`secretsctl verify` on the stack's IAM roles against moto's server: trust, policies, extras."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml
from botocore.exceptions import ClientError

from design.naming import BREAK_GLASS_PATH, CI_ROLE_PATH
from secretsctl.__main__ import main
from secretsctl.stack_target import load_target
from secretsctl.verify_checks import CRITICAL, FAILURE, OK, Expected, Finding
from secretsctl.verify_roles import role_findings, stack_plan
from tests.secretsctl.deployed_stack import (
    GITHUB_REPOSITORY,
    ROLES_CATALOG,
    DeployedStack,
    fresh_stack,
)

VALUES = {
    "api-token": "SENTINEL-api-token-41c7",
    "openai-api-key": "SENTINEL-openai-9b02",
    "db": json.dumps({"username": "app", "password": "SENTINEL-db-77e1"}),
}
OUTSIDER = "arn:aws:iam::999999999999:root"
ROLE_CHECKS = ("role-exists", "role-trust", "role-policies", "undeclared-role")


def trusting(principal: dict, *, sid: str | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": ["sts:AssumeRole"]}
    if sid:
        statement["Sid"] = sid
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def staffed(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    """A dev stack with CI, service and rotation roles, deployed as planned."""
    stack = fresh_stack(moto_endpoint, tmp_path)
    stack.write(ROLES_CATALOG, config=GITHUB_REPOSITORY)
    stack.deploy(VALUES)
    stack.deploy_roles()
    return stack


def role_name(stack: DeployedStack, role: str) -> str:
    return f"{stack.prefix}-dev-{role}"


def granting(action: str) -> str:
    """A policy allowing `action` on every resource."""
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def delete_role(stack: DeployedStack, name: str) -> None:
    """A CI role out of band: its inline policy first, as IAM requires."""
    stack.iam.delete_role_policy(RoleName=name, PolicyName="grants")
    stack.iam.delete_role(RoleName=name)


def role_rows(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.check in ROLE_CHECKS]


def finding_of(findings: list[Finding], name: str, check: str) -> Finding:
    (finding,) = [f for f in findings if f.secret == name and f.check == check]
    return finding


def test_every_planned_role_deployed_as_planned_passes(staffed):
    findings = staffed.verify()

    rows = role_rows(findings)
    assert {row.secret for row in rows} == {
        role_name(staffed, role)
        for role in ("ci-deploy", "ci-preview", "api-exec", "api-task", "rotation")
    }
    assert [row for row in rows if row.status != OK] == []
    assert finding_of(rows, role_name(staffed, "rotation"), "role-policies").detail == (
        "1 inline, 1 attached, as planned"
    )
    assert [f for f in findings if f.status in (FAILURE, CRITICAL)] == []


def test_fails_on_a_role_under_the_workload_path_the_plan_does_not_declare(staffed):
    # GIVEN a deployer created a role of its own under the stack's path, trusting outsiders
    staffed.iam.create_role(
        RoleName="backdoor",
        Path=f"/app-secrets/{staffed.prefix}-dev/",
        AssumeRolePolicyDocument=trusting({"AWS": OUTSIDER}),
    )

    finding = finding_of(staffed.verify(), "backdoor", "undeclared-role")

    assert finding.status == FAILURE
    assert finding.detail == (
        f"arn:aws:iam::123456789012:role/app-secrets/{staffed.prefix}-dev/backdoor is under the "
        f"stack's path but not in the plan, and trusts AWS:{OUTSIDER}: find who created it "
        "(CloudTrail CreateRole), then delete it or declare it"
    )


def test_on_the_shared_paths_only_the_stacks_names_are_its_roles(staffed):
    trust = trusting({"Service": "lambda.amazonaws.com"})
    extra = {
        role_name(staffed, "ci-extra"): CI_ROLE_PATH,
        role_name(staffed, "break-glass-2"): BREAK_GLASS_PATH,
        "other-dev-ci-deploy": CI_ROLE_PATH,
    }
    for name, path in extra.items():
        staffed.iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust)

    undeclared = {f.secret for f in staffed.verify() if f.check == "undeclared-role"}

    assert undeclared == {role_name(staffed, "ci-extra"), role_name(staffed, "break-glass-2")}


def test_a_role_that_now_trusts_another_account_is_critical(staffed, capsys):
    name = role_name(staffed, "api-task")
    staffed.iam.update_assume_role_policy(RoleName=name, PolicyDocument=trusting({"AWS": OUTSIDER}))

    finding = finding_of(staffed.verify(), name, "role-trust")
    code = main(["verify", *staffed.cli_args()])

    assert finding.status == CRITICAL
    assert finding.detail.startswith(
        f"TRUST CHANGED: the role's trust policy differs from the plan (it now trusts "
        f"AWS:{OUTSIDER}; it no longer trusts Service:ecs-tasks.amazonaws.com): someone changed "
        "who may assume it. Now: run pulumi up --refresh --stack dev"
    )
    assert code == 1
    table = capsys.readouterr().out
    assert [line.split()[:3] for line in table.splitlines() if " CRITICAL " in line] == [
        [name, "role-trust", "CRITICAL"]
    ]
    assert table.rstrip().endswith("5 planned role(s)")


def test_a_trust_written_differently_is_the_same_trust(staffed):
    # GIVEN the planned trust with a Sid, its statement keys reordered and Action a list
    name = role_name(staffed, "rotation")
    plan_trust = _planned_trust(staffed, name)
    [statement] = plan_trust["Statement"]
    rewritten = {"Sid": "Lambda", **dict(reversed(list(statement.items())))}
    rewritten["Action"] = [statement["Action"]]
    plan_trust["Statement"] = [rewritten]
    staffed.iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(plan_trust))

    assert finding_of(staffed.verify(), name, "role-trust").status == OK


def _planned_trust(stack: DeployedStack, name: str) -> dict:
    (role,) = [
        resource
        for resource in stack.plan()["resources"]
        if resource["type"] == "aws:iam/role:Role" and resource["outputs"]["name"] == name
    ]
    return json.loads(role["inputs"]["assumeRolePolicy"])


def test_fails_on_a_changed_inline_policy(staffed):
    name = role_name(staffed, "api-task")
    staffed.iam.put_role_policy(
        RoleName=name, PolicyName="grants", PolicyDocument=granting("secretsmanager:*")
    )

    finding = finding_of(staffed.verify(), name, "role-policies")

    assert finding.status == FAILURE
    assert finding.detail == (
        "inline policy grants differs from the plan: run pulumi up --refresh --stack dev"
    )


def test_fails_on_an_added_inline_policy_and_a_detached_managed_policy(staffed):
    name = role_name(staffed, "api-exec")
    managed = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    staffed.iam.detach_role_policy(RoleName=name, PolicyArn=managed)
    staffed.iam.put_role_policy(RoleName=name, PolicyName="extra", PolicyDocument=granting("s3:*"))

    finding = finding_of(staffed.verify(), name, "role-policies")

    assert finding.status == FAILURE
    assert finding.detail.startswith(
        f"inline policy extra is not in the plan; {managed} is not attached: run pulumi up"
    )


def test_fails_when_a_managed_policy_of_the_stack_has_a_new_default_version(staffed):
    # GIVEN the rotation role's own managed policy, widened by a new default version
    name = role_name(staffed, "rotation")
    arn = f"arn:aws:iam::123456789012:policy/app-secrets/{staffed.prefix}-dev/{name}-masters"
    staffed.iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=granting("secretsmanager:GetSecretValue"), SetAsDefault=True
    )

    finding = finding_of(staffed.verify(), name, "role-policies")

    assert finding.status == FAILURE
    assert finding.detail.startswith(f"managed policy {arn}: its default version differs")


def test_fails_on_a_missing_role(staffed):
    name = role_name(staffed, "ci-preview")
    delete_role(staffed, name)

    finding = finding_of(staffed.verify(), name, "role-exists")

    assert finding.status == FAILURE
    assert finding.detail == (
        f"not found under {CI_ROLE_PATH}: deleted out of band or never deployed; "
        "run pulumi up --refresh --stack dev"
    )


def test_fails_on_a_planned_role_at_another_path(staffed):
    # GIVEN the CI deploy role re-created under the workload path, which ci-deploy manages
    name = role_name(staffed, "ci-deploy")
    delete_role(staffed, name)
    path = f"/app-secrets/{staffed.prefix}-dev/"
    staffed.iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trusting({}))

    [finding] = [f for f in staffed.verify() if f.secret == name]

    assert (finding.check, finding.status) == ("role-exists", FAILURE)
    assert finding.detail == (
        f"is arn:aws:iam::123456789012:role{path}{name}; the plan declares "
        f"arn:aws:iam::123456789012:role{CI_ROLE_PATH}{name} (the stack file sets no accountId, "
        "so the plan assumes one: set app-secrets:accountId)"
    )


def test_reads_iam_without_changing_it(staffed):
    target = staffed.target()
    iam = target.client("iam")
    calls: list[str] = []
    iam.meta.events.register("before-call.iam", lambda model, **_: calls.append(model.name))

    role_findings(
        staffed.plan(), expected=Expected(target=target, key=None, now=datetime.now(UTC)), iam=iam
    )

    assert calls and {call.startswith(("List", "Get")) for call in calls} == {True}
    assert {"ListRoles", "GetRolePolicy", "ListAttachedRolePolicies", "GetPolicyVersion"} <= set(
        calls
    )


class _DeniedIam:
    def get_paginator(self, name: str):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListRoles")


def test_a_refused_listroles_is_one_failure(staffed):
    target = staffed.target()
    expected = Expected(target=target, key=None, now=datetime.now(UTC))

    [finding] = role_findings(staffed.plan(), expected=expected, iam=_DeniedIam())

    assert (finding.secret, finding.check, finding.status) == ("-", "roles", FAILURE)
    assert finding.detail == (
        f"cannot list the roles under /app-secrets/{staffed.prefix}-dev/, {CI_ROLE_PATH}, "
        f"{BREAK_GLASS_PATH}: AccessDenied: no (needs iam:ListRoles); no role was verified"
    )


def test_the_plan_is_built_in_the_region_verify_is_given(staffed):
    before = staffed.stack_path.read_text(encoding="utf-8")
    target = load_target(
        stack="dev",
        region="eu-west-1",
        catalog_path=staffed.catalog_path,
        stack_path=staffed.stack_path,
    )

    plan = stack_plan(target, stack_path=staffed.stack_path)

    assert plan["region"] == "eu-west-1"
    arns = [r["outputs"]["arn"] for r in plan["resources"] if r["type"].endswith("secret:Secret")]
    assert arns and all(arn.startswith("arn:aws:secretsmanager:eu-west-1:") for arn in arns)
    assert staffed.stack_path.read_text(encoding="utf-8") == before
    assert yaml.safe_load(before)["config"]["aws:region"] == "us-east-1"


def test_the_committed_stack_file_is_the_default():
    # GIVEN no --stack-file: the plan is the committed dev stack's, in its own region
    target = load_target(stack="dev", region="us-east-1")

    plan = stack_plan(target, stack_path=None)

    assert (plan["stack"], plan["region"], plan["account"]) == ("dev", "us-east-1", "111111111111")
