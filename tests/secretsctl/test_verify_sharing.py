"""verify expects a shared secret's own policy, and the stack's for every other secret."""

from __future__ import annotations

import copy
import json

from design.arns import Account
from design.iam import secret_resource_policy
from design.sharing import shared_secret_resource_policy
from secretsctl.verify_checks import FAILURE, OK
from secretsctl.verify_policy import expected_policy, public_statements
from tests.secretsctl.deployed_stack import ACCOUNT_ID, CATALOG, REGION, fresh_stack

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/billing-api-key-AbC123"
ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
READER = "arn:aws:iam::444455556666:role/billing-reader"


def test_expects_the_shared_policy_for_a_shared_secret():
    assert expected_policy(ARN, shared_with=(READER,)) == shared_secret_resource_policy(
        ACCOUNT, [READER]
    )
    assert expected_policy(ARN) == secret_resource_policy(ACCOUNT)


def test_the_shared_policy_is_not_public():
    policy = shared_secret_resource_policy(ACCOUNT, [READER])

    assert public_statements(policy, expected=None) == []


def test_verify_accepts_the_shared_policy_and_flags_the_unshared_one(
    aws_environment, moto_endpoint, tmp_path
):
    # GIVEN a deployed stack whose partner-key is shared in dev
    stack = fresh_stack(moto_endpoint, tmp_path)
    catalog = copy.deepcopy(CATALOG)
    catalog["secrets"]["partner-key"]["share_with"] = {"dev": [READER]}
    stack.write(catalog)
    stack.deploy({"api-token": "x" * 40, "openai-api-key": "y"})
    account = Account(partition="aws", region=REGION, account_id=ACCOUNT_ID)

    def resource_policy_status(policy: dict) -> str:
        stack.secrets.put_resource_policy(
            SecretId=stack.full_name("partner-key"), ResourcePolicy=json.dumps(policy)
        )
        findings = stack.verify()
        (finding,) = [
            f for f in findings if f.secret == "partner-key" and f.check == "resource-policy"
        ]
        return finding.status

    # WHEN verify reads the shared policy THEN it is the stack's; the unshared one differs
    assert resource_policy_status(shared_secret_resource_policy(account, [READER])) == OK
    assert resource_policy_status(secret_resource_policy(account)) == FAILURE
