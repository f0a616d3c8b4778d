"""Every field of every component's Args says what it is and what happens when it is omitted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parents[2] / "components"


def args_fields(path: Path) -> list[tuple[str, str, str | None]]:
    """(class, field, docstring) for each field of each `*Args` or `*Entry` dataclass in `path`."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.ClassDef) and node.name.endswith(("Args", "Entry"))):
            continue
        body = node.body
        for index, statement in enumerate(body):
            if not isinstance(statement, ast.AnnAssign):
                continue
            following = body[index + 1] if index + 1 < len(body) else None
            doc = (
                following.value.value
                if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                else None
            )
            found.append((node.name, statement.target.id, doc))
    return found


FIELDS = [
    (path.name, cls, field, doc)
    for path in sorted(COMPONENTS.glob("*.py"))
    for cls, field, doc in args_fields(path)
]


def test_there_are_args_to_check():
    assert len({cls for _, cls, _, _ in FIELDS}) >= 10


@pytest.mark.parametrize(("module", "cls", "field", "doc"), FIELDS, ids=lambda v: str(v)[:40])
def test_every_args_field_says_its_default(module, cls, field, doc):
    assert doc, f"components/{module}: {cls}.{field} has no docstring"
    assert "Default" in doc or "Required" in doc, (
        f"components/{module}: {cls}.{field}: say `Default: ...` or `Required.`"
    )
