"""Tests for policies.resource_level: Resource "*" only for actions that accept no resource."""

from __future__ import annotations

import json

import pytest

from policies.iam import ROLE_POLICY
from policies.model import Resource
from policies.resource_level import (
    no_star_for_restrictable_actions,
    restrictable,
    restrictable_actions,
)


def _role_policy(*statements: dict) -> Resource:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(
        type=ROLE_POLICY,
        urn="urn:pulumi:dev::app-secrets::grants",
        name="grants",
        props={"policy": document},
    )


def test_aws_data_says_which_actions_take_a_resource():
    assert len(restrictable_actions()) > 5000
    assert restrictable("ec2:CreateNetworkInterface") == ["ec2:CreateNetworkInterface"]
    assert restrictable("ecs:TagResource") == ["ecs:TagResource"]
    assert restrictable("ecr:GetAuthorizationToken") == []
    assert restrictable("secretsmanager:GetRandomPassword") == []
    assert "ecr:batchgetimage" in restrictable("ecr:Batch*")


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:GetAuthorizationToken", "logs:DescribeLogGroups"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "ecr:BatchGetImage",
            "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/app",
        },
        {"Effect": "Deny", "Action": "secretsmanager:DeleteSecret", "Resource": "*"},
    ],
)
def test_star_for_actions_without_resources_and_denies_pass(statement: dict) -> None:
    assert no_star_for_restrictable_actions(_role_policy(statement)) == []


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        (
            {
                "Effect": "Allow",
                "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces"],
                "Resource": "*",
            },
            "ec2:CreateNetworkInterface",
        ),
        ({"Effect": "Allow", "Action": "ecs:TagResource", "Resource": ["*"]}, "ecs:TagResource"),
        ({"Effect": "Allow", "Action": "ecr:Batch*", "Resource": "*"}, "ecr:batchgetimage"),
    ],
)
def test_fails_star_for_an_action_that_takes_a_resource(statement: dict, named: str) -> None:
    [violation] = no_star_for_restrictable_actions(_role_policy(statement))

    assert violation.rule == "iam-no-star-for-restrictable-actions"
    assert named in violation.message
    assert "ec2:DescribeNetworkInterfaces" not in violation.message
