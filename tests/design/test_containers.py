"""Container definitions: secrets by reference only, sorted, never in `environment`."""

from __future__ import annotations

from design.containers import (
    container_definitions,
    container_secrets,
    ecr_repository_arns,
    value_from,
)

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/dev/{}-AbCdEf"
ARNS = {
    name: ARN.format(name) for name in ("admin-token", "app-config", "openai-api-key", "unused")
}


def test_value_from_uses_the_json_key_form():
    assert (
        value_from(ARNS["app-config"], "REDIS_PASSWORD") == ARNS["app-config"] + ":REDIS_PASSWORD::"
    )
    assert value_from(ARNS["admin-token"], None) == ARNS["admin-token"]


def test_container_secrets_are_sorted_and_resolved():
    env = {"REDIS_PASSWORD": "app-config:REDIS_PASSWORD", "ADMIN_TOKEN": "admin-token"}

    assert container_secrets(env, ARNS) == [
        {"name": "ADMIN_TOKEN", "valueFrom": ARNS["admin-token"]},
        {"name": "REDIS_PASSWORD", "valueFrom": ARNS["app-config"] + ":REDIS_PASSWORD::"},
    ]


def test_container_definition_keeps_secrets_out_of_environment():
    secrets = [{"name": "ADMIN_TOKEN", "valueFrom": ARNS["admin-token"]}]

    [container] = container_definitions(
        service="api",
        image="nginx",
        environment={"LOG_LEVEL": "info"},
        secrets=secrets,
        log_group="/g",
        region="eu-west-1",
    )

    assert container["secrets"] == secrets
    assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/g"


def test_container_definition_is_one_essential_container_logging_to_its_region():
    [container] = container_definitions(
        service="api",
        image="nginx:1.27",
        environment={"Z_LAST": "2", "A_FIRST": "1"},
        secrets=[],
        log_group="/app-secrets/acme-dev/api",
        region="eu-west-1",
    )

    assert (container["name"], container["image"], container["essential"]) == (
        "api",
        "nginx:1.27",
        True,
    )
    assert [variable["name"] for variable in container["environment"]] == ["A_FIRST", "Z_LAST"]
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/app-secrets/acme-dev/api",
            "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "api",
        },
    }


def test_the_root_filesystem_is_read_only_unless_the_catalog_opts_out():
    common = {
        "service": "api",
        "image": "nginx:1.27",
        "environment": {},
        "secrets": [],
        "log_group": "/app-secrets/acme-dev/api",
        "region": "eu-west-1",
    }

    [default] = container_definitions(**common)
    [opted_out] = container_definitions(**common, read_only_root=False)

    assert default["readonlyRootFilesystem"] is True
    assert opted_out["readonlyRootFilesystem"] is False
    assert "privileged" not in default


def test_ecr_repositories_are_the_private_images_own():
    images = [
        "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4",
        "111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:" + "a" * 64,
        "222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/worker",
        "public.ecr.aws/docker/library/nginx:1.27",
        "nginx:1.27",
        "ghcr.io/acme/tool:2",
    ]

    assert ecr_repository_arns(images) == [
        "arn:aws-cn:ecr:cn-north-1:222222222222:repository/worker",
        "arn:aws:ecr:eu-west-1:111111111111:repository/team/api",
    ]
