"""A service's container definition: secrets by reference only, never in `environment`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from inputs.catalog import split_reference

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"/(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?::[\w][\w.-]*)?(?:@sha256:[0-9a-f]{64})?$"
)
"""A private ECR image: `{account}.dkr.ecr.{region}.amazonaws.com/{repository}[:tag][@digest]`.
Anything else (public.ecr.aws, Docker Hub, ...) is pulled without ECR permissions."""


def ecr_repository_arns(images: Iterable[str]) -> list[str]:
    """The private ECR repositories the images come from, as ARNs; public images add none."""
    arns = set()
    for image in images:
        match = ECR_IMAGE.fullmatch(image)
        if match is None:
            continue
        region = match["region"]
        arns.add(
            f"arn:{_partition(region)}:ecr:{region}:{match['account']}:"
            f"repository/{match['repository']}"
        )
    return sorted(arns)


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


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
    read_only_root: bool = True,
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
            "readonlyRootFilesystem": read_only_root,
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
