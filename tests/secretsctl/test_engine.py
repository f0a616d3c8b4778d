"""The recording monitor: wire values to plain data, secrets masked, the program run to the end."""

from __future__ import annotations

import gc

import pulumi
import pytest

from secretsctl.engine import SECRET, UNKNOWN, cyclic_gc_paused, masked, revealed, run_program
from secretsctl.mocks import PlanMocks
from tests.conftest import PROJECT_DIR, records_of

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def test_masked_replaces_every_secret_and_keeps_the_rest():
    wire = {
        "name": "acme/dev/x",
        "secretString": {**SECRET_SIG, "value": "SENTINEL"},
        "nested": [{"deep": {**SECRET_SIG, "value": "SENTINEL"}}, 3.0, 2.5],
        "pending": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    }

    assert masked(wire) == {
        "name": "acme/dev/x",
        "secretString": SECRET,
        "nested": [{"deep": SECRET}, 3, 2.5],
        "pending": UNKNOWN,
    }
    assert revealed(wire)["secretString"] == "SENTINEL"


def test_output_values_marked_secret_are_masked():
    output_value = {
        "4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4",
        "secret": True,
        "value": "SENTINEL",
    }

    assert masked(output_value) == SECRET
    assert revealed(output_value) == "SENTINEL"


@pulumi.runtime.test
def test_additional_secret_outputs_reach_the_program_as_secrets(monitor):
    import pulumi_random as random

    password = random.RandomPassword("p", length=12)

    async def check():
        assert await password.result.is_secret()
        assert (
            records_of(monitor, "random:index/randomPassword:RandomPassword")["p"].outputs["result"]
            == SECRET
        )

    return pulumi.Output.from_input(check())


def test_program_errors_stop_before_any_resource_and_name_every_problem():
    config = {
        "aws:region": "eu-west-1",
        "app-secrets:recoveryWindowDays": "3",
        "app-secrets:openaiApiKey": "SENTINEL",
    }

    with pytest.raises(pulumi.RunError) as caught:
        run_program(
            program=PROJECT_DIR / "__main__.py",
            project="app-secrets",
            stack="dev",
            config=config,
            secret_keys=["app-secrets:openaiApiKey"],
            mocks=PlanMocks(account_id="123456789012", region="eu-west-1"),
        )

    message = str(caught.value)
    assert "Pulumi.dev.yaml: app-secrets:prefix: is required" in message
    assert (
        "Pulumi.dev.yaml: app-secrets:recoveryWindowDays: must be 0 (delete at once) or between 7 and 30, got 3"
        in message
    )
    assert "app-secrets:smtpPassword: is not set" in message
    assert "SENTINEL" not in message


@pytest.mark.parametrize("enabled_before", [True, False])
def test_cycle_collector_is_paused_in_the_block_and_restored_even_on_error(enabled_before):
    (gc.enable if enabled_before else gc.disable)()
    try:
        with pytest.raises(RuntimeError), cyclic_gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("the plan failed")
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()
