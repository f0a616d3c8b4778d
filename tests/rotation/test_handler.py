"""The Lambda entry point: its environment, both packaging layouts, and what reaches the logs."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import rotation
from rotation import handler, steps
from rotation.exceptions import InvalidSettingError, RotationError
from rotation.postgres_alternating_users import PostgresAlternatingUsersStrategy
from rotation.postgres_single_user import PostgresSingleUserStrategy
from rotation.secrets_manager import AWSCURRENT, AWSPENDING
from rotation.token_secret import TokenStrategy
from tests.rotation.postgres_server import PostgresServer, free_port
from tests.rotation.rotation_service import (
    ALL_STEPS,
    DUMMY_CREDENTIALS,
    REGION,
    RotationService,
)
from tests.rotation.secret_leaks import assert_no_secret, exception_text, log_text


@pytest.fixture
def fresh_runtime() -> Iterator[None]:
    """The handler builds its runtime, and sets logger levels, once per process; undo both."""
    loggers = [logging.getLogger(name) for name in ("rotation", "botocore")]
    levels = [logger.level for logger in loggers]
    handler._runtime.cache_clear()
    yield
    handler._runtime.cache_clear()
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def lambda_environment(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, fresh_runtime: None
) -> pytest.MonkeyPatch:
    """The function's environment, pointed at moto; tests set STRATEGY."""
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT", moto_endpoint)
    return monkeypatch


def use_strategy(environment: pytest.MonkeyPatch, strategy: str) -> None:
    """Switch the function's STRATEGY and build its runtime, as a cold start does."""
    environment.setenv("STRATEGY", strategy)
    handler._runtime.cache_clear()
    handler._runtime()


def invoke_handler(secret_arn: str, token: str, step_names: tuple[str, ...] = ALL_STEPS) -> None:
    for step in step_names:
        handler.lambda_handler(
            {"SecretId": secret_arn, "ClientRequestToken": token, "Step": step}, None
        )


def all_secret_strings(rotation_service: RotationService, secret_arn: str) -> list[str]:
    """Every value any version of the secret holds, labelled or not."""
    client = rotation_service.client
    values = []
    for version in client.list_secret_version_ids(SecretId=secret_arn)["Versions"]:
        try:
            response = client.get_secret_value(SecretId=secret_arn, VersionId=version["VersionId"])
        except client.exceptions.ResourceNotFoundException:
            continue  # the empty stub RotateSecret staged for a token
        values.append(response["SecretString"])
    return values


def passwords_in(secret_strings: list[str]) -> list[str]:
    return [json.loads(secret_string)["password"] for secret_string in secret_strings]


@pytest.mark.parametrize(
    ("strategy", "strategy_class"),
    [
        ("token", TokenStrategy),
        ("postgres-single-user", PostgresSingleUserStrategy),
        ("postgres-alternating-users", PostgresAlternatingUsersStrategy),
    ],
)
def test_build_runtime_wires_the_strategy_and_endpoint(strategy: str, strategy_class: type) -> None:
    runtime = handler.build_runtime(
        {"STRATEGY": strategy, "SECRETS_MANAGER_ENDPOINT": "https://vpce.example:8443"}
    )

    assert isinstance(runtime.strategy, strategy_class)
    assert runtime.strategy.password_policy == runtime.settings.password_policy
    assert runtime.client.meta.endpoint_url == "https://vpce.example:8443"


def test_build_runtime_defaults_to_the_regional_endpoint() -> None:
    runtime = handler.build_runtime({"STRATEGY": "token"})

    assert runtime.client.meta.endpoint_url == f"https://secretsmanager.{REGION}.amazonaws.com"


def test_lambda_handler_rotates_with_the_environment_settings(
    lambda_environment: pytest.MonkeyPatch, rotation_service: RotationService
) -> None:
    lambda_environment.setenv("PASSWORD_LENGTH", "20")
    use_strategy(lambda_environment, "token")
    secret_arn = rotation_service.create_secret("old-token-value")
    token = rotation_service.start(secret_arn)

    invoke_handler(secret_arn, token)

    assert len(rotation_service.value(secret_arn, AWSCURRENT)) == 20
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]


def test_lambda_handler_rejects_an_invalid_environment(
    lambda_environment: pytest.MonkeyPatch,
) -> None:
    lambda_environment.setenv("STRATEGY", "token")
    lambda_environment.setenv("EXCLUDE_PUNCTUATION", "sometimes")

    # The error comes back on every invocation: a failed build is not cached.
    for _ in range(2):
        with pytest.raises(InvalidSettingError, match="EXCLUDE_PUNCTUATION: must be one of true,"):
            invoke_handler("arn:any", str(uuid.uuid4()), (steps.CREATE_SECRET,))


