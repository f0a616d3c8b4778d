"""`secretsctl import-env`: the dry run, --apply against moto and the exit codes."""

from __future__ import annotations

import io
import logging
import uuid

import boto3
import pytest

from inputs.catalog_reader import load_catalog
from secretsctl.__main__ import main
from secretsctl.import_env_classify import GENERATE
from tests.rotation.secret_leaks import assert_no_secret
from tests.secretsctl.deployed_stack import DeployedStack, fresh_stack

ENV_FILE = """\
# the app's settings
PORT=8080
LOG_LEVEL=info
export DB_PASSWORD='SENTINEL-db-password-1'
SESSION_SECRET="SENTINEL-session-2"   # signs cookies
OPENAI_API_KEY=sk-SENTINEL-openai-3
PAYMENT_KEY=sk_live_SENTINEL4stripe4abcdefghijkl
PARTNER_CREDENTIALS=SENTINEL-partner-5
STRIPE_PUBLISHABLE_KEY=pk_live_not-secret
"""
SENTINELS = [
    "SENTINEL-db-password-1",
    "SENTINEL-session-2",
    "sk-SENTINEL-openai-3",
    "sk_live_SENTINEL4stripe4abcdefghijkl",
    "SENTINEL-partner-5",
]


@pytest.fixture
def stack(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    deployed = fresh_stack(moto_endpoint, tmp_path)
    deployed.deploy({"api-token": "SENTINEL-api-token-0", "openai-api-key": "SENTINEL-openai-0"})
    (tmp_path / "app.env").write_text(ENV_FILE)
    return deployed


def import_env(stack: DeployedStack, *extra: str) -> int:
    return main(["import-env", str(stack.directory / "app.env"), *stack.cli_args(), *extra])


def test_dry_run_proposes_entries_and_commands_and_changes_nothing(stack, capsys):
    before = stack.catalog_path.read_text()

    assert import_env(stack) == 0

    out = capsys.readouterr().out
    assert stack.catalog_path.read_text() == before
    assert "+   db-password:" in out
    assert "+     generate: {length: 32}" in out
    assert "+   payment-key:" in out and "+     config: paymentKey" in out
    assert "+     external: true" in out
    assert "OPENAI_API_KEY: openai-api-key is already in catalog.yaml (config); left as is" in out
    assert "pulumi config set --secret openaiApiKey --stack dev    # OPENAI_API_KEY" in out
    assert "pulumi config set --secret paymentKey --stack dev < payment-key.value" in out
    assert "PORT (line 2): not secret-looking" in out
    assert "STRIPE_PUBLISHABLE_KEY (line 9): a public or publishable key" in out
    assert f"PARTNER_CREDENTIALS -> {stack.full_name('partner-credentials')}" in out
    assert_no_secret(out, SENTINELS)


def test_apply_writes_the_catalog_then_puts_external_values_once_deployed(stack, capsys, caplog):
    caplog.set_level(logging.DEBUG)  # botocore logs request bodies at DEBUG

    # WHEN --apply runs before the new external secret exists
    assert import_env(stack, "--apply") == 0
    first = capsys.readouterr()

    # THEN the catalog holds the new entries, valid, and the value waits for pulumi up
    catalog = load_catalog(stack.catalog_path)
    assert catalog.secrets["partner-credentials"].external is True
    assert catalog.secrets["db-password"].generate is not None
    assert catalog.secrets["payment-key"].config == "paymentKey"
    assert catalog.secrets["session-secret"].source == GENERATE
    assert "catalog.yaml: 4 entries added." in first.out
    assert "partner-credentials: not deployed yet: run pulumi up --stack dev" in first.out

    # WHEN pulumi up created the external secret (empty) and --apply runs again
    stack.secrets.create_secret(Name=stack.full_name("partner-credentials"))
    assert import_env(stack, "--apply") == 0
    second = capsys.readouterr()

    # THEN no value was ever shown, the value is put and nothing is appended twice
    everything = first.out + first.err + second.out + second.err + caplog.text
    assert_no_secret(everything, SENTINELS)
    assert "catalog.yaml: 0 entries added." in second.out
    assert "partner-credentials: value put (version " in second.out
    assert stack.catalog_path.read_text().count("partner-credentials:") == 1
    caplog.set_level(logging.WARNING)  # the test reads the value back: keep it out of the log
    value = stack.secrets.get_secret_value(SecretId=stack.full_name("partner-credentials"))
    assert value["SecretString"] == "SENTINEL-partner-5"


def test_apply_never_overwrites_a_value(stack, capsys):
    stack.write(
        {
            "environments": ["dev"],
            "secrets": {"partner-credentials": {"description": "x", "external": True}},
        }
    )
    stack.secrets.create_secret(
        Name=stack.full_name("partner-credentials"), SecretString="already-there"
    )

    assert import_env(stack, "--apply") == 0

    out = capsys.readouterr().out
    assert "partner-credentials: already has a value; left unchanged" in out
    value = stack.secrets.get_secret_value(SecretId=stack.full_name("partner-credentials"))
    assert value["SecretString"] == "already-there"


def test_rejects_a_malformed_file_without_writing_anything(stack, capsys):
    (stack.directory / "app.env").write_text("GOOD=1\nexport BAD='SENTINEL-open\n")
    before = stack.catalog_path.read_text()

    assert import_env(stack, "--apply") == 2

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "secretsctl import-env: invalid input:",
        "  app.env:2: BAD: no closing ' on this line (values cannot span lines)",
        "1 problem(s); nothing was done.",
    ]
    assert "SENTINEL" not in captured.out + captured.err
    assert stack.catalog_path.read_text() == before


