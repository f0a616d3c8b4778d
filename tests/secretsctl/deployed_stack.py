"""A stand-in for `pulumi up` against moto's server: a stack's key, secrets, tags and policies."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from design.arns import Account
from design.iam import secret_resource_policy
from secretsctl.stack_target import StackTarget, load_target
from tests.rotation.rotation_service import REGION, aws_client

ACCOUNT_ID = "123456789012"
"""moto's account."""
ROTATION_FUNCTION = "secretsctl-test-rotation"

CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "api-token": {
            "description": "Rotated token",
            "generate": {"length": 40},
            "rotation": {"every_days": 30, "strategy": "token"},
        },
        "openai-api-key": {"description": "Third-party key", "config": "openaiApiKey"},
        "partner-key": {"description": "Set by hand", "external": True},
        "prod-only": {"description": "Only in prod", "generate": {}, "only_in": ["prod"]},
    },
}


@dataclass
class DeployedStack:
    """One stack of a fresh prefix, deployed into moto as the program would deploy it."""

    endpoint_url: str
    directory: Path
    prefix: str
    stack: str = "dev"

    @property
    def catalog_path(self) -> Path:
        return self.directory / "catalog.yaml"

    @property
    def stack_path(self) -> Path:
        return self.directory / f"Pulumi.{self.stack}.yaml"

    @property
    def secrets(self) -> Any:
        return aws_client("secretsmanager", self.endpoint_url)

    @property
    def kms(self) -> Any:
        return aws_client("kms", self.endpoint_url)

    def full_name(self, name: str) -> str:
        return f"{self.prefix}/{self.stack}/{name}"

    def target(self) -> StackTarget:
        return load_target(
            stack=self.stack,
            endpoint_url=self.endpoint_url,
            catalog_path=self.catalog_path,
            stack_path=self.stack_path,
        )

    def cli_args(self) -> list[str]:
        return [
            "--stack",
            self.stack,
            "--endpoint-url",
            self.endpoint_url,
            "--catalog",
            str(self.catalog_path),
            "--stack-file",
            str(self.stack_path),
        ]

    def write(self, catalog: dict | None = None) -> None:
        self.catalog_path.write_text(yaml.safe_dump(catalog or CATALOG, sort_keys=False))
        config = {
            "aws:region": REGION,
            "app-secrets:prefix": self.prefix,
            "app-secrets:openaiApiKey": {"secure": "v1:placeholder"},
            "app-secrets:tags": {"Team": "platform"},
        }
        self.stack_path.write_text(yaml.safe_dump({"config": config}))

    def deploy(self, values: dict[str, str]) -> None:
        """Key, alias and every secret of the environment; `values` by catalog name."""
        target = self.target()
        key_arn = self.kms.create_key(Description=f"{self.prefix} stack key")["KeyMetadata"]["Arn"]
        self.kms.create_alias(AliasName=target.inputs.names.key_alias, TargetKeyId=key_arn)
        policy = json.dumps(
            secret_resource_policy(Account(partition="aws", region=REGION, account_id=ACCOUNT_ID))
        )
        for name, spec in target.inputs.secrets.items():
            tags = target.inputs.secret_tags(spec)
            request: dict[str, Any] = {
                "Name": self.full_name(name),
                "Description": spec.description,
                "KmsKeyId": key_arn,
                "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
            }
            if not spec.external:
                request["SecretString"] = values[name]
            arn = self.secrets.create_secret(**request)["ARN"]
            self.secrets.put_resource_policy(SecretId=arn, ResourcePolicy=policy)
            if spec.rotation is not None:
                self.enable_rotation(name, days=spec.rotation.every_days or 30)

    def enable_rotation(self, name: str, *, days: int) -> None:
        self.secrets.rotate_secret(
            SecretId=self.full_name(name),
            RotationLambdaARN=self._rotation_function(),
            RotationRules={"AutomaticallyAfterDays": days},
            RotateImmediately=False,
        )

    def _rotation_function(self) -> str:
        # Looked up each time: moto's in-process mocks elsewhere reset this server's backends.
        functions = aws_client("lambda", self.endpoint_url)
        try:
            return functions.get_function(FunctionName=ROTATION_FUNCTION)["Configuration"][
                "FunctionArn"
            ]
        except ClientError:
            pass
        iam = aws_client("iam", self.endpoint_url)
        role_name = f"{ROTATION_FUNCTION}-{uuid.uuid4().hex[:8]}"
        role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zip_file:
            zip_file.writestr("handler.py", "def handler(event, context):\n    pass\n")
        return functions.create_function(
            FunctionName=ROTATION_FUNCTION,
            Runtime="python3.11",
            Role=role_arn,
            Handler="handler.handler",
            Code={"ZipFile": archive.getvalue()},
        )["FunctionArn"]


def fresh_stack(endpoint_url: str, directory: Path) -> DeployedStack:
    """A stack with a prefix no other test uses, so moto's shared server holds only its secrets."""
    stack = DeployedStack(
        endpoint_url=endpoint_url, directory=directory, prefix=f"t{uuid.uuid4().hex[:10]}"
    )
    stack.write()
    return stack
