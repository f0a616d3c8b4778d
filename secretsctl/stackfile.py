"""Reads a Pulumi.<stack>.yaml as the engine would hand its config to the program."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.exceptions import InputError
from components.problems import problem
from components.settings import NAMESPACE


@dataclass(frozen=True)
class StackFile:
    path: Path
    config: dict[str, str]
    """Full key (`app-secrets:prefix`) -> the string the engine passes to the program."""
    secret_keys: frozenset[str]
    """Keys stored as `secure:` ciphertext."""

    @property
    def region(self) -> str | None:
        return self.config.get("aws:region")

    def project_config(self) -> tuple[dict[str, str], set[str]]:
        """The `app-secrets:` keys without the namespace, and which of them are `secure:`."""
        prefix = f"{NAMESPACE}:"
        config = {k.removeprefix(prefix): v for k, v in self.config.items() if k.startswith(prefix)}
        secret_keys = {k.removeprefix(prefix) for k in self.secret_keys if k.startswith(prefix)}
        return config, secret_keys


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
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise InputError([problem(str(path), "", "stack file not found")]) from exc
    except yaml.YAMLError as exc:
        raise InputError([problem(file, "", f"not valid YAML: {exc}")]) from exc
    config = raw.get("config") if isinstance(raw, dict) else None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise InputError([problem(file, "config", "must be a mapping of key -> value")])
    values: dict[str, str] = {}
    secret_keys = set()
    for key, value in config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            secret_keys.add(key)
            continue
        values[key] = engine_string(value)
    return StackFile(path=path, config=values, secret_keys=frozenset(secret_keys))