def test_rejects_a_missing_file(stack, capsys):
    assert main(["import-env", "nowhere.env", *stack.cli_args()]) == 2

    assert "nowhere.env: file not found" in capsys.readouterr().err


def catalog_and_output(stack: DeployedStack, captured: pytest.CaptureResult[str]) -> str:
    """Everything a value could leak into: what was printed and the catalog file."""
    return captured.out + captured.err + stack.catalog_path.read_text()


@pytest.mark.parametrize(
    ("endpoint", "said"),
    [
        ("http://127.0.0.1:1", "AWS: DescribeSecret on "),  # nothing listens there
        ("http://127.0.0.1:99999", "the endpoint URL is not usable"),  # no such port
        ("http://[::1", "the endpoint URL is not usable"),  # not a URL botocore can use
    ],
)
def test_fails_on_a_bad_endpoint_before_writing_anything(
    stack, capsys, monkeypatch, endpoint, said
):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    before = stack.catalog_path.read_text()
    arguments = [*stack.cli_args(), "--endpoint-url", endpoint, "--apply"]  # the last one wins

    status = main(["import-env", str(stack.directory / "app.env"), *arguments])

    captured = capsys.readouterr()
    assert status == 1
    assert stack.catalog_path.read_text() == before
    assert "added" not in captured.out
    (line,) = captured.err.splitlines()
    assert line.startswith("secretsctl import-env: AWS: ") and said in line
    assert "nothing was written" in line and "Traceback" not in captured.err
    assert_no_secret(catalog_and_output(stack, captured), SENTINELS)


