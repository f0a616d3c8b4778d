"""The plan's mock provider: realistic, reproducible ARNs and values."""

from __future__ import annotations

import re

import pulumi

from secretsctl.mocks import PlanMocks, derived_characters


def answer(typ: str, name: str, inputs: dict) -> tuple[str, dict]:
    mocks = PlanMocks(account_id="123456789012", region="eu-west-1")
    return mocks.new_resource(pulumi.runtime.MockResourceArgs(typ=typ, name=name, inputs=inputs))


def test_secret_arn_has_a_six_character_suffix_derived_from_the_name():
    resource_id, outputs = answer(
        "aws:secretsmanager/secret:Secret", "x-secret", {"name": "acme/dev/x"}
    )

    assert re.fullmatch(
        r"arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/x-[A-Za-z0-9]{6}",
        outputs["arn"],
    )
    assert resource_id == outputs["arn"]
    assert (
        answer("aws:secretsmanager/secret:Secret", "x-secret", {"name": "acme/dev/x"})[1]["arn"]
        == outputs["arn"]
    )
    assert (
        answer("aws:secretsmanager/secret:Secret", "y-secret", {"name": "acme/dev/y"})[1]["arn"]
        != outputs["arn"]
    )


def test_role_and_key_arns():
    _, role = answer(
        "aws:iam/role:Role", "exec", {"name": "acme-dev-api-exec", "path": "/app-secrets/"}
    )
    _, key = answer("aws:kms/key:Key", "secrets-key", {})

    assert role["arn"] == "arn:aws:iam::123456789012:role/app-secrets/acme-dev-api-exec"
    assert re.fullmatch(r"arn:aws:kms:eu-west-1:123456789012:key/[0-9a-f-]{36}", key["arn"])
    assert key["keyId"] == key["arn"].rsplit("/", 1)[1]


def test_generated_password_honours_length_and_specials():
    _, outputs = answer(
        "random:index/randomPassword:RandomPassword", "p", {"length": 40, "overrideSpecial": "!"}
    )

    assert len(outputs["result"]) == 40
    assert set(outputs["result"]) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"
    )


def test_derived_characters_are_stable():
    assert derived_characters("seed", 6) == derived_characters("seed", 6)
    assert derived_characters("seed", 6) != derived_characters("other", 6)


def test_rotation_functions_log_groups_and_rotations():
    function_id, function = answer(
        "aws:lambda/function:Function", "rotation-token", {"name": "acme-dev-rot-token-0e8cfa"}
    )
    _, log_group = answer(
        "aws:cloudwatch/logGroup:LogGroup", "logs", {"name": "/aws/lambda/acme-dev-rot-token"}
    )
    _, rotation = answer(
        "aws:secretsmanager/secretRotation:SecretRotation", "rotation-x", {"secretId": "arn:x"}
    )

    assert function_id == "acme-dev-rot-token-0e8cfa"
    assert function["arn"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:acme-dev-rot-token-0e8cfa"
    )
    assert log_group["arn"] == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/acme-dev-rot-token"
    )
    assert rotation["rotationEnabled"] is True


def test_alerting_answers_have_realistic_arns():
    topic_arn = answer("aws:sns/topic:Topic", "alerts-topic", {"name": "acme-dev-alerts"})[1]["arn"]
    rule_id, rule = answer(
        "aws:cloudwatch/eventRule:EventRule", "alerts-x", {"name": "acme-dev-access-denied"}
    )
    bucket_id, bucket = answer("aws:s3/bucket:Bucket", "trail-bucket", {"bucket": "acme-trail-1"})
    trail = answer("aws:cloudtrail/trail:Trail", "trail", {"name": "acme-dev-trail"})[1]
    subscription = answer(
        "aws:sns/topicSubscription:TopicSubscription",
        "alerts-email",
        {"topic": topic_arn, "protocol": "email", "endpoint": "a@example.com"},
    )[1]

    assert topic_arn == "arn:aws:sns:eu-west-1:123456789012:acme-dev-alerts"
    assert (rule_id, rule["arn"]) == (
        "acme-dev-access-denied",
        "arn:aws:events:eu-west-1:123456789012:rule/acme-dev-access-denied",
    )
    assert (bucket_id, bucket["arn"]) == ("acme-trail-1", "arn:aws:s3:::acme-trail-1")
    assert trail["arn"] == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-dev-trail"
    assert re.fullmatch(re.escape(topic_arn) + r":[0-9a-f-]{36}", subscription["arn"])
    policy_id = answer("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "acme-trail-1"})[0]
    assert policy_id == "acme-trail-1"
