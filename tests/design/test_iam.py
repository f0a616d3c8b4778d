"""Pure IAM documents: trust and resource policies, grants and the KMS statement."""

from __future__ import annotations

import json

import pytest

from aws_model.iam_eval import Decision, Request, evaluate
from design.arns import Account
from design.iam import (
    compact,
    document,
    ecs_tasks_trust,
    github_trust,
    kms_via_secrets_manager,
    lambda_trust,
    secret_resource_policy,
    secret_statement,
)
from tests.design.service_requests import ACCOUNT_ID, OTHER_ACCOUNT_ID, assume, source

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")


def test_ecs_trust_is_limited_to_the_account_and_its_ecs_resources():
    statement = ecs_tasks_trust(ACCOUNT)["Statement"][0]

    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"},
    }


TASK_ARN = "arn:aws:ecs:eu-west-1:123456789012:task/acme/0123456789abcdef0123456789abcdef"
OTHER_TASK_ARN = TASK_ARN.replace("123456789012", "999988887777")


ECS = "ecs-tasks.amazonaws.com"


@pytest.mark.parametrize(
    ("service", "context", "decision"),
    [
        (ECS, source(ACCOUNT_ID, TASK_ARN), Decision.ALLOW),
        (ECS, source(OTHER_ACCOUNT_ID, OTHER_TASK_ARN), Decision.IMPLICIT_DENY),
        (ECS, source(ACCOUNT_ID, OTHER_TASK_ARN), Decision.IMPLICIT_DENY),
        (
            ECS,
            source(ACCOUNT_ID, TASK_ARN.replace("eu-west-1", "us-east-1")),
            Decision.IMPLICIT_DENY,
        ),
        (ECS, source(None, None), Decision.IMPLICIT_DENY),
        ("lambda.amazonaws.com", source(ACCOUNT_ID, TASK_ARN), Decision.IMPLICIT_DENY),
    ],
    ids=["own-task", "other-account", "other-account-task", "other-region", "no-source", "lambda"],
)
def test_ecs_trust_admits_only_this_accounts_tasks_in_its_region(service, context, decision):
    assert assume(ecs_tasks_trust(ACCOUNT), service, **context) is decision


def test_lambda_trust_is_the_lambda_service_of_the_account_only():
    [statement] = lambda_trust("123456789012")["Statement"]

    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }


@pytest.mark.parametrize(
    ("service", "account", "decision"),
    [
        ("lambda.amazonaws.com", "123456789012", Decision.ALLOW),
        ("lambda.amazonaws.com", "999988887777", Decision.IMPLICIT_DENY),
        ("lambda.amazonaws.com", None, Decision.IMPLICIT_DENY),
        ("ecs-tasks.amazonaws.com", "123456789012", Decision.IMPLICIT_DENY),
    ],
    ids=["own-account", "other-account", "no-source-account", "ecs"],
)
def test_lambda_trust_admits_lambda_for_this_account_only(service, account, decision):
    trust = lambda_trust("123456789012")

    assert assume(trust, service, **{"aws:SourceAccount": account}) is decision


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


def test_secret_statement_lists_exact_arns_sorted():
    statement = secret_statement(
        "Read", ("secretsmanager:GetSecretValue",), secret_arns=["arn:b", "arn:a"]
    )

    assert statement == {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": ["arn:a", "arn:b"],
    }


def test_kms_is_allowed_only_through_secrets_manager_of_the_region():
    statement = kms_via_secrets_manager("arn:aws:kms:eu-west-1:123456789012:key/k", "eu-west-1")

    assert statement["Action"] == ["kms:Decrypt"]
    assert statement["Resource"] == "arn:aws:kms:eu-west-1:123456789012:key/k"
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }


def test_compact_is_the_json_iam_measures_without_white_space():
    policy = document([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])

    assert compact(policy) == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
        '"Resource":"*"}]}'
    )
    assert json.loads(compact(policy)) == policy
