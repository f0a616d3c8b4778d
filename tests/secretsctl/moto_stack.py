"""A stack whose secrets live in moto's server, and the secretsctl CLI run against it."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from rotation.settings import PasswordPolicy
from rotation.token_secret import TokenStrategy
from secretsctl.__main__ import main
from tests.rotation.rotation_service import REGION

if TYPE_CHECKING:
    from tests.rotation.rotation_service import RotationService

CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "api-token": {
            "description": "Rotated token",
            "generate": {"length": 40},
            "rotation": {"every_days": 30, "strategy": "token"},
        },
        "partner-key": {"description": "Set by hand", "external": True},
        "static-token": {"description": "Owned by the stack", "generate": {"length": 32}},
        "db": {
            "description": "PostgreSQL login",
            "fields": {
                "engine": {"value": "postgres"},
                "host": {"value": "db.internal"},
                "port": {"value": 5432},
                "username": {"value": "app"},
                "password": {"generate": {"length": 32}},
                "dbname": {"value": "app"},
            },
            "rotation": {"schedule": "rate(7 days)", "strategy": "postgres-single-user"},
        },
        "prod-only": {"description": "x", "generate": {"length": 32}, "only_in": ["prod"]},
    },
}
TOKEN_STRATEGY = TokenStrategy(
    PasswordPolicy(password_length=40, exclude_characters="", exclude_punctuation=True)
)


@dataclass
class MotoStack:
    """A stack of CATALOG (dev unless said) under a prefix of its own, sharing moto's server."""

    service: RotationService
    endpoint_url: str
    catalog_path: Path
    stack_path: Path
    prefix: str
    stack: str = "dev"
    """The stack's name, and so its environment."""

    def full_name(self, name: str) -> str:
        return f"{self.prefix}/{self.stack}/{name}"

    def options(self, *, endpoint_url: str | None = None) -> list[str]:
        """The stack arguments every operation takes, pointing at moto unless told otherwise."""
        return [
            "--stack",
            self.stack,
            "--stack-file",
            str(self.stack_path),
            "--catalog",
            str(self.catalog_path),
            "--endpoint-url",
            endpoint_url or self.endpoint_url,
        ]

    def create(self, name: str, value: str, *, rotation_enabled: bool = False) -> str:
        """The secret `name` of the stack in moto, with `value` as AWSCURRENT; its ARN."""
        return self.service.create_secret(
            value, rotation_enabled=rotation_enabled, name=self.full_name(name)
        )

    def rotate_token(self, secret_arn: str) -> str:
        """A whole token rotation, as Secrets Manager and the function would run it."""
        return self.service.rotate(TOKEN_STRATEGY, secret_arn)

    def run(
        self,
        capsys: pytest.CaptureFixture[str],
        command: str,
        *arguments: str,
        endpoint_url: str | None = None,
    ) -> tuple[int, str, str]:
        """`secretsctl COMMAND ARGUMENTS` on this stack: exit status, stdout, stderr."""
        capsys.readouterr()
        status = main([command, *arguments, *self.options(endpoint_url=endpoint_url)])
        out, err = capsys.readouterr()
        return status, out, err


class Terminal(io.StringIO):
    """stdin as an operator at a terminal, who types `text`."""

    def isatty(self) -> bool:
        return True


def write_stack(
    directory: Path,
    *,
    prefix: str,
    catalog: dict = CATALOG,
    stack: str = "dev",
    region: str = REGION,
) -> tuple[Path, Path]:
    catalog_path = directory / "catalog.yaml"
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    stack_path = directory / f"Pulumi.{stack}.yaml"
    config = {"aws:region": region, "app-secrets:prefix": prefix}
    stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return catalog_path, stack_path


def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"
