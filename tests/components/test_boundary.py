"""WorkloadBoundary under the mock engine: one managed policy, named and placed from the stack."""

from __future__ import annotations

import json

import pulumi

from components.account import AwsAccount
from components.boundary import WorkloadBoundary, WorkloadBoundaryArgs
from design.arns import Account
from design.boundary import workload_boundary
from design.naming import StackNames
from tests.conftest import records_of

POLICY = "aws:iam/policy:Policy"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")


def declare(names: StackNames, **fields) -> WorkloadBoundary:
    account = AwsAccount(
        account_id=pulumi.Output.from_input(ACCOUNT.account_id),
        region=pulumi.Output.from_input(ACCOUNT.region),
        partition=pulumi.Output.from_input(ACCOUNT.partition),
    )
    return WorkloadBoundary(
        "workload-boundary",
        WorkloadBoundaryArgs(names=names, account=account, key_arn=KEY_ARN, **fields),
    )


@pulumi.runtime.test
def test_the_boundary_is_one_policy_of_the_stacks_names_outside_the_workload_path(monitor):
    names = StackNames(prefix="acme", environment="dev")
    boundary = declare(names, tags={"Project": "acme"})

    def check(arn):
        [(name, record)] = records_of(monitor, POLICY).items()
        assert name == "workload-boundary-policy"
        assert record.inputs["name"] == "acme-dev-workload-boundary"
        assert record.inputs["path"] == "/app-secrets-boundary/"
        assert not record.inputs["path"].startswith(names.workload_path)
        assert record.inputs["tags"] == {"Project": "acme"}
        assert arn == record.outputs["arn"]
        assert arn.startswith("arn:aws:iam::123456789012:policy/app-secrets-boundary/")
        assert arn.endswith("acme-dev-workload-boundary")

    return boundary.arn.apply(check)


@pulumi.runtime.test
def test_the_policy_is_the_designed_boundary_of_the_account_and_key(monitor):
    names = StackNames(prefix="acme-web", environment="pre-prod")
    boundary = declare(names)

    def check(_):
        record = records_of(monitor, POLICY)["workload-boundary-policy"]
        assert record.inputs["name"] == "acme-web-pre-prod-workload-boundary"
        assert json.loads(record.inputs["policy"]) == workload_boundary(
            ACCOUNT, names=names, key_arn=KEY_ARN
        )
        # Compact, as IAM measures it.
        assert " " not in record.inputs["policy"]

    return boundary.arn.apply(check)


@pulumi.runtime.test
def test_a_path_can_be_given(monitor):
    boundary = declare(StackNames(prefix="acme", environment="dev"), path="/other-boundary/")

    def check(_):
        assert records_of(monitor, POLICY)["workload-boundary-policy"].inputs["path"] == (
            "/other-boundary/"
        )

    return boundary.arn.apply(check)
