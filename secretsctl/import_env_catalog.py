"""The catalog side of `secretsctl import-env`: new entries as YAML, appended and validated."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inputs.catalog_reader import parse_catalog_partially
from inputs.exceptions import InputError
from inputs.yaml_reader import load_yaml
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


@dataclass(frozen=True)
class CatalogEdit:
    """The catalog with the new entries appended and validated, not yet written."""

    path: Path
    """The file written: the catalog, or the file its symbolic link points to."""
    text: str
    added: int

    def write(self) -> None:
        if self.added:
            _replace(self.path, self.text)


def prepare_catalog(path: Path, proposals: Sequence[Proposal], *, source: str) -> CatalogEdit:
    """Appends the new entries to the catalog's `secrets:` block; the rest stays as it was.

    The result is validated here, before anything is written; InputError when it is invalid.
    """
    new = [proposal for proposal in proposals if proposal.is_new]
    target = path.resolve()  # a link stays a link: its target is what changes
    if not new:
        return CatalogEdit(path=target, text="", added=0)
    text = target.read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
    updated = append_entries(text, new, source=source, file=path.name)
    raw, duplicates = load_yaml(updated, file=path.name)
    _, problems = parse_catalog_partially(raw, file=path.name)
    problems = [*duplicates, *problems]
    if problems:
        raise InputError([*problems, f"{path.name}: left unchanged"])
    return CatalogEdit(path=target, text=updated, added=len(new))


def write_catalog(path: Path, proposals: Sequence[Proposal], *, source: str) -> int:
    """prepare_catalog, then the write; the number of entries added."""
    edit = prepare_catalog(path, proposals, source=source)
    edit.write()
    return edit.added


def append_entries(text: str, proposals: Sequence[Proposal], *, source: str, file: str) -> str:
    """The text with the entries after the last one of `secrets:`, in the file's line endings."""
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
    newline = _newline(lines)
    indent = _entry_indent(lines[start + 1 : end])
    block = []
    for proposal in proposals:
        block.append(newline)
        block += [line + newline for line in entry_lines(proposal, source=source, indent=indent)]
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += newline
    return "".join(lines[:end] + block + lines[end:])


def _newline(lines: Sequence[str]) -> str:
    """The file's line ending, from its first line that has one: CRLF or LF."""
    ended = next((line for line in lines if line.endswith("\n")), "\n")
    return "\r\n" if ended.endswith("\r\n") else "\n"


def _entry_indent(block: Sequence[str]) -> str:
    for line in block:
        if line.strip() and not line.lstrip().startswith("#"):
            return line[: len(line) - len(line.lstrip(" "))] or "  "
    return "  "


def _replace(path: Path, text: str) -> None:
    """Writes `text` into `path` atomically: a temporary file beside it, then a rename.

    Where the directory takes no new file (a shared, read-only folder), the file is
    rewritten in place instead.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except PermissionError:
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
