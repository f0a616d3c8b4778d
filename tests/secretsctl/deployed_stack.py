"""A stand-in for `pulumi up` against moto's server: a stack's key, secrets, policies and roles."""

from __future__ import annotations

import copy
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from design.arns import Account
from design.iam import secret_resource_policy
from design.replicas import replica_key_alias
from secretsctl.stack_target import StackTarget, load_target
from secretsctl.verify import verify
from secretsctl.verify_checks import Finding
from secretsctl.verify_roles import ATTACHMENT, MANAGED_POLICY, ROLE, ROLE_POLICY, stack_plan
from tests.rotation.rotation_service import REGION, aws_client
from tests.secretsctl.moto_stack import CATALOG as MOTO_CATALOG

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
POSTGRES_LOGIN = MOTO_CATALOG["secrets"]["db"]
ROLES_CATALOG = copy.deepcopy(CATALOG)
"""CATALOG with roles of every kind: a service's two (one with an AWS managed policy), and the
rotation role with a managed policy of the stack's (alternating users read their master)."""
ROLES_CATALOG["secrets"] |= {
    "db-admin": {"description": "May alter roles", "external": True},
    "db": {
        **POSTGRES_LOGIN,
        "rotation": {
            "every_days": 7,
            "strategy": "postgres-alternating-users",
            "master": "db-admin",
        },
    },
}
ROLES_CATALOG["services"] = {
    "api": {"env": {"API_TOKEN": "api-token"}, "runtime_read": ["openai-api-key"]}
}
GITHUB_REPOSITORY = {"app-secrets:githubRepository": "acme/app"}
"""Stack config that adds the CI roles."""


@dataclass
class DeployedStack:
    """One stack of a fresh prefix, deployed into moto as the program would deploy it."""

    endpoint_url: str
    directory: Path
    prefix: str
    stack: str = "dev"
    _plan: dict | None = field(default=None, repr=False)

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

    @property
    def iam(self) -> Any:
        return aws_client("iam", self.endpoint_url)

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

    def write(self, catalog: dict | None = None, *, config: dict | None = None) -> None:
        """The catalog (CATALOG by default) and the stack file, with `config` added."""
        self._plan = None
        self.catalog_path.write_text(yaml.safe_dump(catalog or CATALOG, sort_keys=False))
        stack_config = {
            "aws:region": REGION,
            "app-secrets:prefix": self.prefix,
            "app-secrets:openaiApiKey": {"secure": "v1:placeholder"},
            "app-secrets:tags": {"Team": "platform"},
            **(config or {}),
        }
        self.stack_path.write_text(yaml.safe_dump({"config": stack_config}))

    def plan(self) -> dict:
        """The stack's offline plan as verify builds it; built once per written stack."""
        if self._plan is None:
            self._plan = stack_plan(self.target(), stack_path=self.stack_path)
        return self._plan

    def verify(self, *, now: datetime | None = None) -> list[Finding]:
        """`secretsctl verify`'s findings for this stack, on the plan built once."""
        target = self.target()
        return verify(
            target,
            plan=self.plan(),
            secretsmanager=target.client("secretsmanager"),
            kms=target.client("kms"),
            iam=target.client("iam"),
            now=now or datetime.now(UTC),
        )

    def deploy_roles(self) -> None:
        """Every managed policy and role of the plan, with its inline policies and attachments."""
        iam, plan = self.iam, self.plan()
        for policy in _of_type(plan, MANAGED_POLICY):
            iam.create_policy(
                PolicyName=policy["outputs"]["name"],
                Path=policy["outputs"]["path"],
                PolicyDocument=policy["inputs"]["policy"],
            )
        for role in _of_type(plan, ROLE):
            boundary = role["inputs"].get("permissionsBoundary")
            iam.create_role(
                RoleName=role["outputs"]["name"],
                Path=role["outputs"]["path"],
                AssumeRolePolicyDocument=role["inputs"]["assumeRolePolicy"],
                **({"PermissionsBoundary": boundary} if boundary else {}),
            )
        for policy in _of_type(plan, ROLE_POLICY):
            iam.put_role_policy(
                RoleName=policy["inputs"]["role"],
                PolicyName=policy["outputs"]["name"],
                PolicyDocument=policy["inputs"]["policy"],
            )
        for attachment in _of_type(plan, ATTACHMENT):
            policy_arn = attachment["inputs"]["policyArn"]
            _ensure_aws_managed_policy(policy_arn)
            iam.attach_role_policy(RoleName=attachment["inputs"]["role"], PolicyArn=policy_arn)

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

    def deploy_replicas(self, regions: list[str]) -> dict[str, str]:
        """The replicas' multi-region key, its replicas and every replicated secret's replica, as
        `pulumi up` makes them; region -> replica key ARN."""
        target = self.target()
        key = self.kms.create_key(Description=f"{self.prefix} replicas", MultiRegion=True)
        key_id = key["KeyMetadata"]["KeyId"]
        self.kms.create_alias(AliasName=replica_key_alias(target.inputs.names), TargetKeyId=key_id)
        key_arns = {
            region: self.kms.replicate_key(KeyId=key_id, ReplicaRegion=region)[
                "ReplicaKeyMetadata"
            ]["Arn"]
            for region in regions
        }
        for name, spec in target.inputs.secrets.items():
            if spec.replicate:
                self.replicate(name, key_arns)
        return key_arns

    def replicate(self, name: str, key_arns: dict[str, str]) -> None:
        """ReplicateSecretToRegions; moto records no replica's KmsKeyId, so it is set as AWS
        would report it."""
        self.secrets.replicate_secret_to_regions(
            SecretId=self.full_name(name),
            AddReplicaRegions=[
                {"Region": region, "KmsKeyId": key_arn} for region, key_arn in key_arns.items()
            ],
            ForceOverwriteReplicaSecret=False,
        )
        from moto.secretsmanager.models import secretsmanager_backends

        backend = secretsmanager_backends[ACCOUNT_ID][REGION]
        secret = next(s for s in backend.secrets.values() if s.name == self.full_name(name))
        for replica in secret.replicas:
            replica.config["KmsKeyId"] = key_arns.get(replica.region, replica.config["KmsKeyId"])

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


def _of_type(plan: dict, type_: str) -> list[dict]:
    return [resource for resource in plan["resources"] if resource["type"] == type_]


def _ensure_aws_managed_policy(policy_arn: str) -> None:
    """An AWS managed policy in moto, which loads them only if told before its IAM starts.

    The server runs in this process, so its backend is moto's own: the policy is added there,
    from the copy of AWS's managed policies moto ships.
    """
    if not policy_arn.startswith("arn:aws:iam::aws:policy/"):
        return
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[ACCOUNT_ID]["aws"]
    if policy_arn not in backend.managed_policies:
        name = policy_arn.rsplit("/", 1)[1]
        data = json.loads(aws_managed_policies_data)[name]
        policy = AWSManagedPolicy.from_data(name, ACCOUNT_ID, REGION, data)
        backend.managed_policies[policy.arn] = policy


def fresh_stack(endpoint_url: str, directory: Path) -> DeployedStack:
    """A stack with a prefix no other test uses, so moto's shared server holds only its secrets."""
    stack = DeployedStack(
        endpoint_url=endpoint_url, directory=directory, prefix=f"t{uuid.uuid4().hex[:10]}"
    )
    stack.write()
    return stack