def test_runs_when_packaged_flat(
    tmp_path: Path, rotation_service: RotationService, moto_endpoint: str
) -> None:
    # GIVEN the contents of rotation/ at the root of the function's code, as in a flat zip
    for source in Path(rotation.__file__).parent.glob("*.py"):
        shutil.copy(source, tmp_path)
    secret_arn = rotation_service.create_secret("old-flat-value")
    token = rotation_service.start(secret_arn)
    script = f"""
import json, sys
import handler
for step in {list(ALL_STEPS)!r}:
    handler.lambda_handler(
        {{"SecretId": {secret_arn!r}, "ClientRequestToken": {token!r}, "Step": step}}, None
    )
print(json.dumps({{name: getattr(module, "__file__", None) for name, module in sys.modules.items()
                  if name == "handler" or name.startswith("rotation")}}))
"""
    environment = {
        "PATH": os.environ["PATH"],
        "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": REGION,
        "STRATEGY": "token",
        "SECRETS_MANAGER_ENDPOINT": moto_endpoint,
    }

    # WHEN a fresh interpreter imports `handler` from there and runs the four steps
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # THEN the rotation completed with the copied modules only
    assert result.returncode == 0, result.stderr
    module_files = json.loads(result.stdout.splitlines()[-1])
    assert "rotation.steps" in module_files
    assert {Path(path).parent for path in module_files.values() if path} == {tmp_path}
    assert rotation_service.stages(secret_arn)[token] == [AWSCURRENT]
    assert rotation_service.value(secret_arn, AWSCURRENT) != "old-flat-value"


def test_no_token_value_reaches_logs_or_errors(
    lambda_environment: pytest.MonkeyPatch,
    rotation_service: RotationService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN a cold-started function, and then every logger at DEBUG
    use_strategy(lambda_environment, "token")
    caplog.set_level(logging.DEBUG)
    secret_arn = rotation_service.create_secret(f"old-token-{secrets.token_hex(16)}")

    # WHEN two rotations run, and a step is invoked with a token that is not pending
    first = rotation_service.start(secret_arn)
    invoke_handler(secret_arn, first)
    invoke_handler(secret_arn, rotation_service.start(secret_arn))
    with pytest.raises(RotationError) as info:
        invoke_handler(secret_arn, first, (steps.SET_SECRET,))

    # THEN no value any version held appears in a log record or in the error
    values = set(all_secret_strings(rotation_service, secret_arn))
    assert len(values) == 3
    assert any(record.name.startswith("rotation.") for record in caplog.records)
    assert_no_secret(log_text(caplog) + exception_text(info.value), values)


@pytest.mark.postgres
def test_no_password_reaches_logs_or_errors(
    lambda_environment: pytest.MonkeyPatch,
    rotation_service: RotationService,
    postgres_server: PostgresServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # GIVEN a cold-started function, every logger at DEBUG, and one role per PostgreSQL strategy
    use_strategy(lambda_environment, "postgres-single-user")
    caplog.set_level(logging.DEBUG)
    suffix = uuid.uuid4().hex[:8]
    single, alternating = f"sentinel_single_{suffix}", f"sentinel_alt_{suffix}"
    for role in (single, alternating):
        postgres_server.create_login_role(role, f"{role}-{secrets.token_hex(16)}")
        postgres_server.alter_role(role, "PASSWORD %L", password=f"{role}-password-{suffix}")
    master_arn = rotation_service.create_secret(
        postgres_server.secret_value(
            username=postgres_server.superuser, password=postgres_server.superuser_password
        ),
        rotation_enabled=False,
    )
    single_arn = rotation_service.create_secret(
        postgres_server.secret_value(username=single, password=f"{single}-password-{suffix}")
    )
    alternating_arn = rotation_service.create_secret(
        postgres_server.secret_value(
            username=alternating,
            password=f"{alternating}-password-{suffix}",
            masterarn=master_arn,
        )
    )
    errors: list[BaseException] = []

    # WHEN rotations succeed, a testSecret fails, and a database is down
    invoke_handler(single_arn, rotation_service.start(single_arn))
    token = rotation_service.start(single_arn)
    invoke_handler(single_arn, token, ALL_STEPS[:2])
    postgres_server.alter_role(single, "NOLOGIN")
    with pytest.raises(RotationError) as info:
        invoke_handler(single_arn, token, (steps.TEST_SECRET,))
    errors.append(info.value)
    postgres_server.alter_role(single, "LOGIN")
    invoke_handler(single_arn, token)

    use_strategy(lambda_environment, "postgres-alternating-users")
    invoke_handler(alternating_arn, rotation_service.start(alternating_arn))
    invoke_handler(alternating_arn, rotation_service.start(alternating_arn))

    down_value = json.loads(postgres_server.secret_value(username=single, password="x" * 20))
    down_arn = rotation_service.create_secret(json.dumps({**down_value, "port": free_port()}))
    use_strategy(lambda_environment, "postgres-single-user")
    with pytest.raises(RotationError) as info:
        invoke_handler(down_arn, rotation_service.start(down_arn))
    errors.append(info.value)

    # THEN no password of any version, nor the master's, appears in a log record or an error
    passwords = {
        *passwords_in(all_secret_strings(rotation_service, single_arn)),
        *passwords_in(all_secret_strings(rotation_service, alternating_arn)),
        *passwords_in(all_secret_strings(rotation_service, down_arn)),
        postgres_server.superuser_password,
    }
    assert len(passwords) == 3 + 3 + 2 + 1
    assert AWSPENDING not in "".join(
        "".join(stages) for stages in rotation_service.stages(single_arn).values()
    )
    text = log_text(caplog) + "".join(exception_text(error) for error in errors)
    assert_no_secret(text, passwords)
