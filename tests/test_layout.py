"""The layout holds: layers import downwards only, modules stay small, __init__ re-exports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {
    "inputs",
    "design",
    "components",
    "aws_model",
    "policies",
    "rotation",
    "secretsctl",
}
MAY_IMPORT = {
    "inputs": {"inputs"},
    "aws_model": {"aws_model"},
    "design": {"design", "inputs", "rotation.settings", "aws_model"},
    "components": {"components", "design", "inputs"},
    "policies": {"policies", "aws_model"},
    "rotation": {"rotation"},
    "secretsctl": {"secretsctl", "inputs", "design", "aws_model", "policies", "rotation"},
}
"""Each layer and what it may import of the project: YAML -> inputs -> design -> components."""
NO_PULUMI = ("inputs", "design", "aws_model", "rotation")
MODULE_LINE_LIMIT = 400
SOURCES = sorted(
    path
    for package in PROJECT_PACKAGES
    for path in (ROOT / package).rglob("*.py")
    if "__pycache__" not in path.parts
)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_sources_in_every_layer():
    assert {path.relative_to(ROOT).parts[0] for path in SOURCES} == PROJECT_PACKAGES


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_imports_go_down_the_layers_only(path):
    layer = path.relative_to(ROOT).parts[0]
    allowed = MAY_IMPORT[layer]
    project = {
        module for module in imported_modules(path) if module.split(".")[0] in PROJECT_PACKAGES
    }

    wrong = sorted(
        module
        for module in project
        if module.split(".")[0] not in allowed and module not in allowed
    )
    assert wrong == [], f"{relative(path)} ({layer}) may import only {sorted(allowed)}"


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if p.relative_to(ROOT).parts[0] in NO_PULUMI], ids=relative
)
def test_the_pure_layers_never_import_pulumi(path):
    pulumi = sorted(m for m in imported_modules(path) if m.split(".")[0].startswith("pulumi"))
    assert pulumi == [], relative(path)


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINE_LIMIT, f"{relative(path)} has {lines} lines: split it by concern"


@pytest.mark.parametrize("path", [p for p in SOURCES if p.name == "__init__.py"], ids=relative)
def test_package_inits_only_re_export(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    for node in body:
        exported = isinstance(node, ast.Assign) and [
            target.id for target in node.targets if isinstance(target, ast.Name)
        ] == ["__all__"]
        assert isinstance(node, ast.Import | ast.ImportFrom) or exported, (
            f"{relative(path)}:{node.lineno}: an __init__ holds imports and __all__ only"
        )


def test_main_is_wiring_only():
    code = [
        line
        for line in (ROOT / "__main__.py").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(code) <= 60
    assert "import pulumi_aws" not in "\n".join(code)
