"""The docs restate the models truthfully: docs/catalog.md and the README's stack config table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from inputs.catalog import (
    DESCRIPTION_LENGTH,
    FARGATE_MEMORY,
    GENERATION,
    PASSWORD_LENGTH,
    ROTATION_DAYS,
    Catalog,
    FieldSpec,
    GenerateSpec,
    RotationSpec,
    SecretSpec,
    ServiceSpec,
    TaskSpec,
)
from inputs.stack_settings import StackSettings

PROJECT_DIR = Path(__file__).resolve().parents[2]
CATALOG_DOC = PROJECT_DIR / "docs" / "catalog.md"
README = PROJECT_DIR / "README.md"
STACK_CONFIG = "Stack config"
CATALOG_SECTIONS: dict[str, type[BaseModel]] = {
    "Top level": Catalog,
    "Secrets": SecretSpec,
    "generate": GenerateSpec,
    "fields": FieldSpec,
    "rotation": RotationSpec,
    "Services": ServiceSpec,
    "task": TaskSpec,
}
DEFAULTED_BY_PARSE = {"environment": "the stack name"}
"""Required by StackSettings, but parse_settings fills it in: the docs give that default."""
KEY = re.compile(r"^`([A-Za-z_]\w*)`$")


def tables(path: Path) -> dict[str, list[dict[str, str]]]:
    """Section heading -> its tables' rows, each a dict by column header (first column `key`)."""
    found: dict[str, list[dict[str, str]]] = {}
    heading, header = "", None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading, header = line.lstrip("#").strip(), None
        elif not line.startswith("|"):
            header = None
        elif header is None:
            header = _cells(line)
        elif header[0] == "key" and not set(line) <= set("|- "):
            found.setdefault(heading, []).append(dict(zip(header, _cells(line), strict=True)))
    return found


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def documented(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The rows whose key is a literal `key` (so not the README's *value keys* row), by key."""
    return {match[1]: row for row in rows if (match := KEY.match(row["key"]))}


def yaml_keys(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {field.alias or name: field for name, field in model.model_fields.items()}


def default_text(field: FieldInfo) -> str | None:
    """How the docs write the field's default; None when it is not a plain value to restate."""
    if field.is_required():
        return "required"
    default = field.get_default(call_default_factory=True)
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, int):
        return str(default)
    if isinstance(default, str):
        return default or '""'
    if default in ({}, []):
        return repr(default)
    return None


def first_word(cell: str) -> str:
    """`{}` (no role) -> {}; 30 -> 30; required: ... -> required."""
    quoted = re.match(r"`([^`]*)`", cell)
    if quoted:
        return quoted[1]
    return re.split(r"[\s,(:]", cell, maxsplit=1)[0]


def default_problems(model: type[BaseModel], rows: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for key, field in yaml_keys(model).items():
        if key not in rows:
            continue  # reported by the key checks
        cell = rows[key]["default"]
        expected = DEFAULTED_BY_PARSE.get(key) if model is StackSettings else None
        expected = expected or default_text(field)
        if expected is None:
            if first_word(cell) == "required":
                problems.append(f"{key}: documented as required, but it has a default")
        elif not (cell == expected or first_word(cell) == expected):
            problems.append(f"{key}: documented default {cell!r}, the model's is {expected!r}")
    return problems


def catalog_rows(section: str) -> dict[str, dict[str, str]]:
    return documented(tables(CATALOG_DOC).get(section, []))


def stack_config_rows() -> list[dict[str, str]]:
    return tables(README).get(STACK_CONFIG, [])


def test_catalog_doc_has_one_key_table_per_model():
    assert set(tables(CATALOG_DOC)) == set(CATALOG_SECTIONS)


@pytest.mark.parametrize(("section", "model"), CATALOG_SECTIONS.items())
def test_catalog_doc_names_every_key_of_the_model(section, model):
    missing = set(yaml_keys(model)) - set(catalog_rows(section))

    assert not missing, f"docs/catalog.md, {section}: undocumented keys {sorted(missing)}"


@pytest.mark.parametrize(("section", "model"), CATALOG_SECTIONS.items())
def test_catalog_doc_names_no_stale_key(section, model):
    stale = set(catalog_rows(section)) - set(yaml_keys(model))

    assert not stale, f"docs/catalog.md, {section}: keys the model lacks {sorted(stale)}"


@pytest.mark.parametrize(("section", "model"), CATALOG_SECTIONS.items())
def test_catalog_doc_defaults_are_the_models(section, model):
    assert default_problems(model, catalog_rows(section)) == []


@pytest.mark.parametrize(
    ("section", "key", "limit"),
    [
        ("Secrets", "description", f"1-{DESCRIPTION_LENGTH}"),
        ("generate", "length", "{}-{}".format(*PASSWORD_LENGTH)),
        ("generate", "generation", "{}-{}".format(*GENERATION)),
        ("rotation", "every_days", "{}-{}".format(*ROTATION_DAYS)),
        ("task", "cpu", ", ".join(map(str, FARGATE_MEMORY))),
    ],
)
def test_catalog_doc_limits_are_the_models(section, key, limit):
    assert limit in catalog_rows(section)[key]["type"]


def test_catalog_doc_fargate_table_is_the_models():
    rows = {}
    for line in CATALOG_DOC.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\| (\d+) \| ([^|]+) \|$", line):
            rows[int(match[1])] = match[2].strip()

    assert {cpu: sizes.split(" (")[0] for cpu, sizes in rows.items()} == {
        cpu: _sizes(memory) for cpu, memory in FARGATE_MEMORY.items()
    }


def _sizes(memory: tuple[int, ...] | range) -> str:
    if isinstance(memory, range):
        return f"{memory.start}-{memory.stop - 1} in steps of {memory.step}"
    return ", ".join(map(str, memory))


def test_readme_stack_config_names_every_setting():
    missing = set(yaml_keys(StackSettings)) - set(documented(stack_config_rows()))

    assert not missing, f"README.md, {STACK_CONFIG}: undocumented keys {sorted(missing)}"


def test_readme_stack_config_names_no_stale_key():
    rows = stack_config_rows()
    stale = set(documented(rows)) - set(yaml_keys(StackSettings))
    others = [row["key"] for row in rows if not KEY.match(row["key"])]

    assert not stale, f"README.md, {STACK_CONFIG}: keys StackSettings lacks {sorted(stale)}"
    assert others == ["*value keys*"]


def test_readme_stack_config_defaults_are_the_models():
    assert default_problems(StackSettings, documented(stack_config_rows())) == []


@pytest.mark.parametrize(
    ("model", "key", "expected"),
    [
        (StackSettings, "logRetentionDays", None),
        (StackSettings, "recoveryWindowDays", "30"),
        (StackSettings, "githubDeployBranch", "main"),
        (StackSettings, "catalog", "catalog.yaml"),
        (StackSettings, "alerting", "true"),
        (StackSettings, "prefix", "required"),
        (GenerateSpec, "length", "32"),
        (GenerateSpec, "exclude_characters", '""'),
        (TaskSpec, "memory", "512"),
        (ServiceSpec, "runtime_read", "[]"),
        (RotationSpec, "strategy", "required"),
        (RotationSpec, "master", None),
    ],
)
def test_default_text_renders_what_the_docs_write(model, key, expected):
    assert default_text(yaml_keys(model)[key]) == expected


def test_tables_split_escaped_pipes_and_skip_tables_without_a_key_column(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "## A\n\n| key | type |\n|---|---|\n| `a` | `x\\|y` |\n\n| cpu | memory |\n|---|---|\n"
        "| 1 | 2 |\n\n## B\n\n| key | type |\n|---|---|\n| *other* | z |\n",
        encoding="utf-8",
    )

    assert tables(doc) == {
        "A": [{"key": "`a`", "type": "`x\\|y`"}],
        "B": [{"key": "*other*", "type": "z"}],
    }
