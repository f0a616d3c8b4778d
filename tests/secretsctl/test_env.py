"""`secretsctl env` against moto's server: the values a service gets, in a private file."""

from __future__ import annotations

import json
import logging
import stat
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from secretsctl import env
from secretsctl.__main__ import main
from secretsctl.import_env_dotenv import parse_env, parse_env_file
from tests.rotation.secret_leaks import assert_no_secret, log_text
from tests.secretsctl.deployed_stack import DeployedStack

CATALOG = {
    "environments": ["dev", "prod"],
    "secrets": {
        "admin-token": {"description": "Whole secret", "generate": {"length": 32}},
        "openai-api-key": {"description": "Read at runtime", "config": "openaiApiKey"},
        "partner-key": {"description": "Set by hand", "external": True},
        "app-config": {
            "description": "JSON",
            "fields": {
                "REDIS_PASSWORD": {"generate": {"length": 32}},
                "SMTP_PORT": {"value": 587},
                "TLS": {"value": True},
            },
        },
    },
    "services": {
        "api": {
            "env": {
                "ADMIN_TOKEN": "admin-token",
                "REDIS_PASSWORD": "app-config:REDIS_PASSWORD",
                "SMTP_PORT": "app-config:SMTP_PORT",
                "SMTP_TLS": "app-config:TLS",
            },
            "runtime_read": ["openai-api-key"],
        },
        "worker": {
            "env": {"PARTNER_KEY": "partner-key"},
            "runtime_read": ["openai-api-key", "app-config"],
        },
    },
}
ADMIN_TOKEN = 'SENTINEL-admin "$HOME" #1 \\ two  spaces '
OPENAI_KEY = "SENTINEL-openai it's\nline two"
REDIS_PASSWORD = "SENTINEL-redis\\$x#y"
PARTNER_KEY = "SENTINEL-partner-0b1d"
APP_CONFIG = json.dumps({"REDIS_PASSWORD": REDIS_PASSWORD, "SMTP_PORT": 587, "TLS": True})
VALUES = {"admin-token": ADMIN_TOKEN, "openai-api-key": OPENAI_KEY, "app-config": APP_CONFIG}
SENTINELS = [ADMIN_TOKEN, OPENAI_KEY, "SENTINEL-redis", PARTNER_KEY, "SENTINEL-openai"]
API_VALUES = {
    "ADMIN_TOKEN": ADMIN_TOKEN,
    "OPENAI_API_KEY": OPENAI_KEY,
    "REDIS_PASSWORD": REDIS_PASSWORD,
    "SMTP_PORT": "587",
    "SMTP_TLS": "true",
}


def new_stack(endpoint_url: str, directory: Path, *, stack: str = "dev", **config) -> DeployedStack:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    deployed = DeployedStack(
        endpoint_url=endpoint_url, directory=directory, prefix=prefix, stack=stack
    )
    deployed.write(CATALOG, config={f"app-secrets:{k}": v for k, v in config.items()})
    return deployed


