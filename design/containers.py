"""A service's container definition: secrets by reference only, never in `environment`."""

from __future__ import annotations

from collections.abc import Mapping

from inputs.catalog import split_reference


def value_from(secret_arn: str, json_key: str | None) -> str:
    """ECS's reference: the ARN, or `ARN:json-key::` (version stage and id left to AWSCURRENT)."""
    return f"{secret_arn}:{json_key}::" if json_key else secret_arn


def container_secrets(
    env: Mapping[str, str], secret_arns: Mapping[str, str]
) -> list[dict[str, str]]:
    """The `secrets` list of a container definition, sorted by variable name."""
    entries = []
    for variable, reference in sorted(env.items()):
        secret_name, json_key = split_reference(reference)
        entries.append(
            {"name": variable, "valueFrom": value_from(secret_arns[secret_name], json_key)}
        )
    return entries


def container_definitions(
    *,
    service: str,
    image: str,
    environment: Mapping[str, str],
    secrets: list[dict[str, str]],
    log_group: str,
    region: str,
) -> list[dict]:
    """One essential container; secrets only in `secrets`, never in `environment`."""
    return [
        {
            "name": service,
            "image": image,
            "essential": True,
            "secrets": secrets,
            "environment": [
                {"name": name, "value": value} for name, value in sorted(environment.items())
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": service,
                },
            },
        }
    ]
