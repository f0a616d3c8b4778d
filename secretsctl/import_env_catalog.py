"""The catalog side of `secretsctl import-env`: new entries as YAML, appended and validated."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from inputs.catalog_reader import YAML_LOADER, parse_catalog_partially
from inputs.exceptions import InputError
from secretsctl.import_env_classify import CONFIG, EXTERNAL, GENERATE, Proposal

GENERATED_LENGTH = 32


def entry_lines(proposal: Proposal, *, source: str, indent: str = "  ") -> list[str]:
    """The catalog entry as YAML lines, at the indentation of the catalog's entries."""
    description = json.dumps(f"Imported from {source} ({proposal.variable.name})")
    body = {
        GENERATE: f"generate: {{length: {GENERATED_LENGTH}}}",
        CONFIG: f"config: {proposal.config_key}",
        EXTERNAL: "external: true",
    }[str(proposal.kind)]
    return [
        f"{indent}{proposal.secret_name}:",
        f"{indent * 2}description: {description}",
        f"{indent * 2}{body}",
    ]


def write_catalog(path: Path, proposals: Sequence[Proposal], *, source: str) -> int:
    """Appends the new entries to the catalog's `secrets:` block; the rest stays as it was.

    The result is validated before the file is replaced; nothing is written when it is invalid.
    """
    new = [proposal for proposal in proposals if proposal.is_new]
    if not new:
        return 0
    text = path.read_text(encoding="utf-8")
    updated = append_entries(text, new, source=source, file=path.name)
    _, problems = parse_catalog_partially(yaml.load(updated, Loader=YAML_LOADER), file=path.name)
    if problems:
        raise InputError([*problems, f"{path.name}: left unchanged"])
    _replace(path, updated)
    return len(new)


def append_entries(text: str, proposals: Sequence[Proposal], *, source: str, file: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(
        (index for index, line in enumerate(lines) if re.match(r"^secrets:\s*(#.*)?$", line)),
        None,
    )
    if start is None:
        raise InputError(
            [f"{file}: secrets: not found as a block mapping (`secrets:` on its own line)"]
        )
    end = next(
        (index for index in range(start + 1, len(lines)) if re.match(r"^[^\s#]", lines[index])),
        len(lines),
    )
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # comments and blank lines before the next key stay with that key
    indent = _entry_indent(lines[start + 1 : end])
    block = []
    for proposal in proposals:
        block.append("\n")
        block += [line + "\n" for line in entry_lines(proposal, source=source, indent=indent)]
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end] + block + lines[end:])


def _entry_indent(block: Sequence[str]) -> str:
    for line in block:
        if line.strip() and not line.lstrip().startswith("#"):
            return line[: len(line) - len(line.lstrip(" "))] or "  "
    return "  "


def _replace(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
