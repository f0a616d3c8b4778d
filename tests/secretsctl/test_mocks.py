"""The plan's mock provider: realistic, reproducible ARNs and values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from inputs.validators import AWS_REGION
from secretsctl.mocks import ANSWERS, PlanMocks, derived_characters
from secretsctl.plan import build_plan
from tests.conftest import PROJECT_DIR
from tests.secretsctl.moto_stack import CATALOG as MOTO_CATALOG

GLOBAL_SERVICES = ("iam", "s3")
"""Their ARNs carry no region; S3's no account either."""
SERVICE_OF_TYPE = {
    "aws:accessanalyzer/analyzer:Analyzer": "access-analyzer",
    "aws:cloudwatch/eventBus:EventBus": "events",
    "aws:cloudwatch/eventRule:EventRule": "events",
    "aws:cloudwatch/logGroup:LogGroup": "logs",
    "aws:sfn/stateMachine:StateMachine": "states",
}
"""Where the ARN's service differs from the type token's module."""
SECOND_REGION = "us-east-1"
"""Where IAM's CloudTrail events arrive: the stack puts rules there, whatever its region."""
ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[^:]*):"
    r"(?P<account>\d{12}|):(?P<resource>.+)$"
)


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


# --- the region of the resource's provider ------------------------------------------------


def register_provider(mocks: PlanMocks, name: str, inputs: dict) -> str:
    """The reference the SDK sends for a provider: `{urn}::{id}`."""
    provider_id, _ = mocks.new_resource(
        pulumi.runtime.MockResourceArgs(typ="pulumi:providers:aws", name=name, inputs=inputs)
    )
    return f"urn:pulumi:dev::app-secrets::pulumi:providers:aws::{name}::{provider_id}"


def test_resources_of_a_provider_in_another_region_get_its_arns():
    mocks = PlanMocks(account_id="123456789012", region="eu-west-1")
    reference = register_provider(mocks, "us-east-1", {"region": "us-east-1"})

    def arn_of(typ: str, inputs: dict, provider: str | None) -> str:
        args = pulumi.runtime.MockResourceArgs(
            typ=typ, name="x", inputs=inputs, provider=provider, custom=True
        )
        return mocks.new_resource(args)[1]["arn"]

    rule = "aws:cloudwatch/eventRule:EventRule"
    assert arn_of(rule, {"name": "r"}, reference).startswith("arn:aws:events:us-east-1:")
    assert arn_of(rule, {"name": "r"}, None).startswith("arn:aws:events:eu-west-1:")
    assert arn_of(rule, {"name": "r", "region": "ap-south-1"}, reference).startswith(
        "arn:aws:events:ap-south-1:"
    )
    assert arn_of("aws:iam/role:Role", {"name": "r"}, reference).startswith("arn:aws:iam::")
    region = mocks.call(
        pulumi.runtime.MockCallArgs(
            token="aws:index/getRegion:getRegion", args={}, provider=reference
        )
    )
    assert region["name"] == "us-east-1"


def test_a_provider_without_a_region_uses_the_stacks():
    mocks = PlanMocks(account_id="123456789012", region="eu-west-1")
    reference = register_provider(mocks, "plain", {})

    assert mocks.region_of(reference) == "eu-west-1"
    assert mocks.region_of("urn:pulumi:dev::app-secrets::pulumi:providers:aws::gone::1234") == (
        "eu-west-1"
    )


def test_components_get_no_id_and_no_outputs():
    mocks = PlanMocks(account_id="123456789012", region="eu-west-1")

    assert mocks.new_resource(
        pulumi.runtime.MockResourceArgs(typ="app-secrets:x:X", name="x", inputs={}, custom=False)
    ) == ("", {})


