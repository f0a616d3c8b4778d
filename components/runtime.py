"""Reads the stack's config from the Pulumi engine and turns bad input into a clean error."""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from design.stack_inputs import Mode, StackInputs, load_stack_inputs
from inputs.exceptions import InputError
from inputs.stack_settings import NAMESPACE
from inputs.stackfile import StackConfig


def engine_config(stack: str) -> StackConfig:
    """The stack's `app-secrets:` keys (namespace stripped) and which of them are secrets.

    The language host passes config either through the environment or `set_all_config`;
    this reads both, so the program behaves the same under `pulumi up` and the mock engine.
    """
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env())
    values, secrets = {}, set()
    for full_key, value in merged.items():
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
            continue
        values[key] = value
        if full_key in secret_keys or pulumi.runtime.is_config_secret(full_key):
            secrets.add(key)
    return StackConfig(
        file=f"Pulumi.{stack}.yaml",
        values=values,
        secret_keys=frozenset(secrets),
        region=merged.get("aws:region"),
    )


def program_inputs(project_dir: Path) -> StackInputs:
    """Validated inputs of the running stack; every problem at once, without a traceback."""
    stack = pulumi.get_stack()
    try:
        inputs, _, _ = load_stack_inputs(
            engine_config(stack), stack=stack, mode=Mode.DEPLOY, project_dir=project_dir
        )
    except InputError as exc:
        # RunError is reported by the engine without a stack trace.
        raise pulumi.RunError("invalid input:\n" + "\n".join(exc.problems)) from None
    return inputs


def secret_config_values(inputs: StackInputs) -> dict[str, pulumi.Output[str]]:
    """The `config:` values this environment needs, each read as a Pulumi secret."""
    config = pulumi.Config(NAMESPACE)
    needed = inputs.secrets
    return {
        key: config.require_secret(key)
        for key, secret_name, _ in inputs.catalog.config_uses()
        if secret_name in needed
    }
