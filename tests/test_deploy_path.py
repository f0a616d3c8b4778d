"""ci-deploy, evaluated on the planned stacks: every `ci` resource deployable, every attack denied.

For each planned stack (the committed dev and prod, and prefix `acme-web` with environment
`pre-prod` rotating a token and a postgres secret and restarting the service that receives the
token), every action the provider table lists for
each `ci` resource is evaluated as the ci-deploy role on that resource's own ARN, with the
condition keys AWS sends for the call, against the planned policies (the role's inline and
attached documents, and the secret's resource policy).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import parliament
import pytest
import yaml

from aws_model.iam_eval import Decision, Request, evaluate
from design import provider_actions as types
from design.deployers import CI
from design.provider_actions import ACTIONS_ON_STAR, actions_of
from secretsctl.plan import build_plan
from tests.secretsctl.test_access import ROTATING_CATALOG

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES = ROTATING_CATALOG["secrets"]["db"]
"""A postgres-single-user secret, so the stack has a second rotation function."""
_DEFINITIONS = json.loads(
    (Path(parliament.__file__).parent / "iam_definition.json").read_text(encoding="utf-8")
)
CLUSTER, RESTARTED_SERVICE = "acme-web-pre-prod", "api-svc"
BOUNDARY_KEYED = {
    f"{service['prefix']}:{privilege['privilege']}"
    for service in _DEFINITIONS
    for privilege in service["privileges"]
    if any("iam:PermissionsBoundary" in r["condition_keys"] for r in privilege["resource_types"])
}
"""The actions IAM sends `iam:PermissionsBoundary` for (the role's boundary)."""


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, dict]:
    """dev and prod as committed, and a hyphenated pre-prod stack with two rotations and the
    restarts after rotation (api receives the rotated admin-token)."""
    directory = tmp_path_factory.mktemp("pre-prod")
    catalog = yaml.safe_load((PROJECT_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    catalog["environments"].append("pre-prod")
    catalog["secrets"]["orders-db"] = POSTGRES
    catalog["services"]["api"]["ecs_service"] = RESTARTED_SERVICE
    (directory / "catalog.yaml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "acme-web",
        "app-secrets:githubRepository": "acme/app",
        "app-secrets:ecsClusterName": CLUSTER,
    }
    stack_path = directory / "Pulumi.pre-prod.yaml"
    stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return {
        "dev": build_plan(stack="dev", placeholders=True),
        "prod": build_plan(stack="prod", placeholders=True),
        "pre-prod": build_plan(
            stack="pre-prod",
            catalog_path=directory / "catalog.yaml",
            stack_path=stack_path,
            placeholders=True,
        ),
    }


class Stack:
    """One plan, seen as ci-deploy: its policies, and the ARN each resource's calls act on."""

    def __init__(self, plan: dict) -> None:
        self.plan = plan
        self.production = plan["environment"] == "prod"
        self.by_type: dict[str, list[dict]] = {}
        for resource in plan["resources"]:
            self.by_type.setdefault(resource["type"], []).append(resource)
        self.deploy_arn = plan["outputs"]["ciDeployRoleArn"]
        self.roles = {r["outputs"]["name"]: r for r in self.by_type[types.ROLE]}
        self.attached: dict[str, list[str]] = {}
        for attachment in self.by_type.get(types.ROLE_POLICY_ATTACHMENT, []):
            inputs = attachment["inputs"]
            self.attached.setdefault(inputs["role"], []).append(inputs["policyArn"])
        self.functions = {r["outputs"]["name"]: r for r in self.by_type.get(types.FUNCTION, [])}
        self.rules = {
            r["outputs"]["name"]: r["outputs"]["arn"]
            for r in self.by_type.get(types.EVENT_RULE, [])
        }
        self.secret_policies = {
            r["inputs"]["secretArn"]: r["inputs"]["policy"]
            for r in self.by_type[types.SECRET_POLICY]
        }
        deploy_role = self.deploy_arn.rsplit("/", 1)[1]
        self.policies = [
            r["inputs"]["policy"]
            for r in self.by_type[types.ROLE_POLICY]
            if r["inputs"]["role"] == deploy_role
        ] + [
            r["inputs"]["policy"]
            for r in self.by_type.get(types.MANAGED_POLICY, [])
            if r["inputs"]["name"].startswith(f"{deploy_role}-")
        ]

    def decide(self, action: str, resource: str, **context) -> Decision:
        request = Request(
            principal_arn=self.deploy_arn,
            action=action,
            resource_arn=resource,
            context={"aws:PrincipalAccount": self.plan["account"], **context},
        )
        return evaluate(
            request,
            identity_policies=self.policies,
            resource_policy=self.secret_policies.get(resource),
        )

    def ci_resources(self) -> Iterator[dict]:
        for resource in self.plan["resources"]:
            if resource["deployer"] == CI and resource["type"] in types.TABLE:
                yield resource

    def target(self, resource: dict, action: str) -> tuple[str, dict]:
        """The ARN the call authorises on, and the condition keys AWS sends with it."""
        if action in ACTIONS_ON_STAR:
            return "*", {}
        kind, inputs, outputs = resource["type"], resource["inputs"], resource["outputs"]
        if kind in (types.SECRET_VERSION, types.SECRET_ROTATION):
            return inputs["secretId"], {}
        if kind == types.SECRET_POLICY:
            return inputs["secretArn"], {"secretsmanager:BlockPublicPolicy": "true"}
        if kind == types.SECRET:
            return outputs["arn"], {"secretsmanager:KmsKeyArn": inputs["kmsKeyId"]}
        if kind in (types.ROLE_POLICY, types.ROLE_POLICY_ATTACHMENT):
            return self._role_target(self.roles[inputs["role"]], action, inputs.get("policyArn"))
        if kind == types.ROLE:
            # Deleting a role detaches what Read found attached: a policy of the stack's own.
            attached = self.attached.get(outputs["name"], [f"{outputs['arn']}-1"])
            return self._role_target(resource, action, attached[0].replace(":role/", ":policy/"))
        if kind == types.PERMISSION:
            function = self.functions[inputs["function"]]
            return function["outputs"]["arn"], {"lambda:Principal": inputs["principal"]}
        if kind == types.EVENT_TARGET:  # PutTargets, RemoveTargets act on the rule
            return self.rules[inputs["rule"]], {}
        return outputs["arn"], {}

    @staticmethod
    def _role_target(role: dict, action: str, policy_arn: str | None) -> tuple[str, dict]:
        context = {"iam:PolicyARN": policy_arn} if "Policy" in action and policy_arn else {}
        if action in BOUNDARY_KEYED:
            context["iam:PermissionsBoundary"] = role["inputs"]["permissionsBoundary"]
        return role["outputs"]["arn"], context


@pytest.fixture(scope="module")
def stacks(plans) -> dict[str, Stack]:
    return {name: Stack(plan) for name, plan in plans.items()}


STACK_NAMES = ["dev", "prod", "pre-prod"]


def provider_calls(stack: Stack) -> Iterator[tuple[str, str, str, dict]]:
    """(resource name, action, ARN, context) for every table action of every `ci` resource."""
    for resource in stack.ci_resources():
        for action in actions_of(resource["type"], production=stack.production):
            arn, context = stack.target(resource, action)
            yield resource["name"], action, arn, context


def decided(stack: Stack, cases: list[tuple]) -> Iterator[tuple[tuple, Decision]]:
    """Each (what, action, ARN, context) with its decision; a None context value is left out."""
    for case in cases:
        _, action, arn, context = case
        present = {key: value for key, value in context.items() if value is not None}
        yield case, stack.decide(action, arn, **present)


@pytest.mark.parametrize("name", STACK_NAMES)
def test_every_ci_resource_is_deployable_by_ci_deploy(stacks, name):
    stack = stacks[name]
    calls = list(provider_calls(stack))

    refused = [
        call[:3] for call, decision in decided(stack, calls) if decision is not Decision.ALLOW
    ]

    assert len(calls) > 150
    assert refused == []


@pytest.mark.parametrize("name", STACK_NAMES)
def test_ci_deploy_can_pass_encrypt_and_invoke_what_the_calls_need(stacks, name):
    stack = stacks[name]
    outputs = stack.plan["outputs"]
    via = {"kms:ViaService": f"secretsmanager.{stack.plan['region']}.amazonaws.com"}
    for action in ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"):
        assert stack.decide(action, outputs["kmsKeyArn"], **via) is Decision.ALLOW
    for definition in stack.by_type[types.TASK_DEFINITION]:
        for key in ("executionRoleArn", "taskRoleArn"):
            assert (
                stack.decide(
                    "iam:PassRole",
                    definition["inputs"][key],
                    **{"iam:PassedToService": "ecs-tasks.amazonaws.com"},
                )
                is Decision.ALLOW
            )
    for function in stack.functions.values():
        assert (
            stack.decide(
                "iam:PassRole",
                function["inputs"]["role"],
                **{"iam:PassedToService": "lambda.amazonaws.com"},
            )
            is Decision.ALLOW
        )
        # RotateSecret checks that the caller may invoke the rotation function.
        assert stack.decide("lambda:InvokeFunction", function["outputs"]["arn"]) is Decision.ALLOW
    for passed, service in _restart_roles_passed(stack):
        assert stack.decide("iam:PassRole", passed, **_passed_to(service)) is Decision.ALLOW


def _restart_roles_passed(stack: Stack) -> Iterator[tuple[str, str]]:
    """(role ARN, service) for each role a restart resource passes: the state machine's to Step
    Functions, each restart target's to EventBridge."""
    for machine in stack.by_type.get(types.STATE_MACHINE, []):
        yield machine["inputs"]["roleArn"], "states.amazonaws.com"
    for target in stack.by_type.get(types.EVENT_TARGET, []):
        if target["deployer"] == CI:
            yield target["inputs"]["roleArn"], "events.amazonaws.com"


def _passed_to(service: str) -> dict[str, str]:
    return {"iam:PassedToService": service}


def test_the_hyphenated_stack_deploys_its_restarts(stacks):
    stack = stacks["pre-prod"]
    restarts = [
        r for r in stack.plan["resources"] if r["parent"] and "ServiceRestarts" in r["parent"]
    ]

    assert {r["type"] for r in restarts} >= {types.STATE_MACHINE, types.EVENT_RULE}
    assert {r["deployer"] for r in restarts} == {CI}
    assert len(list(_restart_roles_passed(stack))) == 2


def test_the_hyphenated_stack_deploys_both_rotations(stacks):
    stack = stacks["pre-prod"]

    assert len(stack.functions) == 2
    assert all(name.startswith("acme-web-pre-prod-rot-") for name in stack.functions)
    assert {r["deployer"] for r in stack.by_type[types.PERMISSION]} == {CI}


def attacks(stack: Stack) -> Iterator[tuple[str, str, str, dict]]:
    """(what, action, ARN, context) that IAM must refuse ci-deploy, on this stack's real ARNs."""
    outputs, account = stack.plan["outputs"], stack.plan["account"]
    region = stack.plan["region"]
    key, other_key = outputs["kmsKeyArn"], f"arn:aws:kms:{region}:{account}:key/other"
    secret = next(iter(outputs["secretArns"].values()))
    yield "re-key policy", "kms:PutKeyPolicy", key, {}
    for action in ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"):
        yield "alias onto another key", action, f"arn:aws:kms:{region}:{account}:alias/x", {}
    yield "re-key a secret", "secretsmanager:UpdateSecret", secret, _kms(other_key)
    yield "create on another key", "secretsmanager:CreateSecret", secret, _kms(other_key)
    yield "create on the default key", "secretsmanager:CreateSecret", secret, {}
    for value in ("false", None):
        public = {"secretsmanager:BlockPublicPolicy": value}
        yield "public policy", "secretsmanager:PutResourcePolicy", secret, public
    for external in outputs["externalSecretArns"].values():
        for action in (
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
        ):
            yield "external value", action, external, {}
    yield from _outside_the_stack(stack)
    yield from _boundary_and_pass_role(stack)
    yield from _alerting(stack)
    if stack.production:
        for recovery in ("true", "false"):
            force = {"secretsmanager:ForceDeleteWithoutRecovery": recovery}
            yield "prod secret deletion", "secretsmanager:DeleteSecret", secret, force
        yield "prod key disabled", "kms:DisableKey", key, {}
        yield "prod key deletion", "kms:ScheduleKeyDeletion", key, {}


def _kms(key_arn: str) -> dict:
    return {"secretsmanager:KmsKeyArn": key_arn}


def _outside_the_stack(stack: Stack) -> Iterator[tuple[str, str, str, dict]]:
    account, region = stack.plan["account"], stack.plan["region"]
    stem = stack.deploy_arn.rsplit("/", 1)[1].removesuffix("-ci-deploy")
    ecs, logs = f"arn:aws:ecs:{region}:{account}", f"arn:aws:logs:{region}:{account}"
    for family in ("other-app", f"{stem}-unlisted"):
        definition = f"{ecs}:task-definition/{family}:1"
        yield "foreign task definition", "ecs:RegisterTaskDefinition", definition, {}
        yield "foreign tags", "ecs:TagResource", definition, {}
    foreign_secret = f"arn:aws:secretsmanager:{region}:{account}:secret:other/prod/db-AbCdEf"
    yield "foreign tags", "secretsmanager:TagResource", foreign_secret, {}
    for group in ("/app-secrets/other-prod/api", f"/aws/lambda/{stem}-api"):
        yield "foreign log group", "logs:CreateLogGroup", f"{logs}:log-group:{group}", {}
    boundary = {"iam:PermissionsBoundary": stack.plan["outputs"]["boundaryPolicyArn"]}
    for path in ("/", "/app-secrets-ci/", "/app-secrets/other-prod/"):
        role = f"arn:aws:iam::{account}:role{path}{stem}-x"
        yield "role outside the path", "iam:CreateRole", role, boundary


def _boundary_and_pass_role(stack: Stack) -> Iterator[tuple[str, str, str, dict]]:
    outputs = stack.plan["outputs"]
    boundary = outputs["boundaryPolicyArn"]
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        yield "boundary rewritten", action, boundary, {}
    for role in outputs["executionRoleArns"].values():
        yield "boundary removed", "iam:DeleteRolePermissionsBoundary", role, {}
        for service in ("lambda.amazonaws.com", "ec2.amazonaws.com"):
            yield "exec role passed", "iam:PassRole", role, {"iam:PassedToService": service}
    for role in outputs["taskRoleArns"].values():
        yield "task role passed", "iam:PassRole", role, {"iam:PassedToService": "ec2.amazonaws.com"}
    if "rotationRoleArn" in outputs:
        for service in ("ecs-tasks.amazonaws.com", "ec2.amazonaws.com"):
            passed = {"iam:PassedToService": service}
            yield "rotation role passed", "iam:PassRole", outputs["rotationRoleArn"], passed
    for role, service in _restart_roles_passed(stack):
        for other in ("lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"):
            yield "restart role passed", "iam:PassRole", role, _passed_to(other)
        swapped = {"states.amazonaws.com": "events.amazonaws.com"}.get(
            service, "states.amazonaws.com"
        )
        yield "restart role passed", "iam:PassRole", role, _passed_to(swapped)
    if "restartStateMachineArn" in outputs:
        # ci-deploy deploys the restarts; it never runs them, nor restarts a service itself.
        machine = outputs["restartStateMachineArn"]
        yield "restart started", "states:StartExecution", machine, {}
        region, account = stack.plan["region"], stack.plan["account"]
        service = f"arn:aws:ecs:{region}:{account}:service/{CLUSTER}/{RESTARTED_SERVICE}"
        yield "service restarted", "ecs:UpdateService", service, {}


def _alerting(stack: Stack) -> Iterator[tuple[str, str, str, dict]]:
    outputs = stack.plan["outputs"]
    for rule in outputs.get("alertRuleArns", {}).values():
        for action in ("events:PutRule", "events:DeleteRule", "events:DisableRule"):
            yield "alert rule", action, rule, {}
        for action in ("events:PutTargets", "events:RemoveTargets"):
            yield "alert target", action, rule, {}
    topic = outputs.get("alertTopicArn")
    if topic:
        for action in ("sns:SetTopicAttributes", "sns:DeleteTopic", "sns:Subscribe"):
            yield "alert topic", action, topic, {}
        yield "subscription", "sns:Unsubscribe", f"{topic}:0000", {}
    trail = f"arn:aws:cloudtrail:{stack.plan['region']}:{stack.plan['account']}:trail/any"
    for action in ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"):
        yield "trail", action, outputs.get("trailArn", trail), {}


@pytest.mark.parametrize("name", STACK_NAMES)
def test_every_attack_is_denied(stacks, name):
    stack = stacks[name]
    cases = list(attacks(stack))

    allowed = [case[:3] for case, decision in decided(stack, cases) if decision is Decision.ALLOW]

    assert len(cases) > 40
    assert allowed == []


NO_ALLOW = {
    "foreign task definition",
    "foreign tags",
    "foreign log group",
    "role outside the path",
    "exec role passed",
    "task role passed",
    "rotation role passed",
    "restart role passed",
    "restart started",
    "service restarted",
}
"""Attacks refused because no Allow names them (outside the stack's names, paths and services);
every other attack meets an explicit Deny, so that no grant added later can reopen it."""


@pytest.mark.parametrize("name", STACK_NAMES)
def test_attacks_a_later_grant_could_reopen_are_denied_explicitly(stacks, name):
    stack = stacks[name]

    decisions = {
        (what, action): stack.decide(action, arn, **{k: v for k, v in context.items() if v})
        for what, action, arn, context in attacks(stack)
        if what not in NO_ALLOW
    }

    assert {decision for decision in decisions.values()} == {Decision.EXPLICIT_DENY}


def test_a_missing_grant_fails_the_deploy_test(stacks):
    # GIVEN dev's policy without one table action (the invoke permission's AddPermission)
    stack = stacks["dev"]
    broken = Stack(stack.plan)
    broken.policies = [_without(policy, "lambda:AddPermission") for policy in stack.policies]

    # THEN the deploy evaluation refuses exactly the calls that need it
    refused = {
        action
        for _, action, arn, context in provider_calls(broken)
        if broken.decide(action, arn, **context) is not Decision.ALLOW
    }
    assert refused == {"lambda:AddPermission"}


def test_a_missing_deny_fails_the_attack_test(stacks):
    # GIVEN prod's policy without its NoDeletionInProd statement
    stack = stacks["prod"]
    broken = Stack(stack.plan)
    broken.policies = [_without_sid(policy, "NoDeletionInProd") for policy in stack.policies]
    secret = next(iter(stack.plan["outputs"]["secretArns"].values()))

    # THEN a prod deletion is no longer denied explicitly (only implicitly, with no Allow)
    assert stack.decide("secretsmanager:DeleteSecret", secret) is Decision.EXPLICIT_DENY
    assert broken.decide("secretsmanager:DeleteSecret", secret) is Decision.IMPLICIT_DENY


def _without(policy: str, action: str) -> str:
    document = json.loads(policy)
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow" and action in statement["Action"]:
            statement["Action"] = [a for a in statement["Action"] if a != action] or [
                "sts:GetCallerIdentity"
            ]
    return json.dumps(document)


def _without_sid(policy: str, sid: str) -> str:
    document = json.loads(policy)
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
    return json.dumps(document)
