"""The access report equals the declared intent exactly, and every planned policy lints clean."""

from __future__ import annotations

import json

import parliament
import pytest
import yaml

from bench.catalogs import generated_catalog, write_stack
from secretsctl.access import AccessReportError, access_report, render_matrix
from secretsctl.plan import build_plan
from tests.conftest import PROJECT_DIR
from tests.secretsctl.access_reference import evaluated_request_by_request

SM = "secretsmanager:"
EXECUTION = [f"{SM}GetSecretValue"]
RUNTIME = [f"{SM}DescribeSecret", f"{SM}GetSecretValue"]
ROTATION = [
    f"{SM}DescribeSecret",
    f"{SM}GetSecretValue",
    f"{SM}ListSecretVersionIds",
    f"{SM}PutSecretValue",
    f"{SM}UpdateSecretVersionStage",
]
PREVIEW = [f"{SM}DescribeSecret", f"{SM}GetResourcePolicy", f"{SM}ListSecretVersionIds"]
DEPLOY_PROD = [
    f"{SM}{action}"
    for action in (
        "DescribeSecret",
        "GetResourcePolicy",
        "GetSecretValue",
        "ListSecretVersionIds",
        "PutSecretValue",
        "RotateSecret",
        "TagResource",
        "UntagResource",
        "UpdateSecret",
        "UpdateSecretVersionStage",
    )
]
"""What `pulumi up` does to a secret that ci-deploy deploys, in prod. CreateSecret and
PutResourcePolicy need condition keys (the stack key, BlockPublicPolicy) that the report's
request context does not carry, so the report never shows them."""
DEPLOY_OTHER = sorted(
    [*DEPLOY_PROD, f"{SM}CancelRotateSecret", f"{SM}DeleteResourcePolicy", f"{SM}DeleteSecret"]
)
"""Outside prod, the actions only a delete calls as well."""
READER = "arn:aws:iam::444455556666:role/billing-reader"
EXTERNAL_VALUE_ACTIONS = {
    f"{SM}GetSecretValue",
    f"{SM}PutSecretValue",
    f"{SM}UpdateSecretVersionStage",
}
"""ci-deploy never reads or writes the value of an external secret."""
BREAK_GLASS = [
    f"{SM}{action}"
    for action in (
        "DescribeSecret",
        "GetResourcePolicy",
        "GetSecretValue",
        "ListSecretVersionIds",
        "RestoreSecret",
    )
]
LINT_FINDINGS = {
    "UNKNOWN_ACTION",
    "RESOURCE_MISMATCH",
    "UNKNOWN_CONDITION_FOR_ACTION",
    "UNKNOWN_PREFIX",
    "MALFORMED",
}

ROTATING_CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "api-token": {
            "description": "x",
            "generate": {"length": 40},
            "rotation": {"every_days": 30, "strategy": "token"},
        },
        "partner-key": {"description": "x", "external": True},
        "db": {
            "description": "x",
            "fields": {
                "engine": {"value": "postgres"},
                "host": {"value": "db.internal"},
                "port": {"value": 5432},
                "username": {"value": "app"},
                "password": {"generate": {"length": 32}},
                "dbname": {"value": "app"},
            },
            "rotation": {
                "schedule": "rate(7 days)",
                "strategy": "postgres-single-user",
                "accept_restart_gap": True,  # web receives it through env (docs/consumers.md)
            },
        },
        "prod-signing": {"description": "x", "generate": {"length": 32}, "only_in": ["prod"]},
    },
    "services": {
        "web": {
            "env": {"DB_PASSWORD": "db:password", "DB_USER": "db:username", "TOKEN": "api-token"},
            "task": {"image": "web:1"},
        },
        "jobs": {"runtime_read": ["db", "partner-key"], "env": {"TOKEN": "api-token"}},
        "billing": {"env": {"SIGNING": "prod-signing"}, "only_in": ["prod"]},
        "idle": {},
    },
}


def intended(plan: dict, catalog: dict) -> list[dict]:
    """Who may do what, from the catalog's words and the stack's role ARNs; never from policies."""
    environment = plan["environment"]
    outputs = plan["outputs"]
    present = {
        name
        for name, spec in catalog["secrets"].items()
        if environment in spec.get("only_in", [environment])
    }
    grants: dict[tuple[str, str], set[str]] = {}

    def grant(role: str, secrets, actions) -> None:
        for secret in secrets:
            grants.setdefault((role, secret), set()).update(actions)

    for service, spec in catalog["services"].items():
        if environment not in spec.get("only_in", [environment]):
            continue
        grant(
            outputs["executionRoleArns"][service],
            {ref.split(":")[0] for ref in spec.get("env", {}).values()},
            EXECUTION,
        )
        grant(outputs["taskRoleArns"][service], spec.get("runtime_read", []), RUNTIME)
    rotated = [name for name in present if "rotation" in catalog["secrets"][name]]
    if rotated:
        grant(outputs["rotationRoleArn"], rotated, ROTATION)
    grant(outputs["ciPreviewRoleArn"], present, PREVIEW)
    for role in plan["resources"]:  # breakGlassPrincipals: a role that reads and restores all
        if role["type"] == "aws:iam/role:Role" and role["inputs"].get("path") == (
            "/app-secrets-break-glass/"
        ):
            grant(role["outputs"]["arn"], present, BREAK_GLASS)
    deploy = DEPLOY_PROD if environment == "prod" else DEPLOY_OTHER
    for name in present:
        external = catalog["secrets"][name].get("external", False)
        grant(
            outputs["ciDeployRoleArn"],
            [name],
            [action for action in deploy if not (external and action in EXTERNAL_VALUE_ACTIONS)],
        )
    return sorted(
        (
            {"role": role, "secret": secret, "actions": sorted(actions)}
            for (role, secret), actions in grants.items()
        ),
        key=lambda entry: (entry["role"], entry["secret"]),
    )


