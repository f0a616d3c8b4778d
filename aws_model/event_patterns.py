"""EventBridge event-pattern matching, as a pure function, to test the stack's alert rules."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .exceptions import EventPatternError

_OPERATORS = (
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
)
_NUMERIC_OPERATORS = ("<", "<=", "=", ">=", ">")
_MISSING = object()


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether EventBridge would deliver `event` to a rule with `pattern`.

    The semantics of Amazon EventBridge (and aws/event-ruler, the library behind it):

    - every field the pattern names must match (AND); the pattern's array for a field matches
      when any of its entries matches (OR); `$or` takes a list of sub-patterns, one must match;
    - a nested object in the pattern walks into the event's object of that name;
    - an array in the event matches when any of its elements matches, and arrays of objects are
      "crushed" (each object's fields count as the parent's);
    - values are matched by JSON type: "1" is not 1, `null` matches only JSON null (not an
      absent field, not ""), and numbers compare by value (300 equals 3.0e2);
    - `prefix`, `suffix`, `equals-ignore-case` and `wildcard` match strings only; `numeric`
      only numbers; `cidr` only IP address strings;
    - `anything-but` needs the field present and matches every value not listed;
    - `exists: true` needs at least one leaf value (null counts; an empty array or an object
      does not), `exists: false` matches when there is none.

    Not modelled: array-consistent matching of several fields in the same array element
    (the stack's rules never name two fields inside one array).
    """
    validate_pattern(pattern)
    return _object_matches(pattern, event)


def validate_pattern(pattern: Any, path: str = "") -> None:
    """Raises EventPatternError where EventBridge would reject the pattern."""
    if not isinstance(pattern, Mapping):
        raise EventPatternError(f"{path or 'pattern'}: must be a JSON object")
    if not pattern and not path:
        raise EventPatternError("pattern: must name at least one field")
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if key == "$or" and _is_or(value):
            for index, branch in enumerate(value):
                validate_pattern(branch, f"{where}[{index}]")
        elif isinstance(value, Mapping):
            validate_pattern(value, where)
        elif isinstance(value, list):
            if not value:
                raise EventPatternError(f"{where}: an empty array matches nothing")
            for matcher in value:
                _validate_matcher(matcher, where)
        else:
            raise EventPatternError(
                f"{where}: leaf values must be arrays, e.g. [{_json_like(value)}]"
            )


def _is_or(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(branch, Mapping) for branch in value)
    )


