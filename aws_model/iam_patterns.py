"""IAM's wildcards, ARN matching and policy variables, over a request context."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

ContextValue = str | bool | int | Sequence[str] | None
Context = dict[str, str | tuple[str, ...]]
"""A request context with lower-cased keys and text values; missing keys are left out."""

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


class UnresolvedVariable(Exception):
    """A policy variable has no value in the request context, so its statement does not apply."""


@lru_cache(maxsize=4096)
def glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile an IAM wildcard pattern; a backslash makes the next character literal."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def written_wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a pattern as a policy writes it: `*` and `?` are wildcards, backslash is literal."""
    return glob(escape_backslashes(pattern), ignore_case=ignore_case)


@lru_cache(maxsize=65536)
def arn_matches(pattern: str, arn: str) -> bool:
    """Match each of the six colon-separated ARN segments on its own, as IAM does."""
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if len(pattern_parts) == 6 and len(arn_parts) == 6:
        return all(
            _segment_matches(part, value)
            for part, value in zip(pattern_parts, arn_parts, strict=True)
        )
    return glob(pattern).fullmatch(arn) is not None


def _segment_matches(part: str, value: str) -> bool:
    """`glob(part).fullmatch(value)`, without compiling a pattern when `part` has no `*` or
    backslash: then each character matches itself, and `?` any one character. A report
    matches hundreds of distinct one-secret patterns once each."""
    if "*" in part or "\\" in part:
        return glob(part).fullmatch(value) is not None
    return len(part) == len(value) and all(
        wanted in ("?", got) for wanted, got in zip(part, value, strict=True)
    )


def escape_backslashes(text: str) -> str:
    return text.replace("\\", "\\\\")


def _escape_value(text: str) -> str:
    return re.sub(r"([\\*?])", r"\\\1", text)


def substitute(template: str, context: Context, *, as_pattern: bool, enabled: bool) -> str:
    """Replace ``${key}`` and ``${key, 'default'}`` from the context; literal in Version 2008."""
    literal = escape_backslashes if as_pattern else str
    if not enabled:
        return literal(template)
    parts: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(template):
        value = _variable_value(found.group(1), context)
        parts += [literal(template[position : found.start()])]
        parts += [_escape_value(value) if as_pattern else value]
        position = found.end()
    parts.append(literal(template[position:]))
    return "".join(parts)


def _variable_value(body: str, context: Context) -> str:
    if body in _LITERAL_VARIABLES:
        return _LITERAL_VARIABLES[body]
    key, has_default, default = body.partition(",")
    value = context.get(key.strip().lower())
    if isinstance(value, str):
        return value
    default = default.strip()
    if has_default and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    # Missing, or multivalued (AWS does not allow multivalued keys as variables).
    raise UnresolvedVariable(key)


def normalize_context(context: Mapping[str, ContextValue]) -> Context:
    normalized: Context = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, str | bool | int | float):
            normalized[key.lower()] = as_text(value, key)
        else:
            normalized[key.lower()] = tuple(as_text(item, key) for item in value)
    return normalized


def as_text(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"{where}: must be a string, boolean or number, got {type(value).__name__}")
