"""Rules for ECS task definitions: credentials go in `secrets`, never in `environment`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .model import Enforcement, Kind, Resource, Rule, Violation, is_opaque

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"

CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")
"""The names Security Hub ECS.8 looks for."""
SENSITIVE_NAME_PARTS = ("PASSWORD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY")


def is_sensitive_variable(name: str, value: Any) -> bool:
    """True for a variable that names a credential and carries its value.

    `*_ARN` variables whose value is an ARN pass: `DB_SECRET_ARN` tells the application where
    a secret is; it is not the secret.
    """
    upper = name.upper()
    if upper in CREDENTIAL_VARIABLES:
        return True
    if not any(part in upper for part in SENSITIVE_NAME_PARTS):
        return False
    carries_arn = isinstance(value, str) and value.startswith("arn:")
    return not (upper.endswith("_ARN") and carries_arn)


def _containers(definitions: Any) -> list[Any] | str:
    """The container definitions, or why they cannot be read."""
    if isinstance(definitions, str):
        try:
            definitions = json.loads(definitions)
        except json.JSONDecodeError as exc:
            return f"containerDefinitions is not valid JSON ({exc.msg} at char {exc.pos})"
    if not isinstance(definitions, list):
        return f"containerDefinitions must be a JSON list, got {type(definitions).__name__}"
    return definitions


def no_credentials_in_container_environment(resource: Resource) -> list[Violation]:
    if resource.type != TASK_DEFINITION:
        return []
    raw = resource.props.get("containerDefinitions")
    if raw is None or is_opaque(raw):
        return []
    containers = _containers(raw)
    if isinstance(containers, str):
        return [
            NO_CREDENTIALS_IN_CONTAINER_ENVIRONMENT.violation(
                resource.urn,
                message=f"{containers}, so it cannot be checked.",
                fix="Build containerDefinitions with json.dumps() of a list of containers.",
            )
        ]
    found = []
    for index, container in enumerate(containers):
        if not isinstance(container, Mapping):
            continue
        label = container.get("name") or f"containerDefinitions[{index}]"
        environment = container.get("environment")
        for variable in environment if isinstance(environment, list) else []:
            name = variable.get("name") if isinstance(variable, Mapping) else None
            if isinstance(name, str) and is_sensitive_variable(name, variable.get("value")):
                found.append(
                    NO_CREDENTIALS_IN_CONTAINER_ENVIRONMENT.violation(
                        resource.urn,
                        message=f"Container {label!r} puts {name} in plain environment "
                        "variables, readable by anyone who can describe the task definition.",
                        fix=f'Move {name} to the container\'s "secrets" as '
                        '{"name": ..., "valueFrom": <secret ARN>[:json-key::]}.',
                    )
                )
    return found


NO_CREDENTIALS_IN_CONTAINER_ENVIRONMENT = Rule(
    name="no-credentials-in-container-environment",
    control="ECS.8",
    description=(
        "ECS.8: no container environment variable is AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
        "or ECS_ENGINE_AUTH_DATA, or has PASSWORD, SECRET, TOKEN, API_KEY or PRIVATE_KEY in its "
        "name (case-insensitive; *_ARN names holding an ARN excepted); use `secrets` instead."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=no_credentials_in_container_environment,
)


def _readable_containers(resource: Resource) -> list[Mapping[str, Any]]:
    """The task definition's containers; none when they are unknown or unreadable (the
    credentials rule reports unreadable definitions)."""
    raw = resource.props.get("containerDefinitions")
    if resource.type != TASK_DEFINITION or raw is None or is_opaque(raw):
        return []
    containers = _containers(raw)
    if isinstance(containers, str):
        return []
    return [container for container in containers if isinstance(container, Mapping)]


def _label(container: Mapping[str, Any], index: int) -> str:
    return str(container.get("name") or f"containerDefinitions[{index}]")


def read_only_root_filesystem(resource: Resource) -> list[Violation]:
    return [
        READ_ONLY_ROOT_FILESYSTEM.violation(
            resource.urn,
            message=f"Container {_label(container, index)!r} can write to its root filesystem: "
            "a compromised process can plant files or change the image's code.",
            fix="Leave the catalog's task.read_only_root at true (the default); give the app a "
            "writable volume for the paths it writes.",
        )
        for index, container in enumerate(_readable_containers(resource))
        if container.get("readonlyRootFilesystem") is not True
    ]


READ_ONLY_ROOT_FILESYSTEM = Rule(
    name="ecs-read-only-root-filesystem",
    control="ECS.5",
    description=(
        "ECS.5: every container of a task definition sets readonlyRootFilesystem to true."
    ),
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=read_only_root_filesystem,
)


def not_privileged(resource: Resource) -> list[Violation]:
    return [
        NOT_PRIVILEGED.violation(
            resource.urn,
            message=f"Container {_label(container, index)!r} runs privileged: root on the host.",
            fix="Remove privileged from the container definition.",
        )
        for index, container in enumerate(_readable_containers(resource))
        if container.get("privileged") is True
    ]


NOT_PRIVILEGED = Rule(
    name="ecs-not-privileged",
    control="ECS.4",
    description="ECS.4: no container of a task definition runs privileged.",
    enforcement=Enforcement.MANDATORY,
    kind=Kind.RESOURCE,
    check=not_privileged,
)
