"""Turns pydantic validation errors into one-line problems: file, path, what is allowed."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def problem(file: str, path: str, message: str) -> str:
    """The one line every problem is reported as."""
    return f"{file}: {path}: {message}" if path else f"{file}: {message}"


def yaml_problem(file: str, error: Exception) -> str:
    """A YAML syntax error as one line: where, and the parser's words, never the line's text.

    PyYAML's own message quotes the offending line, which may hold a value.
    """
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    words = [getattr(error, "problem", None), getattr(error, "context", None)]
    detail = "; ".join(word for word in words if word) or type(error).__name__
    return problem(file, where, f"not valid YAML: {detail}")


def join_path(*parts: object) -> str:
    return ".".join(str(part) for part in parts if part not in (None, ""))


def from_validation_error(
    exc: ValidationError,
    *,
    file: str,
    path: str,
    model: type[BaseModel],
    echo_input: bool,
    key_prefix: str = "",
) -> list[str]:
    """One problem per pydantic error. `echo_input` is off wherever the input may be a secret.

    `key_prefix` is put before the path without a dot, as in `app-secrets:prefix`.
    """
    return [
        problem(
            file,
            key_prefix + join_path(path, *error["loc"]),
            _message(error, model=model, echo_input=echo_input),
        )
        for error in exc.errors()
    ]


def _message(error: Any, *, model: type[BaseModel], echo_input: bool) -> str:
    kind = error["type"]
    received = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, error["loc"][:-1])
        return f"unknown key; allowed: {', '.join(allowed)}"
    if kind == "value_error":
        message = str(error["ctx"]["error"])
    elif kind == "literal_error":
        message = f"must be one of {error['ctx']['expected']}"
    elif kind in _TYPE_WORDS:
        message = f"must be {_TYPE_WORDS[kind]}"
        if not echo_input:
            return message
        return f"{message}, got {_describe(received)}"
    else:
        message = error["msg"]
    if echo_input and isinstance(received, str | int | float | bool) and "got " not in message:
        message = f"{message}, got {received!r}"
    return message


def _describe(received: object) -> str:
    if isinstance(received, dict):
        return "a mapping"
    if isinstance(received, list):
        return "a list"
    if received is None:
        return "nothing (null)"
    return repr(received)


def _allowed_keys(model: type[BaseModel], loc: Iterable[int | str]) -> list[str]:
    """The keys the model accepts at `loc`, found by walking the field annotations."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strips Optional and Annotated so the walk sees the model or container underneath."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
