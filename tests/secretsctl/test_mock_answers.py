"""Each resource type's mock answer has the id and ARN format pulumi-aws reports."""

from __future__ import annotations

import re

import pytest

from design.arns import Account
from secretsctl.mock_answers import ANSWERS, guessed

PLACE = Account(partition="aws", region="eu-west-1", account_id="123456789012")
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/x-AbCdEf"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-dev-alerts"


def answer(typ: str, inputs: dict, *, name: str = "logical") -> tuple[str, dict]:
    return ANSWERS[typ](PLACE, name, inputs)


@pytest.mark.parametrize(
    ("typ", "inputs", "resource_id"),
    [
        ("aws:iam/rolePolicy:RolePolicy", {"role": "acme-dev-api-task", "name": "grants"},
         "acme-dev-api-task:grants"),
        ("aws:secretsmanager/secretPolicy:SecretPolicy", {"secretArn": SECRET_ARN}, SECRET_ARN),
        ("aws:secretsmanager/secretRotation:SecretRotation", {"secretId": SECRET_ARN}, SECRET_ARN),
        ("aws:sns/topicPolicy:TopicPolicy", {"arn": TOPIC_ARN}, TOPIC_ARN),
        ("aws:lambda/permission:Permission", {"statementId": "AllowSM"}, "AllowSM"),
        ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "acme-trail"}, "acme-trail"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"bucket": "b"}, "b"),
        ("aws:cloudwatch/eventTarget:EventTarget", {"rule": "r", "targetId": "t"}, "r-t"),
        ("aws:cloudwatch/eventTarget:EventTarget",
         {"rule": "r", "targetId": "t", "eventBusName": "bus"}, "bus-r-t"),
        ("aws:cloudwatch/eventBusPolicy:EventBusPolicy", {"eventBusName": "bus"}, "bus"),
        ("aws:cloudwatch/eventBusPolicy:EventBusPolicy", {}, "default"),
    ],
)  # fmt: skip
def test_sub_resources_have_no_arn_and_the_providers_id(typ, inputs, resource_id):
    found_id, outputs = answer(typ, inputs)

    assert found_id == resource_id
    assert "arn" not in outputs


def test_the_oidc_provider_arn_names_the_host_of_its_url():
    url = {"url": "https://token.actions.githubusercontent.com", "clientIdLists": ["x"]}

    resource_id, outputs = answer("aws:iam/openIdConnectProvider:OpenIdConnectProvider", url)

    assert outputs["arn"] == (
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    )
    assert resource_id == outputs["arn"]


def test_role_policy_attachment_ids_start_with_the_role_and_are_stable():
    inputs = {"role": "acme-dev-api-exec", "policyArn": "arn:aws:iam::aws:policy/x"}

    first, outputs = answer("aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs)
    again, _ = answer("aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs)

    assert re.fullmatch(r"acme-dev-api-exec-\d{26}", first)
    assert first == again and outputs == {}


def test_task_definition_arn_carries_family_and_revision():
    resource_id, outputs = answer("aws:ecs/taskDefinition:TaskDefinition", {"family": "acme-api"})

    assert resource_id == "acme-api"
    assert outputs == {
        "arn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api:1",
        "arnWithoutRevision": "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api",
        "revision": 1,
    }


def test_log_group_arn_has_no_stream_wildcard_as_the_provider_reports():
    _, outputs = answer("aws:cloudwatch/logGroup:LogGroup", {"name": "/aws/lambda/f"})

    assert outputs["arn"] == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f"


def test_analyzer_and_event_bus_arns():
    analyzer_id, analyzer = answer(
        "aws:accessanalyzer/analyzer:Analyzer", {"analyzerName": "acme-dev", "type": "ACCOUNT"}
    )
    bus_id, bus = answer("aws:cloudwatch/eventBus:EventBus", {"name": "acme-alerts"})

    assert (analyzer_id, analyzer["arn"]) == (
        "acme-dev",
        "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/acme-dev",
    )
    assert (bus_id, bus["arn"]) == (
        "acme-alerts",
        "arn:aws:events:eu-west-1:123456789012:event-bus/acme-alerts",
    )


@pytest.mark.parametrize(
    ("bus", "resource_id", "arn_resource"),
    [
        (None, "r", "rule/r"),
        ("default", "r", "rule/r"),
        ("acme-bus", "acme-bus/r", "rule/acme-bus/r"),
        (
            "arn:aws:events:eu-west-1:123456789012:event-bus/acme-bus",
            "acme-bus/r",
            "rule/acme-bus/r",
        ),
    ],
)
def test_event_rules_on_another_bus_carry_it_in_id_and_arn(bus, resource_id, arn_resource):
    inputs = {"name": "r"} | ({"eventBusName": bus} if bus else {})

    found_id, outputs = answer("aws:cloudwatch/eventRule:EventRule", inputs)

    assert found_id == resource_id
    assert outputs["arn"] == f"arn:aws:events:eu-west-1:123456789012:{arn_resource}"
    assert outputs["eventBusName"] == (bus or "default")  # the input, echoed


def test_alias_points_at_the_key_it_targets():
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"

    resource_id, outputs = answer(
        "aws:kms/alias:Alias", {"name": "alias/acme-dev-secrets", "targetKeyId": key_id}
    )

    assert resource_id == "alias/acme-dev-secrets"
    assert outputs == {
        "arn": "arn:aws:kms:eu-west-1:123456789012:alias/acme-dev-secrets",
        "targetKeyArn": f"arn:aws:kms:eu-west-1:123456789012:key/{key_id}",
    }


def test_buckets_are_global_and_functions_regional():
    _, bucket = answer("aws:s3/bucket:Bucket", {"bucket": "acme-trail"})
    _, function = answer("aws:lambda/function:Function", {"name": "f"})

    assert bucket["arn"] == "arn:aws:s3:::acme-trail"
    assert bucket["bucketRegionalDomainName"] == "acme-trail.s3.eu-west-1.amazonaws.com"
    assert function["qualifiedArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST"


def test_a_type_without_an_answer_gets_a_guess_from_its_token():
    resource_id, outputs = guessed("aws:sqs/queue:Queue")(PLACE, "q", {"name": "acme-q"})

    assert (resource_id, outputs["arn"]) == ("q", "arn:aws:sqs:eu-west-1:123456789012:queue/acme-q")


def test_a_state_machine_arn_has_a_colon_before_its_name_and_is_its_id():
    resource_id, outputs = answer(
        "aws:sfn/stateMachine:StateMachine", {"name": "acme-dev-restarts"}
    )

    assert outputs["arn"] == "arn:aws:states:eu-west-1:123456789012:stateMachine:acme-dev-restarts"
    assert resource_id == outputs["arn"]
    assert (outputs["name"], outputs["status"]) == ("acme-dev-restarts", "ACTIVE")