def plan_for(write_project, catalog: dict, stack: str) -> dict:
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "acme",
        "app-secrets:githubRepository": "acme/app",
    }
    catalog_path, stack_path = write_project(catalog, config, stack=stack)
    return build_plan(
        stack=stack, catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


@pytest.fixture(scope="module", params=["dev", "prod"])
def committed_plan(request) -> dict:
    return build_plan(stack=request.param, placeholders=True)


def generated_with_a_share() -> dict:
    """Rotation, external secrets, a widest service, and one secret shared with another
    account (so a resource policy of its own, and an external principal)."""
    catalog = generated_catalog(secrets=120, services=12, widest_service=60, rotate_every=2)
    catalog["secrets"]["svc-secret-0000"]["share_with"] = {"dev": [READER]}
    return catalog


@pytest.fixture(scope="module")
def generated_plan(tmp_path_factory) -> tuple[dict, dict]:
    catalog = generated_with_a_share()
    catalog_path, stack_path = write_stack(tmp_path_factory.mktemp("generated"), catalog)
    plan = build_plan(
        stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )
    return plan, catalog


def test_committed_catalog_access_is_exactly_the_intent(committed_plan):
    catalog = yaml.safe_load((PROJECT_DIR / "catalog.yaml").read_text())

    assert committed_plan["access"] == intended(committed_plan, catalog)


def test_committed_report_equals_deciding_each_request(committed_plan):
    assert access_report(committed_plan) == evaluated_request_by_request(
        committed_plan, each_action=True
    )


def test_generated_report_equals_deciding_each_request(generated_plan):
    plan, _ = generated_plan

    report = access_report(plan)

    assert report == evaluated_request_by_request(plan, each_action=False)
    assert [entry["secret"] for entry in report if entry.get("external")] == ["svc-secret-0000"]


def test_generated_catalog_access_is_exactly_the_intent(generated_plan):
    plan, catalog = generated_plan

    own = [entry for entry in plan["access"] if not entry.get("external")]
    assert own == intended(plan, catalog)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_rotating_catalog_access_is_exactly_the_intent(write_project, stack):
    plan = plan_for(write_project, ROTATING_CATALOG, stack)

    assert plan["access"] == intended(plan, ROTATING_CATALOG)
    assert any(entry["actions"] == ROTATION for entry in plan["access"])


def test_the_report_is_evaluated_not_copied(write_project):
    plan = plan_for(write_project, ROTATING_CATALOG, "dev")
    deny_everything = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
    )
    for resource in plan["resources"]:
        if resource["type"] == "aws:secretsmanager/secretPolicy:SecretPolicy":
            resource["inputs"]["policy"] = deny_everything

    report = access_report(plan)

    assert report
    assert all(f"{SM}GetSecretValue" not in entry["actions"] for entry in report)


def test_rejects_a_managed_policy_it_cannot_evaluate(write_project):
    plan = plan_for(write_project, ROTATING_CATALOG, "dev")
    for resource in plan["resources"]:
        if resource["type"] == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            resource["inputs"]["policyArn"] = "arn:aws:iam::aws:policy/AdministratorAccess"

    with pytest.raises(AccessReportError, match="AdministratorAccess"):
        access_report(plan)


def test_matrix_names_every_role_and_secret(write_project):
    plan = plan_for(write_project, ROTATING_CATALOG, "dev")

    text = "\n".join(render_matrix(plan["access"]))

    assert "api-token" in text and "db" in text
    assert plan["outputs"]["rotationRoleArn"] in text
    assert "DGPS" in text


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_generated_policy_lints_clean(write_project, stack):
    plan = plan_for(write_project, ROTATING_CATALOG, stack)
    documents = [
        resource["inputs"]["policy"]
        for resource in plan["resources"]
        if resource["type"] in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
    ]

    assert len(documents) >= 7
    for document in documents:
        findings = {
            finding.issue for finding in parliament.analyze_policy_string(document).findings
        }
        assert not findings & LINT_FINDINGS, (findings, document)


def test_policies_fit_iam_limits_at_a_thousand_secrets(write_project):
    catalog = generated_catalog(secrets=1000, services=20, widest_service=300, rotate_every=2)
    plan = plan_for(write_project, catalog, "prod")
    inline: dict[str, int] = {}
    attached: dict[str, int] = {}
    managed_sizes = {
        resource["outputs"]["arn"]: len(resource["inputs"]["policy"])
        for resource in plan["resources"]
        if resource["type"] == "aws:iam/policy:Policy"
    }
    for resource in plan["resources"]:
        if resource["type"] == "aws:iam/rolePolicy:RolePolicy":
            role = resource["inputs"]["role"]
            inline[role] = inline.get(role, 0) + len(resource["inputs"]["policy"])
        if resource["type"] == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            role = resource["inputs"]["role"]
            attached[role] = attached.get(role, 0) + 1

    assert max(inline.values()) <= 10_240
    assert max(managed_sizes.values()) <= 6_144
    assert max(attached.values()) <= 10
    assert (
        attached["acme-prod-service-000-exec"] >= 2
    )  # the 300-secret service spilled into managed policies
    widest = {
        entry["secret"]
        for entry in plan["access"]
        if entry["role"] == plan["outputs"]["executionRoleArns"]["service-000"]
    }
    assert plan["access"] == intended(plan, catalog)
    assert len(widest) >= 140