@pytest.fixture
def stack(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    deployed = new_stack(moto_endpoint, tmp_path)
    deployed.deploy(VALUES)
    deployed.secrets.put_secret_value(
        SecretId=deployed.full_name("partner-key"), SecretString=PARTNER_KEY
    )
    return deployed


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Secrets Manager operation the command calls, and `client` when it builds one."""
    real = env.secretsmanager_client
    calls: list[str] = []

    def recording_client(target):
        calls.append("client")
        client = real(target)
        client.meta.events.register(
            "provide-client-params.secrets-manager.*",
            lambda model, **_: calls.append(model.name),
        )
        return client

    monkeypatch.setattr(env, "secretsmanager_client", recording_client)
    return calls


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # botocore logs response bodies at DEBUG
    return caplog


def run_env(stack: DeployedStack, capsys, *extra: str, endpoint_url: str | None = None):
    capsys.readouterr()
    arguments = stack.cli_args()
    if endpoint_url:
        arguments[arguments.index("--endpoint-url") + 1] = endpoint_url
    status = main(["env", *arguments, *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_writes_one_services_values_as_ecs_resolves_them(stack, tmp_path, capsys, logs, aws_calls):
    output = tmp_path / ".env"

    status, out, err = run_env(stack, capsys, "--service", "api", "--output", str(output))

    assert (status, err) == (0, "")
    assert {v.name: v.value for v in parse_env_file(output)} == API_VALUES
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert out.splitlines() == [
        f"{output} (mode 0600): 5 variables of service api, stack dev:",
        "  ADMIN_TOKEN     <- admin-token",
        "  OPENAI_API_KEY  <- openai-api-key",
        "  REDIS_PASSWORD  <- app-config:REDIS_PASSWORD",
        "  SMTP_PORT       <- app-config:SMTP_PORT",
        "  SMTP_TLS        <- app-config:TLS",
    ]
    # one read per secret, of AWSCURRENT, and no value in what was shown or logged
    assert aws_calls == ["client"] + ["GetSecretValue"] * 3
    assert_no_secret(out + err + log_text(logs), SENTINELS)


def test_writes_the_union_of_every_service(stack, tmp_path, capsys, logs):
    output = tmp_path / "all.env"

    status, out, err = run_env(stack, capsys, "--output", str(output))

    assert (status, err) == (0, "")
    written = {v.name: v.value for v in parse_env_file(output)}
    assert written == {**API_VALUES, "PARTNER_KEY": PARTNER_KEY, "APP_CONFIG": APP_CONFIG}
    assert "5 variables" not in out and "7 variables of services api, worker" in out
    assert "  OPENAI_API_KEY  <- openai-api-key (api, worker)" in out
    assert_no_secret(out + err + log_text(logs), SENTINELS)


def test_writes_to_a_pipe_with_the_names_on_stderr(stack, capsys, logs):
    status, out, err = run_env(stack, capsys, "--service", "api", "--output", "-")

    assert status == 0
    assert {v.name: v.value for v in parse_env(out, file="-")} == API_VALUES
    assert err.startswith("standard output: 5 variables of service api, stack dev:\n")
    assert_no_secret(err + log_text(logs), SENTINELS)


def test_rejects_standard_output_on_a_terminal(stack, capsys, monkeypatch, aws_calls):
    capsys.readouterr()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    status, out, err = run_env(stack, capsys, "--output", "-")

    assert (status, out, aws_calls) == (2, "", [])
    assert err == (
        "secretsctl env: --output -: standard output is a terminal, and values are never "
        "shown; pipe it or give --output FILE\n"
    )


@pytest.mark.parametrize(
    ("stack_name", "config"), [("prod", {}), ("live", {"environment": "prod"})], ids=str
)
def test_refuses_prod_without_the_flag_and_asks_aws_nothing(
    aws_environment, moto_endpoint, closed_endpoint, tmp_path, capsys, aws_calls, stack_name, config
):
    prod = new_stack(moto_endpoint, tmp_path, stack=stack_name, **config)
    output = tmp_path / ".env"

    status, out, err = run_env(prod, capsys, "--output", str(output), endpoint_url=closed_endpoint)

    assert (status, out, aws_calls) == (2, "", [])
    assert err == (
        "secretsctl env: environment prod: refusing to write production values to a file; "
        "nothing was read (pass --allow-environment prod if you must)\n"
    )
    assert not output.exists()


def test_writes_prod_when_allowed(aws_environment, moto_endpoint, tmp_path, capsys):
    prod = new_stack(moto_endpoint, tmp_path, stack="prod")
    prod.deploy(VALUES)
    output = tmp_path / ".env"

    status, _, err = run_env(
        prod, capsys, "--service", "api", "--output", str(output), "--allow-environment", "prod"
    )

    assert (status, err) == (0, "")
    assert {v.name: v.value for v in parse_env_file(output)} == API_VALUES


def test_rejects_an_existing_file_unless_forced(stack, tmp_path, capsys, aws_calls):
    output = tmp_path / ".env"
    output.write_text("KEEP=me\n")
    output.chmod(0o644)

    status, out, err = run_env(stack, capsys, "--service", "api", "--output", str(output))

    assert (status, out, aws_calls) == (2, "", [])
    assert err == f"secretsctl env: {output}: already exists; pass --force to replace it\n"
    assert output.read_text() == "KEEP=me\n"

    # WHEN forced THEN it is replaced, private
    status, _, _ = run_env(stack, capsys, "--service", "api", "--output", str(output), "--force")

    assert status == 0
    assert {v.name for v in parse_env_file(output)} == set(API_VALUES)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_rejects_an_unknown_service_before_asking_aws(stack, tmp_path, capsys, aws_calls):
    status, out, err = run_env(stack, capsys, "--service", "web", "--output", str(tmp_path / "x"))

    assert (status, out, aws_calls) == (2, "", [])
    assert err == (
        "secretsctl env: web: not a service of stack dev (environment dev); its services: "
        "api, worker\n"
    )


def test_rejects_services_that_disagree_on_a_variable(stack, tmp_path, capsys, aws_calls):
    catalog = json.loads(json.dumps(CATALOG))
    catalog["services"]["worker"]["env"]["ADMIN_TOKEN"] = "partner-key"
    stack.write(catalog)
    output = tmp_path / ".env"

    status, out, err = run_env(stack, capsys, "--output", str(output))

    assert (status, out, aws_calls) == (2, "", [])
    assert err.splitlines() == [
        "secretsctl env: invalid input:",
        "  ADMIN_TOKEN: service api sets it from admin-token, service worker from partner-key; "
        "write one service's file with --service",
        "1 problem(s); nothing was done.",
    ]
    assert not output.exists()


def test_a_missing_secret_fails_in_one_line_and_writes_nothing(stack, tmp_path, capsys, logs):
    stack.secrets.delete_secret(
        SecretId=stack.full_name("openai-api-key"), ForceDeleteWithoutRecovery=True
    )
    output = tmp_path / ".env"

    status, out, err = run_env(stack, capsys, "--service", "api", "--output", str(output))

    assert (status, out) == (1, "")
    assert err.startswith(
        f"secretsctl env: {stack.full_name('openai-api-key')}: AWS error ResourceNotFoundException"
    )
    assert err.count("\n") == 1
    assert not output.exists() and list(tmp_path.glob(".env*")) == []
    assert_no_secret(out + err + log_text(logs), SENTINELS)


def test_a_secret_without_a_value_yet_fails_naming_it(
    aws_environment, moto_endpoint, tmp_path, capsys
):
    deployed = new_stack(moto_endpoint, tmp_path)
    deployed.deploy(VALUES)  # partner-key is external: created empty

    status, _, err = run_env(deployed, capsys, "--service", "worker", "--output", "-")

    assert status == 1
    assert err.startswith(
        f"secretsctl env: {deployed.full_name('partner-key')}: AWS error ResourceNotFoundException"
    )


def test_a_refusal_by_aws_is_one_line_naming_the_secret(stack, html_endpoint, tmp_path, capsys):
    output = tmp_path / ".env"

    status, _, err = run_env(stack, capsys, "--output", str(output), endpoint_url=html_endpoint)

    assert status == 1
    assert (
        err == f"secretsctl env: {stack.full_name('admin-token')}: AWS error 403: 403 Forbidden\n"
    )
    assert not output.exists()


def test_fails_in_one_line_without_credentials(
    stack, tmp_path, capsys, monkeypatch, no_aws_retries
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps the credentials it found

    status, _, err = run_env(stack, capsys, "--output", str(tmp_path / ".env"))

    assert status == 1
    assert err.startswith("secretsctl env: AWS: no credentials found (")
    assert not (tmp_path / ".env").exists()


def test_a_value_no_quoting_can_hold_is_refused_without_showing_it(stack, tmp_path, capsys, logs):
    hostile = "SENTINEL-cannot 'quote' $this"
    stack.secrets.put_secret_value(SecretId=stack.full_name("admin-token"), SecretString=hostile)
    output = tmp_path / ".env"

    status, out, err = run_env(stack, capsys, "--service", "api", "--output", str(output))

    assert (status, out) == (1, "")
    assert err.startswith("secretsctl env: ADMIN_TOKEN: its value holds a $ together with a '")
    assert err.endswith("; nothing was written\n")
    assert not output.exists()
    assert_no_secret(out + err + log_text(logs), [hostile, *SENTINELS])