def test_fails_without_credentials_before_writing_anything(stack, capsys, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it caches the credentials it found
    before = stack.catalog_path.read_text()

    assert import_env(stack, "--apply") == 1

    captured = capsys.readouterr()
    assert stack.catalog_path.read_text() == before
    assert "added" not in captured.out
    assert captured.err.splitlines() == [
        "secretsctl import-env: AWS: DescribeSecret on "
        f"{stack.full_name('partner-credentials')} failed: no credentials found (set "
        "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, e.g. after aws sso "
        "login); nothing was written"
    ]


def test_a_dry_run_needs_no_aws(stack, capsys, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)

    assert main(["import-env", str(stack.directory / "app.env"), *stack.cli_args()]) == 0


def test_a_value_too_long_to_put_is_left_out_and_fails_the_apply(stack, capsys):
    # GIVEN an external value of 100 KB, more than a SecretString holds
    big = "SENTINEL-big-" + "b" * 100_000
    (stack.directory / "app.env").write_text(
        f"PARTNER_BUNDLE_SECRET={big}\nPARTNER_CREDENTIALS=SENTINEL-partner-5\n"
    )

    # WHEN the dry run runs, THEN it warns up front, without the value, and proposes no entry
    assert import_env(stack) == 0
    dry = capsys.readouterr()
    assert dry.err.splitlines() == [
        "secretsctl import-env: app.env:1: PARTNER_BUNDLE_SECRET: cannot be put: longer than "
        "Secrets Manager's 65,536 bytes for a value; left out of the catalog"
    ]
    assert "partner-bundle-secret" not in dry.out
    assert "+   partner-credentials:" in dry.out

    # WHEN --apply runs, THEN the other entry is added, that one is not, and it exits 1
    assert import_env(stack, "--apply") == 1
    applied = capsys.readouterr()
    catalog = load_catalog(stack.catalog_path)
    assert "partner-bundle-secret" not in catalog.secrets
    assert "partner-credentials" in catalog.secrets
    assert "catalog.yaml: 1 entry added." in applied.out
    assert_no_secret(catalog_and_output(stack, applied) + dry.out + dry.err, [big[:40]])


def test_a_declared_value_too_long_is_not_put(stack, capsys):
    big = "SENTINEL-big-" + "b" * 70_000
    (stack.directory / "app.env").write_text(f"PARTNER_KEY={big}\n")

    assert import_env(stack, "--apply") == 1

    captured = capsys.readouterr()
    assert "app.env:1: PARTNER_KEY: cannot be put: longer than" in captured.err
    described = stack.secrets.describe_secret(SecretId=stack.full_name("partner-key"))
    assert "VersionIdsToStages" not in described or not described["VersionIdsToStages"]
    assert_no_secret(catalog_and_output(stack, captured), [big[:40]])


def test_an_entry_of_another_environment_names_it_instead_of_pulumi_up(stack, capsys):
    # GIVEN an external entry only prod has
    stack.write(
        {
            "environments": ["dev", "prod"],
            "secrets": {"partner-x": {"description": "x", "external": True, "only_in": ["prod"]}},
        }
    )
    (stack.directory / "app.env").write_text("PARTNER_X=SENTINEL-prod-only\n")

    # WHEN it is applied to dev
    assert import_env(stack, "--apply") == 0

    # THEN it says the entry is not in dev, and how the value is put where it is
    captured = capsys.readouterr()
    assert "pulumi up" not in captured.out.split("Then:")[0]
    assert (
        "PARTNER_X: partner-x is already in catalog.yaml (external), but not in environment "
        "dev: it exists only in prod; its value is put with import-env --stack prod --apply"
    ) in captured.out
    assert_no_secret(catalog_and_output(stack, captured), ["SENTINEL-prod-only"])


# --- prod takes a yes ---------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def prod(aws_environment, moto_endpoint, tmp_path) -> DeployedStack:
    deployed = DeployedStack(
        endpoint_url=moto_endpoint,
        directory=tmp_path,
        prefix=f"t{uuid.uuid4().hex[:10]}",
        stack="prod",
    )
    deployed.write()
    (tmp_path / "app.env").write_text(
        "PARTNER_KEY=SENTINEL-prod-partner\nDB_PASSWORD=SENTINEL-db\n"
    )
    deployed.secrets.create_secret(Name=deployed.full_name("partner-key"))
    return deployed


def test_rejects_prod_off_a_terminal_without_yes(prod, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    before = prod.catalog_path.read_text()

    assert import_env(prod, "--apply") == 2

    captured = capsys.readouterr()
    assert prod.catalog_path.read_text() == before
    assert captured.err.splitlines() == [
        f"About to add 1 entry to catalog.yaml and put 1 value into {prod.prefix}/prod/ "
        "in environment prod.",
        "secretsctl import-env: environment prod: not on a terminal, so nothing was asked or "
        "changed; pass --yes to confirm",
    ]
    described = prod.secrets.describe_secret(SecretId=prod.full_name("partner-key"))
    assert not described.get("VersionIdsToStages")


def test_prod_goes_ahead_with_yes(prod, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    assert import_env(prod, "--apply", "--yes") == 0

    captured = capsys.readouterr()
    assert "catalog.yaml: 1 entry added." in captured.out
    assert "partner-key: value put (version " in captured.out
    assert_no_secret(catalog_and_output(prod, captured), ["SENTINEL-prod-partner", "SENTINEL-db"])


@pytest.mark.parametrize(("typed", "status"), [("prod\n", 0), ("yes\n", 1)])
def test_prod_asks_on_a_terminal(prod, capsys, monkeypatch, typed, status):
    monkeypatch.setattr("sys.stdin", Terminal(typed))
    before = prod.catalog_path.read_text()

    assert import_env(prod, "--apply") == status

    captured = capsys.readouterr()
    assert "Type prod to go ahead: " in captured.err
    assert (prod.catalog_path.read_text() == before) is (status == 1)


def test_a_secret_scheduled_for_deletion_is_not_put_and_fails(stack, capsys):
    (stack.directory / "app.env").write_text("PARTNER_KEY=SENTINEL-partner\n")
    stack.secrets.delete_secret(SecretId=stack.full_name("partner-key"), RecoveryWindowInDays=7)

    assert import_env(stack, "--apply") == 1

    out = capsys.readouterr().out
    assert (
        f"partner-key: not put: scheduled for deletion; aws secretsmanager restore-secret "
        f"--secret-id {stack.full_name('partner-key')}, then import-env --apply again"
    ) in out


def test_never_advises_a_task_environment_for_a_secret(stack, capsys):
    # GIVEN the secrets the user test found "not secret-looking", and one random-looking value
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SENTINEL-jwt-signature"
    names = ["APP_SECRETKEY", "DBPASSWORD", "PRIVATEKEY", "ACCESSKEY", "API_SECRETS"]
    names += ["JWT_SIGNING", "HMAC", "BEARER"]
    lines = [f"{name}=SENTINEL-{index}" for index, name in enumerate(names)]
    lines += [f"SESSION_COOKIE={jwt}", "BUILD_FINGERPRINT=Zx8vK2pQr7LmN4tY9wB3", "PORT=8080"]
    (stack.directory / "app.env").write_text("\n".join(lines) + "\n")

    assert import_env(stack) == 0

    # THEN each is proposed, and only PORT is advised into a task's environment
    captured = capsys.readouterr()
    for name in [*names, "SESSION_COOKIE"]:
        assert f"  # {name} (line " in captured.out
    advice = captured.out.split("e.g. a task's environment):\n")[1].split("\n\n")[0]
    assert advice.splitlines() == [
        "  PORT (line 11): not secret-looking (no PASSWORD, SECRET, TOKEN, KEY, ... in the name)"
    ]
    assert "  BUILD_FINGERPRINT (line 10): " in captured.out.split("keep it out of a task's")[1]
    sentinels = [f"SENTINEL-{index}" for index in range(len(names))] + [jwt, "Zx8vK2pQr7LmN4tY9wB3"]
    assert_no_secret(catalog_and_output(stack, captured), sentinels)
