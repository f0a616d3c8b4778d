"""A stand-in for Secrets Manager's rotation service: stages a token in moto, then runs the steps."""

from __future__ import annotations

import io
import json
import time
import urllib.request
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from rotation import steps
from rotation.secrets_manager import version_with_stage

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from rotation.strategy import RotationStrategy

REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
ALL_STEPS = (steps.CREATE_SECRET, steps.SET_SECRET, steps.TEST_SECRET, steps.FINISH_SECRET)
ROTATION_FUNCTION = "app-secrets-rotation"
ROTATION_ROLE = "app-secrets-rotation"
ROTATION_RULES = {"AutomaticallyAfterDays": 30}


def aws_client(service: str, endpoint_url: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint_url, region_name=REGION, **DUMMY_CREDENTIALS)


def use_lambda_without_docker(endpoint_url: str) -> None:
    """Let moto "invoke" a rotation function without Docker, as a no-op.

    RotateSecret needs a function to invoke. With this setting moto accepts one, records the
    invocations and runs nothing, which leaves the secret as Secrets Manager does before the
    function's first step: a version `token`, staged AWSPENDING, with no value yet.
    """
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


class RotationService:
    """Does what Secrets Manager does around a rotation function, against moto's server."""

    def __init__(self, client: BaseClient, *, endpoint_url: str) -> None:
        self.client = client
        self.endpoint_url = endpoint_url

    def create_secret(
        self, secret_string: str | None, *, rotation_enabled: bool = True, name: str | None = None
    ) -> str:
        """A new secret, named `name` or uniquely, with no version if `secret_string` is None;
        its ARN."""
        request = {"Name": name or f"rotation-test-{uuid.uuid4().hex}"}
        if secret_string is not None:
            request["SecretString"] = secret_string
        secret_arn = self.client.create_secret(**request)["ARN"]
        if rotation_enabled and secret_string is not None:
            # RotateSecret is the only call that turns rotation on in moto. Without
            # RotateImmediately, moto stages a copy of the value as AWSPENDING and invokes
            # testSecret only; with it, moto would also point its "default" version at the new
            # token's empty stub.
            self.client.rotate_secret(
                SecretId=secret_arn,
                RotationLambdaARN=self._rotation_function_arn(),
                RotationRules=ROTATION_RULES,
                RotateImmediately=False,
            )
            self.cancel_pending(secret_arn)
        return secret_arn

    def start(self, secret_arn: str) -> str:
        """RotateSecret with a new ClientRequestToken; the token."""
        token = str(uuid.uuid4())
        if not self.client.describe_secret(SecretId=secret_arn).get("VersionIdsToStages"):
            self._stage_first_rotation(secret_arn, token)
            return token
        self.client.rotate_secret(
            SecretId=secret_arn,
            ClientRequestToken=token,
            RotationLambdaARN=self._rotation_function_arn(),
            RotationRules=ROTATION_RULES,
        )
        return token

    def _stage_first_rotation(self, secret_arn: str, token: str) -> None:
        """What RotateSecret does to a secret that has no version yet: turn rotation on and stage
        an empty version `token` AWSPENDING, for createSecret to fill.

        moto's RotateSecret fails on such a secret (it only stages a version when one exists),
        so the stub is added to moto's in-process backend: the server runs in this process.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.secretsmanager.models import secretsmanager_backends

        secret = secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION].secrets[secret_arn]
        secret.versions[token] = {
            "createdate": int(time.time()),
            "version_id": token,
            "version_stages": ["AWSPENDING"],
        }
        secret.rotation_lambda_arn = self._rotation_function_arn()
        secret.auto_rotate_after_days = ROTATION_RULES["AutomaticallyAfterDays"]
        secret.rotation_enabled = True
        secret.rotation_requested = True

    def cancel_pending(self, secret_arn: str) -> None:
        """Take AWSPENDING off whichever version has it."""
        pending_version = version_with_stage(self.stages(secret_arn), "AWSPENDING")
        if pending_version is not None:
            self.client.update_secret_version_stage(
                SecretId=secret_arn, VersionStage="AWSPENDING", RemoveFromVersionId=pending_version
            )

    def invoke(self, strategy: RotationStrategy, *, secret_arn: str, token: str, step: str) -> None:
        """One invocation of the rotation function, as the Lambda service would make it."""
        event = {"SecretId": secret_arn, "ClientRequestToken": token, "Step": step}
        steps.run_step(client=self.client, strategy=strategy, event=event)

    def run_steps(
        self,
        strategy: RotationStrategy,
        *,
        secret_arn: str,
        token: str,
        step_names: tuple[str, ...] = ALL_STEPS,
    ) -> None:
        for step in step_names:
            self.invoke(strategy, secret_arn=secret_arn, token=token, step=step)

    def rotate(
        self,
        strategy: RotationStrategy,
        secret_arn: str,
        *,
        step_names: tuple[str, ...] = ALL_STEPS,
    ) -> str:
        """Start a rotation and run `step_names` in order with its token; the token."""
        token = self.start(secret_arn)
        self.run_steps(strategy, secret_arn=secret_arn, token=token, step_names=step_names)
        return token

    def stages(self, secret_arn: str) -> dict[str, list[str]]:
        """Version id to stages, leaving out versions that have no stage left."""
        versions = self.client.describe_secret(SecretId=secret_arn).get("VersionIdsToStages", {})
        return {version: stages for version, stages in versions.items() if stages}

    def value(self, secret_arn: str, stage: str, *, version_id: str | None = None) -> str:
        request = {"SecretId": secret_arn, "VersionStage": stage}
        if version_id is not None:
            request["VersionId"] = version_id
        return self.client.get_secret_value(**request)["SecretString"]

    def _rotation_function_arn(self) -> str:
        # Looked up on every start: a test elsewhere that uses moto's in-process mock resets
        # every backend, this server's included.
        lambda_client = aws_client("lambda", self.endpoint_url)
        try:
            return lambda_client.get_function(FunctionName=ROTATION_FUNCTION)["Configuration"][
                "FunctionArn"
            ]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zip_file:
            zip_file.writestr("handler.py", "def lambda_handler(event, context):\n    pass\n")
        return lambda_client.create_function(
            FunctionName=ROTATION_FUNCTION,
            Runtime="python3.11",
            Role=self._rotation_role_arn(),
            Handler="handler.lambda_handler",
            Code={"ZipFile": archive.getvalue()},
        )["FunctionArn"]

    def _rotation_role_arn(self) -> str:
        iam = aws_client("iam", self.endpoint_url)
        try:
            return iam.get_role(RoleName=ROTATION_ROLE)["Role"]["Arn"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchEntity":
                raise
        trust_policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        return iam.create_role(
            RoleName=ROTATION_ROLE, AssumeRolePolicyDocument=json.dumps(trust_policy)
        )["Role"]["Arn"]
