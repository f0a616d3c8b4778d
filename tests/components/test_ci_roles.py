"""CiRoles under the mock engine: two OIDC-trusted roles, their names, subjects and policies."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.ci_roles import CiRoles, CiRolesArgs
from design.arns import Account
from design.ci import StackScope, ci_deploy_policy, deploy_layout
from design.ci_preview import ci_preview_policy
from design.iam import github_trust
from design.naming import StackNames
from tests.conftest import records_of, registered

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
NAMES = StackNames(prefix="acme", environment="prod")
BOUNDARY = "arn:aws:iam::123456789012:policy/app-secrets-boundary/acme-prod-workload-boundary"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def account() -> AwsAccount:
    return AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT.account_id),
        region=pulumi.Output.from_input(ACCOUNT.region),
        partition=pulumi.Output.from_input(ACCOUNT.partition),
    )


def declare(**overrides) -> CiRoles:
    args = {
        "names": NAMES,
        "repository": "acme/app",
        "account": account(),
        "key_arn": KEY,
        "boundary_arn": BOUNDARY,
        "production": True,
        "tags": {"Project": "acme"},
        **overrides,
    }
    return CiRoles("ci", CiRolesArgs(**args))


@pulumi.runtime.test
def test_roles_live_on_the_ci_path_and_trust_one_repository(monitor):
    ci = declare()

    def check(values):
        provider_arn, preview_arn, deploy_arn = values
        roles = records_of(monitor, ROLE)
        provider = records_of(monitor, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
        assert preview_arn == "arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-preview"
        assert deploy_arn == "arn:aws:iam::123456789012:role/app-secrets-ci/acme-prod-ci-deploy"
        assert provider["ci-github"].inputs["url"] == "https://token.actions.githubusercontent.com"
        assert provider["ci-github"].inputs["clientIdLists"] == ["sts.amazonaws.com"]
        preview, deploy = roles["ci-preview-role"].inputs, roles["ci-deploy-role"].inputs
        assert json.loads(preview["assumeRolePolicy"]) == github_trust(
            provider_arn, "repo:acme/app:pull_request"
        )
        assert json.loads(deploy["assumeRolePolicy"]) == github_trust(
            provider_arn, "repo:acme/app:ref:refs/heads/main"
        )
        for role in (preview, deploy):
            assert role["maxSessionDuration"] == 3600
            assert "permissionsBoundary" not in role

    return pulumi.Output.all(ci.oidc_provider_arn, ci.preview_role_arn, ci.deploy_role_arn).apply(
        check
    )


@pulumi.runtime.test
def test_an_existing_provider_and_a_deploy_environment_are_trusted_as_named(monitor):
    # GIVEN the account's provider and a GitHub environment for deployments
    ci = declare(oidc_provider_arn=PROVIDER, deploy_environment="production")

    def check(_):
        # THEN no provider is created, and ci-deploy trusts the environment, not a branch
        roles = records_of(monitor, ROLE)
        assert records_of(monitor, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == {}
        assert json.loads(roles["ci-deploy-role"].inputs["assumeRolePolicy"]) == github_trust(
            PROVIDER, "repo:acme/app:environment:production"
        )
        assert json.loads(roles["ci-preview-role"].inputs["assumeRolePolicy"]) == github_trust(
            PROVIDER, "repo:acme/app:pull_request"
        )

    return pulumi.Output.all(ci.preview_role_arn, ci.deploy_role_arn).apply(check)


@pulumi.runtime.test
def test_each_role_carries_the_policy_of_its_stack(monitor):
    # GIVEN the CI roles of a dev stack (deletion allowed)
    names = StackNames(prefix="acme", environment="dev")
    ci = declare(names=names, production=False)
    scope = StackScope(names=names, boundary_arn=BOUNDARY, production=False)

    def check(_):
        # THEN the inline policies are exactly the pure ones for that stack
        policies = records_of(monitor, ROLE_POLICY)
        assert set(policies) == {"ci-preview-grants", "ci-deploy-grants"}
        preview, deploy = policies["ci-preview-grants"].inputs, policies["ci-deploy-grants"].inputs
        assert preview["role"] == "acme-dev-ci-preview"
        assert deploy["role"] == "acme-dev-ci-deploy"
        assert json.loads(preview["policy"]) == ci_preview_policy(ACCOUNT, scope)
        assert json.loads(deploy["policy"]) == ci_deploy_policy(ACCOUNT, scope, key_arn=KEY)

    return registered(ci).apply(check)


@pulumi.runtime.test
def test_prod_deploy_policy_forbids_deletion(monitor):
    ci = declare()
    scope = StackScope(names=NAMES, boundary_arn=BOUNDARY, production=True)

    def check(_):
        deploy = records_of(monitor, ROLE_POLICY)["ci-deploy-grants"].inputs
        policy = json.loads(deploy["policy"])
        assert policy == ci_deploy_policy(ACCOUNT, scope, key_arn=KEY)
        assert policy["Statement"][-1]["Sid"] == "NoDeletionInProd"

    return registered(ci).apply(check)


@pulumi.runtime.test
def test_deploy_policy_names_the_external_secrets_and_the_task_families(monitor):
    # GIVEN one external secret and one task family
    ci = declare(external_secrets=("partner-key",), task_families=("acme-prod-web",))
    scope = StackScope(
        names=NAMES,
        boundary_arn=BOUNDARY,
        production=True,
        external_secrets=("partner-key",),
        task_families=("acme-prod-web",),
    )

    def check(_):
        # THEN the one inline policy is the pure one for exactly those, and no managed part
        deploy = json.loads(records_of(monitor, ROLE_POLICY)["ci-deploy-grants"].inputs["policy"])
        assert deploy == ci_deploy_policy(ACCOUNT, scope, key_arn=KEY)
        statements = {statement["Sid"]: statement for statement in deploy["Statement"]}
        assert statements["NoExternalValues"]["Resource"] == [
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/partner-key-??????"
        ]
        assert statements["StackTaskDefinitions"]["Resource"] == [
            "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-prod-web:*"
        ]
        assert records_of(monitor, "aws:iam/policy:Policy") == {}

    return registered(ci).apply(check)


@pulumi.runtime.test
def test_a_large_deploy_policy_spills_into_attached_managed_policies(monitor):
    # GIVEN more external secrets and task families than one inline policy holds
    externals = tuple(f"external-partner-credential-{i:02}" for i in range(40))
    families = tuple(f"acme-prod-service-with-a-long-name-{i:02}" for i in range(40))
    ci = declare(external_secrets=externals, task_families=families)
    parts = len(
        deploy_layout(
            StackScope(
                names=NAMES,
                boundary_arn=BOUNDARY,
                production=True,
                external_secrets=externals,
                task_families=families,
            )
        )
    )

    def check(_):
        # THEN each further part is a managed policy on the CI path, attached to ci-deploy
        policies = records_of(monitor, "aws:iam/policy:Policy")
        attachments = records_of(monitor, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        assert parts > 1
        assert set(policies) == {f"ci-deploy-grants-{index}" for index in range(1, parts)}
        assert {policy.inputs["path"] for policy in policies.values()} == {"/app-secrets-ci/"}
        assert {a.inputs["role"] for a in attachments.values()} == {"acme-prod-ci-deploy"}
        assert len(attachments) == parts - 1

    return registered(ci).apply(check)
