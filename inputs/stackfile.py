"""Reads a Pulumi.<stack>.yaml as the engine would hand its config to the program."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inputs.exceptions import InputError
from inputs.problems import problem, yaml_problem
from inputs.stack_settings import NAMESPACE
from inputs.yaml_reader import load_yaml


@dataclass(frozen=True)
class StackConfig:
    """One stack's `app-secrets:` keys as the program receives them, from the engine or a file."""

    file: str
    """`Pulumi.<stack>.yaml`: what every problem names."""
    values: Mapping[str, str]
    """Key without the namespace -> value, as the engine passes it (structured ones as JSON)."""
    secret_keys: frozenset[str]
    """The keys that are Pulumi secrets (`secure:` in the file), whether their value is here
    (decrypted by the engine) or not (offline)."""
    region: str | None = None
    """The stack's `aws:region`; None when unset."""
    problems: tuple[str, ...] = ()
    """What is wrong with the file itself (a duplicate key), reported with every other problem.
    Default: none (the engine's config has been read by the Pulumi CLI already)."""
    secure_hint: str = "pass --placeholders to plan with a placeholder"
    """For offline commands: what would let them read the `secure:` values they do not have."""


@dataclass(frozen=True)
class StackFile:
    path: Path
    config: dict[str, str]
    """Full key (`app-secrets:prefix`) -> the string the engine passes to the program."""
    secret_keys: frozenset[str]
    """Keys stored as `secure:` ciphertext."""
    problems: tuple[str, ...] = ()
    """Duplicate keys: YAML would keep only the last of each."""
    secure_values: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Full key -> the `secure:` ciphertext, as the file holds it."""
    encryption_salt: str | None = None
    """`encryptionsalt`: the passphrase provider's salt and check value. None when absent."""
    secrets_provider: str | None = None
    """`secretsprovider` (`awskms://...`, `passphrase`, ...). None: the default, which is the
    passphrase provider for a stack with an `encryptionsalt`, else Pulumi Cloud's."""

    @property
    def region(self) -> str | None:
        return self.config.get("aws:region")

    def stack_config(self) -> StackConfig:
        """The `app-secrets:` keys without the namespace, and which of them are `secure:`."""
        prefix = f"{NAMESPACE}:"
        return StackConfig(
            file=self.path.name,
            values={
                k.removeprefix(prefix): v for k, v in self.config.items() if k.startswith(prefix)
            },
            secret_keys=frozenset(
                k.removeprefix(prefix) for k in self.secret_keys if k.startswith(prefix)
            ),
            region=self.region,
            problems=self.problems,
        )


def engine_string(value: Any) -> str:
    """Config values reach a Pulumi program as strings; structured ones as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def read_stack_file(path: Path) -> StackFile:
    file = path.name
    try:
        raw, duplicates = load_yaml(path.read_text(encoding="utf-8"), file=file)
        raw = raw or {}
    except FileNotFoundError as exc:
        raise InputError([problem(str(path), "", "stack file not found")]) from exc
    except yaml.YAMLError as exc:
        raise InputError([yaml_problem(file, exc)]) from exc
    config = raw.get("config") if isinstance(raw, dict) else None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise InputError([problem(file, "config", "must be a mapping of key -> value")])
    values: dict[str, str] = {}
    secure_values: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            secure_values[key] = str(value["secure"])
            continue
        values[key] = engine_string(value)
    return StackFile(
        path=path,
        config=values,
        secret_keys=frozenset(secure_values),
        problems=tuple(duplicates),
        secure_values=secure_values,
        encryption_salt=_optional_text(raw, "encryptionsalt"),
        secrets_provider=_optional_text(raw, "secretsprovider"),
    )


def _optional_text(raw: object, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return str(value) if value else None
