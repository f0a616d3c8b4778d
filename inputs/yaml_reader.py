"""YAML as the project reads it: PyYAML's safe loader, plus the duplicate keys it hides."""

from __future__ import annotations

from typing import Any

import yaml

from inputs.problems import join_path, problem

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (several times faster), else the pure one."""
MERGE_KEY_TAG = "tag:yaml.org,2002:merge"


def load_yaml(text: str, *, file: str) -> tuple[Any, list[str]]:
    """The document, and one problem per duplicate key in any mapping of it.

    PyYAML keeps the last of two equal keys and drops the first without a word, so the same
    secret declared twice, or a stack setting given twice, would silently lose one of them. The
    document is composed once; its nodes are searched for duplicates, then constructed as
    `yaml.load` would. Raises yaml.YAMLError for text that is not YAML.
    """
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        return loader.construct_document(node), duplicate_key_problems(node, file=file)
    finally:
        loader.dispose()


def duplicate_key_problems(node: yaml.Node, *, file: str) -> list[str]:
    """`FILE: PATH: duplicate key 'K' at line L, first at line F; ...` for every duplicate, in
    the order of their lines."""
    problems: list[tuple[int, str]] = []
    pending: list[tuple[yaml.Node, str]] = [(node, "")]
    while pending:
        current, path = pending.pop()
        if isinstance(current, yaml.SequenceNode):
            pending.extend(
                (item, join_path(path, index)) for index, item in enumerate(current.value)
            )
        elif isinstance(current, yaml.MappingNode):
            problems.extend(_mapping_duplicates(current, path=path, file=file))
            pending.extend(
                (value, join_path(path, _key_text(key)))
                for key, value in current.value
                if isinstance(key, yaml.ScalarNode)
            )
    return [text for _, text in sorted(problems)]


def _mapping_duplicates(node: yaml.MappingNode, *, path: str, file: str) -> list[tuple[int, str]]:
    first_lines: dict[tuple[str, str], int] = {}
    problems = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_KEY_TAG:
            continue
        identity = (key.tag, key.value)
        line = key.start_mark.line + 1
        if identity in first_lines:
            problems.append(
                (
                    line,
                    problem(
                        file,
                        join_path(path, key.value),
                        f"duplicate key {key.value!r} at line {line}, first at line "
                        f"{first_lines[identity]}; YAML would keep only the last one, so remove or "
                        "rename one of them",
                    ),
                )
            )
        else:
            first_lines[identity] = line
    return problems


def _key_text(key: yaml.ScalarNode) -> str:
    return str(key.value)