def _json_like(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _validate_matcher(matcher: Any, where: str) -> None:
    if not isinstance(matcher, Mapping):
        if isinstance(matcher, list):
            raise EventPatternError(f"{where}: arrays cannot nest")
        return
    if len(matcher) != 1:
        raise EventPatternError(f"{where}: a matcher object takes exactly one operator")
    ((operator, operand),) = matcher.items()
    if operator not in _OPERATORS:
        raise EventPatternError(
            f"{where}: unknown operator {operator!r}; allowed: {', '.join(_OPERATORS)}"
        )
    if operator == "exists" and not isinstance(operand, bool):
        raise EventPatternError(f"{where}: exists takes true or false")
    if operator in ("prefix", "suffix") and not (
        isinstance(operand, str) or _is_ignore_case(operand)
    ):
        raise EventPatternError(f"{where}: {operator} takes a string")
    if operator in ("equals-ignore-case", "wildcard", "cidr") and not isinstance(operand, str):
        raise EventPatternError(f"{where}: {operator} takes a string")
    if operator == "numeric":
        _numeric_bounds(operand, where)
    if operator == "anything-but":
        _validate_anything_but(operand, where)


def _is_ignore_case(operand: Any) -> bool:
    return (
        isinstance(operand, Mapping)
        and set(operand) == {"equals-ignore-case"}
        and isinstance(operand["equals-ignore-case"], str)
    )


def _validate_anything_but(operand: Any, where: str) -> None:
    if isinstance(operand, Mapping):
        if len(operand) != 1 or next(iter(operand)) not in (
            "prefix",
            "suffix",
            "equals-ignore-case",
            "wildcard",
        ):
            raise EventPatternError(
                f"{where}: anything-but takes a value, a list, or one of prefix, suffix, "
                "equals-ignore-case, wildcard"
            )
        return
    values = operand if isinstance(operand, list) else [operand]
    kinds = {"number" if _is_number(value) else type(value).__name__ for value in values}
    if not values or not kinds <= {"str", "number"} or len(kinds) != 1:
        raise EventPatternError(
            f"{where}: anything-but takes strings only or numbers only, got {operand!r}"
        )


def _numeric_bounds(operand: Any, where: str) -> list[tuple[str, float]]:
    if not isinstance(operand, list) or not operand or len(operand) % 2:
        raise EventPatternError(f"{where}: numeric takes pairs such as ['>', 0, '<=', 5]")
    bounds = []
    for operator, number in zip(operand[::2], operand[1::2], strict=True):
        if operator not in _NUMERIC_OPERATORS or not _is_number(number):
            raise EventPatternError(
                f"{where}: numeric takes {', '.join(_NUMERIC_OPERATORS)} each followed by "
                f"a number, got {operator!r} {number!r}"
            )
        bounds.append((operator, float(number)))
    return bounds


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _object_matches(pattern: Mapping[str, Any], event: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or" and _is_or(expected):
            if not any(_object_matches(branch, event) for branch in expected):
                return False
            continue
        values = _children(event, key)
        if isinstance(expected, Mapping):
            # The objects found (arrays crushed) act as one: their fields count as the parent's.
            if not _object_matches(expected, values):
                return False
        elif not _field_matches(expected, _leaves(values)):
            return False
    return True


def _children(event: Any, key: str) -> list[Any]:
    """The values under `key`, with arrays of objects crushed into their elements."""
    containers = event if isinstance(event, list) else [event]
    found = []
    for container in containers:
        if isinstance(container, list):
            found += _children(container, key)
        elif isinstance(container, Mapping) and key in container:
            found.append(container[key])
    return found


def _leaves(values: Sequence[Any]) -> list[Any]:
    """Scalar values (null included) found at the path, arrays flattened, objects left out."""
    leaves = []
    for value in values:
        if isinstance(value, list):
            leaves += _leaves(value)
        elif not isinstance(value, Mapping):
            leaves.append(value)
    return leaves


def _field_matches(matchers: list[Any], leaves: list[Any]) -> bool:
    for matcher in matchers:
        if isinstance(matcher, Mapping) and "exists" in matcher:
            if matcher["exists"] == bool(leaves):
                return True
        elif any(_value_matches(matcher, leaf) for leaf in leaves):
            return True
    return False


def _value_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return _equal(matcher, value)
    ((operator, operand),) = matcher.items()
    if operator == "anything-but":
        return _anything_but(operand, value)
    if operator == "numeric":
        return _is_number(value) and _in_range(_numeric_bounds(operand, ""), float(value))
    if not isinstance(value, str):
        return False
    if operator == "cidr":
        return _in_network(operand, value)
    return _string_matches(operator, operand, value=value)


def _string_matches(operator: str, operand: Any, *, value: str) -> bool:
    if _is_ignore_case(operand):
        operand, value = operand["equals-ignore-case"].casefold(), value.casefold()
    if operator == "prefix":
        return value.startswith(operand)
    if operator == "suffix":
        return value.endswith(operand)
    if operator == "equals-ignore-case":
        return value.casefold() == operand.casefold()
    if operator == "wildcard":
        return _wildcard(operand).fullmatch(value) is not None
    return False


def _equal(expected: Any, value: Any) -> bool:
    if _is_number(expected) or _is_number(value):
        return _is_number(expected) and _is_number(value) and math.isclose(expected, value)
    return type(expected) is type(value) and expected == value


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, Mapping):
        ((operator, inner),) = operand.items()
        if not isinstance(value, str):
            return False
        return not _string_matches(operator, inner, value=value)
    excluded = operand if isinstance(operand, list) else [operand]
    return not any(_equal(item, value) for item in excluded)


def _in_range(bounds: list[tuple[str, float]], number: float) -> bool:
    checks = {
        "<": number.__lt__,
        "<=": number.__le__,
        "=": number.__eq__,
        ">=": number.__ge__,
        ">": number.__gt__,
    }
    return all(checks[operator](limit) for operator, limit in bounds)


def _in_network(cidr: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _wildcard(expression: str) -> re.Pattern[str]:
    parts, index = [], 0
    while index < len(expression):
        char = expression[index]
        if char == "\\" and index + 1 < len(expression):
            parts.append(re.escape(expression[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)
