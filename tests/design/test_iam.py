"""Pure IAM documents: exact grants packed within IAM's limits, trust and resource policies."""

from __future__ import annotations

import json

import pytest

from components.grants import (
    INLINE_LIMIT,
    MANAGED_LIMIT,
    Account,
    PolicyTooLargeError,
    compact,
    ecs_tasks_trust,
    estimated_arn_length,
    github_trust,
    layout_grants,
    secret_resource_policy,
    workload_boundary,
)
from aws_model.iam_eval import Decision, Request, evaluate

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")


def names(count: int) -> list[str]:
    return [f"acme/prod/svc-secret-{index:04d}" for index in range(count)]


def test_estimate_is_never_below_the_real_arn():
    name = "acme/prod/" + "x" * 200
    real = f"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:{name}-AbCdEf"

    assert estimated_arn_length(name) >= len(json.dumps(real)) + 1


def test_small_grants_stay_inline():
    layout = layout_grants(names(5), fixed_inline_size=300)

    assert layout.inline == tuple(names(5))
    assert layout.managed == ()


def test_three_hundred_secrets_spill_into_managed_policies_each_listed_once():
    layout = layout_grants(names(300), fixed_inline_size=300, managed_slots=9)

    placed = list(layout.inline) + [name for chunk in layout.managed for name in chunk]
    assert sorted(placed) == names(300)
    assert 1 <= len(layout.managed) <= 9
    assert sum(estimated_arn_length(name) for name in layout.inline) <= INLINE_LIMIT - 300
    for chunk in layout.managed:
        assert sum(estimated_arn_length(name) for name in chunk) <= MANAGED_LIMIT


def test_fails_when_iam_cannot_hold_the_grants():
    with pytest.raises(
        PolicyTooLargeError, match=r"2000 secrets need \d+ managed policies; IAM allows 9"
    ):
        layout_grants(names(2000), fixed_inline_size=300, managed_slots=9)


def test_ecs_trust_is_limited_to_the_account():
    statement = ecs_tasks_trust("123456789012")["Statement"][0]

    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_github_trust_pins_audience_and_subject():
    statement = github_trust(
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        "repo:acme/app:pull_request",
    )["Statement"][0]

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/app:pull_request",
    }


def test_resource_policy_denies_everything_to_other_accounts():
    statement = secret_resource_policy(ACCOUNT)["Statement"][0]

    assert (statement["Effect"], statement["Principal"], statement["Action"]) == (
        "Deny",
        "*",
        "secretsmanager:*",
    )
    assert statement["Condition"] == {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_resource_policy_grants_nothing_inside_the_account():
    request = Request(
        principal_arn="arn:aws:iam::123456789012:role/someone",
        action="secretsmanager:GetSecretValue",
        resource_arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/x-AbCdEf",
        context={"aws:PrincipalAccount": "123456789012"},
    )

    assert (
        evaluate(request, identity_policies=[], resource_policy=secret_resource_policy(ACCOUNT))
        is Decision.IMPLICIT_DENY
    )


def test_boundary_never_grants_more_than_the_stack_path():
    boundary = workload_boundary(
        ACCOUNT,
        secret_path="acme/prod/",
        key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
        name_stem="acme-prod",
    )
    text = compact(boundary)

    assert '"Action":"*"' not in text and "secretsmanager:*" not in text
    for statement in boundary["Statement"]:
        if any(
            action.startswith("secretsmanager:") and action != "secretsmanager:GetRandomPassword"
            for action in statement["Action"]
            if isinstance(statement["Action"], list)
        ):
            assert (
                statement["Resource"]
                == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/*"
            )


def test_rotation_statements_add_the_vpc_actions_only_in_a_vpc():
    from components.grants import rotation_statements

    outside = rotation_statements(
        ACCOUNT, "arn:aws:kms:eu-west-1:1:key/k", log_group="/aws/lambda/x"
    )
    inside = rotation_statements(
        ACCOUNT, "arn:aws:kms:eu-west-1:1:key/k", log_group="/aws/lambda/x", in_vpc=True
    )

    assert [statement["Sid"] for statement in inside] == [
        *(statement["Sid"] for statement in outside),
        "RotationInVpc",
    ]
    assert "ec2:CreateNetworkInterface" in inside[-1]["Action"]
    # The boundary allows exactly what a rotation function in a VPC is given.
    boundary = workload_boundary(
        ACCOUNT, secret_path="acme/dev/", key_arn="k", name_stem="acme-dev"
    )
    assert inside[-1] in boundary["Statement"]
