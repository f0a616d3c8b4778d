"""The workload boundary: never more than the stack's path, key and log groups."""

from __future__ import annotations

from fnmatch import fnmatchcase

from design.arns import Account
from design.boundary import workload_boundary
from design.iam import compact
from design.naming import StackNames
from design.restarts import ServiceRestart

ACCOUNT = Account(partition="aws", region="eu-west-1", account_id="123456789012")
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/k"


def statements(boundary: dict) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in boundary["Statement"]}


def test_boundary_never_grants_more_than_the_stack_path():
    boundary = workload_boundary(
        ACCOUNT, names=StackNames(prefix="acme", environment="prod"), key_arn=KEY_ARN
    )
    text = compact(boundary)

    assert '"Action":"*"' not in text and "secretsmanager:*" not in text
    for statement in boundary["Statement"]:
        if any(
            action.startswith("secretsmanager:") and action != "secretsmanager:GetRandomPassword"
            for action in statement["Action"]
            if isinstance(statement["Action"], list)
        ):
            assert (
                statement["Resource"]
                == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/*"
            )


def test_boundary_follows_a_hyphenated_prefix_and_environment():
    # GIVEN a prefix and an environment that both contain a hyphen
    names = StackNames(prefix="acme-web", environment="pre-prod")

    # WHEN
    boundary = statements(workload_boundary(ACCOUNT, names=names, key_arn=KEY_ARN))

    # THEN the secrets are those under `acme-web/pre-prod/`, the logs the stack's own
    assert boundary["StackSecrets"]["Resource"] == (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-web/pre-prod/*"
    )
    assert boundary["WriteLogs"]["Resource"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/app-secrets/acme-web-pre-prod/*:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/acme-web-pre-prod-*:*",
    ]


def test_boundary_logs_cover_the_stacks_services_and_functions_only():
    names = StackNames(prefix="acme", environment="dev")
    [services, functions] = statements(workload_boundary(ACCOUNT, names=names, key_arn=KEY_ARN))[
        "WriteLogs"
    ]["Resource"]

    def group(pattern: str) -> str:
        return pattern.removeprefix("arn:aws:logs:eu-west-1:123456789012:log-group:")[:-2]

    assert fnmatchcase(names.service_log_group("api"), group(services))
    assert fnmatchcase(names.rotation_log_group("token-0e8cfa"), group(functions))
    assert not fnmatchcase("/app-secrets/acme-prod/api", group(services))
    assert not fnmatchcase("/aws/lambda/acme-prod-rot-token-0e8cfa", group(functions))


def test_boundary_allows_the_key_only_through_secrets_manager():
    boundary = statements(
        workload_boundary(
            ACCOUNT, names=StackNames(prefix="acme", environment="dev"), key_arn=KEY_ARN
        )
    )

    assert boundary["StackKeyViaSecretsManager"] == {
        "Sid": "StackKeyViaSecretsManager",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": KEY_ARN,
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }


def test_boundary_pulls_images_from_the_catalogs_repositories_only():
    names = StackNames(prefix="acme", environment="dev")
    repository = "arn:aws:ecr:eu-west-1:123456789012:repository/team/api"

    public_only = statements(workload_boundary(ACCOUNT, names=names, key_arn=KEY_ARN))
    private = statements(
        workload_boundary(ACCOUNT, names=names, key_arn=KEY_ARN, ecr_repository_arns=[repository])
    )

    # public images need no ECR permission at all
    assert not any(
        action.startswith("ecr:")
        for s in public_only.values()
        for action in s["Action"]
        if isinstance(s["Action"], list)
    )
    assert "PullImages" not in public_only and "EcrAuthorization" not in public_only
    # private ones: the pull actions on exactly their repository; the token (no resource) on *
    assert private["PullImages"]["Resource"] == [repository]
    assert private["EcrAuthorization"] == {
        "Sid": "EcrAuthorization",
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    }


def test_boundary_allows_restarts_only_of_the_named_services_and_state_machine():
    names = StackNames(prefix="acme", environment="prod")
    restarts = (ServiceRestart("api-svc", ("api",), ("admin-token",)),)

    with_restarts = statements(
        workload_boundary(
            ACCOUNT, names=names, key_arn=KEY_ARN, restart_cluster="main", restarts=restarts
        )
    )
    without_cluster = workload_boundary(ACCOUNT, names=names, key_arn=KEY_ARN, restarts=restarts)

    assert with_restarts["RestartConsumingServices"]["Resource"] == [
        "arn:aws:ecs:eu-west-1:123456789012:service/main/api-svc"
    ]
    assert with_restarts["RestartConsumingServices"]["Condition"] == {
        "Null": {"ecs:task-definition": "true"}
    }
    assert with_restarts["StartRestarts"]["Resource"] == (
        "arn:aws:states:eu-west-1:123456789012:stateMachine:acme-prod-restarts"
    )
    assert "ecs:" not in compact(without_cluster) and "states:" not in compact(without_cluster)