@pulumi.runtime.test
def test_the_sdk_reference_of_an_explicit_provider_reaches_the_mocks(monitor):
    # GIVEN a second provider, as the SDK registers it and passes its reference
    east = aws.Provider("us-east-1", region="us-east-1")
    there = aws.cloudwatch.EventRule(
        "there", name="r", event_pattern="{}", opts=pulumi.ResourceOptions(provider=east)
    )
    here = aws.cloudwatch.EventRule("here", name="r", event_pattern="{}")
    region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(provider=east))

    def check(values: list[str]) -> None:
        there_arn, here_arn, region_name = values
        assert there_arn == "arn:aws:events:us-east-1:123456789012:rule/r"
        assert here_arn == "arn:aws:events:eu-west-1:123456789012:rule/r"
        assert region_name == "us-east-1"

    return pulumi.Output.all(there.arn, here.arn, region.region).apply(check)


# --- every ARN of realistic plans ---------------------------------------------------------


def _rich_stack(directory: Path) -> tuple[Path, Path]:
    """prod in eu-west-1 with a trail, https alerts, break-glass, a VPC rotation function and
    the restarts after rotation."""
    catalog = yaml.safe_load((PROJECT_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    catalog["secrets"]["db"] = MOTO_CATALOG["secrets"]["db"]  # single-user rotation
    catalog["services"]["api"]["ecs_service"] = "api"  # receives the rotated admin-token
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    config["config"].update(
        {
            "aws:region": "eu-west-1",
            "app-secrets:createTrail": True,
            "app-secrets:alertHttpsEndpoints": ["https://hooks.example.com/alerts"],
            "app-secrets:rotationSubnetIds": ["subnet-0123456789abcdef0"],
            "app-secrets:rotationSecurityGroupIds": ["sg-0123456789abcdef0"],
            "app-secrets:ecsClusterName": "acme-prod",
        }
    )
    catalog_path, stack_path = directory / "catalog.yaml", directory / "Pulumi.prod.yaml"
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    stack_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return catalog_path, stack_path


@pytest.fixture(scope="module")
def rich_plan(tmp_path_factory) -> dict[str, Any]:
    catalog_path, stack_path = _rich_stack(tmp_path_factory.mktemp("rich"))
    return build_plan(
        stack="prod", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
    )


@pytest.fixture(scope="module", params=["dev", "prod", "rich"])
def realistic_plan(request) -> dict[str, Any]:
    if request.param == "rich":
        return request.getfixturevalue("rich_plan")
    return build_plan(stack=request.param, placeholders=True)


def _declared(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The provider's resources: not the components, not providers."""
    return [
        resource
        for resource in plan["resources"]
        if not resource["type"].startswith(("app-secrets:", "pulumi:providers:"))
    ]


def test_every_type_of_a_realistic_plan_has_its_own_answer(realistic_plan):
    types = {resource["type"] for resource in _declared(realistic_plan)}

    assert sorted(types - set(ANSWERS)) == [], "give these types an answer in mock_answers.py"


def test_no_realistic_plan_holds_a_made_up_arn(realistic_plan):
    assert "mock" not in json.dumps(realistic_plan).lower()


def test_every_arn_of_a_realistic_plan_has_the_services_format(realistic_plan):
    for resource in _declared(realistic_plan):
        arn = resource["outputs"].get("arn")
        if arn is None or "arn" in resource["inputs"]:  # no ARN, or another resource's
            continue
        parts = ARN.match(arn)
        assert parts, f"{resource['type']}: {arn} is not an ARN"
        service = SERVICE_OF_TYPE.get(
            resource["type"], resource["type"].split(":")[1].split("/")[0]
        )
        assert parts["service"] == service, f"{resource['type']}: {arn}"
        if service in GLOBAL_SERVICES:
            assert parts["region"] == "", arn
            assert parts["account"] == ("" if service == "s3" else realistic_plan["account"]), arn
        else:
            assert parts["region"] in {realistic_plan["region"], SECOND_REGION}, arn
            assert (
                AWS_REGION.fullmatch(parts["region"])
                and parts["account"] == (realistic_plan["account"])
            ), arn


def test_the_rich_plan_declares_what_the_committed_ones_do_not(rich_plan):
    types = {resource["type"] for resource in _declared(rich_plan)}

    assert {
        "aws:cloudtrail/trail:Trail",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:sfn/stateMachine:StateMachine",
    } <= types
