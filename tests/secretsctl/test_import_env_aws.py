"""The AWS side of `secretsctl import-env --apply`: one line per failure, never a value."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ProfileNotFound,
)
from botocore.stub import Stubber

from secretsctl.errors import EXIT_FAILED, EXIT_OK, CommandError
from secretsctl.import_env_aws import READY, ValueSlot, aws_call, put_values
from secretsctl.import_env_classify import EXTERNAL, Proposal
from secretsctl.import_env_dotenv import EnvVariable

SECRET_ID = "acme/dev/partner-key"
ARN = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{SECRET_ID}-AbCdEf"


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "about SENTINEL"}}, "DescribeSecret")


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (NoCredentialsError(), "no credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID"),
        (ProfileNotFound(profile="ops"), "profile 'ops' (AWS_PROFILE) is not in the AWS config"),
        (
            EndpointConnectionError(endpoint_url="https://secretsmanager.eu-west-1.amazonaws.com/"),
            "cannot connect to https://secretsmanager.eu-west-1.amazonaws.com; check "
            "--endpoint-url, the region and the network",
        ),
        (ValueError("Port could not be cast"), "the endpoint URL is not usable (ValueError)"),
        (client_error("AccessDeniedException"), "was denied (AccessDeniedException), use "),
        (client_error("UnrecognizedClientException"), "the credentials were rejected"),
        (client_error("ExpiredTokenException"), "the credentials were rejected"),
        (client_error("ThrottlingException"), "failed (ThrottlingException), check the"),
        (
            ParamValidationError(report="SecretString, value: SENTINEL"),
            "botocore raised ParamValidationError; check",
        ),
    ],
)
def test_a_failed_call_is_one_line_that_says_what_to_do(exc, said):
    with pytest.raises(CommandError) as raised, aws_call("DescribeSecret on x", outcome="done"):
        raise exc

    message = str(raised.value)
    assert raised.value.status == EXIT_FAILED
    assert message.startswith("AWS: DescribeSecret on x ") and message.endswith("; done")
    assert said in message
    assert "\n" not in message and "SENTINEL" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def slot() -> ValueSlot:
    proposal = Proposal(
        variable=EnvVariable(name="PARTNER_KEY", value="SENTINEL-value", line=3),
        kind=EXTERNAL,
        reason="",
        secret_name="partner-key",
    )
    return ValueSlot(proposal=proposal, secret_id=SECRET_ID, state=READY, arn=ARN)


def test_a_refused_put_is_a_row_and_exit_1(capsys):
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("put_secret_value", service_error_code="AccessDeniedException")

        assert put_values([slot()], client=client, stack="dev") == EXIT_FAILED

    out = capsys.readouterr().out
    assert f"  PARTNER_KEY -> {SECRET_ID}: not put: AccessDeniedException" in out
    assert "SENTINEL" not in out


def test_a_put_that_cannot_reach_aws_stops_with_one_line():
    class Unreachable:
        def put_secret_value(self, **_):
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")

    with pytest.raises(CommandError) as raised:
        put_values([slot()], client=Unreachable(), stack="dev")

    assert str(raised.value) == (
        f"AWS: PutSecretValue on {SECRET_ID} failed: cannot connect to http://127.0.0.1:1; "
        "check --endpoint-url, the region and the network; values put before it are kept, "
        "run import-env --apply again"
    )


def test_nothing_to_put_is_done(capsys):
    assert put_values([], client=None, stack="dev") == EXIT_OK
    assert capsys.readouterr().out == ""
