"""IAM condition operators: parsing a Condition block and deciding whether it holds."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .exceptions import PolicyError, UnsupportedConditionOperatorError
from .iam_patterns import Context, arn_matches, as_text, glob, substitute

_SET_OPERATORS = ("ForAnyValue", "ForAllValues")


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def matches(value: str, wanted: str) -> bool:
        try:
            return compare(float(value), float(wanted))
        except ValueError:
            return False  # A context value that is not a number never matches.

    return matches


# Positive operators: (context value, policy value) -> bool. Policy values are ORed.
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.casefold() == wanted.casefold(),
    "StringLike": lambda value, wanted: glob(wanted).fullmatch(value) is not None,
    # AWS documents ArnEquals and ArnLike identically: both accept * and ? per ARN segment.
    "ArnEquals": lambda value, wanted: arn_matches(wanted, value),
    "ArnLike": lambda value, wanted: arn_matches(wanted, value),
    "Bool": lambda value, wanted: value.lower() == wanted.lower(),
    "NumericEquals": _numeric(operator.eq),
    "NumericLessThan": _numeric(operator.lt),
    "NumericLessThanEquals": _numeric(operator.le),
    "NumericGreaterThan": _numeric(operator.gt),
    "NumericGreaterThanEquals": _numeric(operator.ge),
}
# Negated operators are true when no policy value matches, and when the key is missing.
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}
# Operators whose policy values are patterns: a variable's value must not act as a wildcard there.
_PATTERN_OPERATORS = frozenset({"StringLike", "ArnEquals", "ArnLike"})
_SUPPORTED_OPERATORS = ", ".join(sorted([*_POSITIVE, *_NEGATED, "Null"]))


@dataclass(frozen=True)
class Condition:
    """One condition key under one operator, e.g. ``StringEquals: {aws:PrincipalTag/team: x}``."""

    operator: str
    base: str
    negated: bool
    if_exists: bool
    set_operator: str | None
    key: str
    values: tuple[str, ...]


def parse_conditions(raw: object, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: must be an object of operators, got {raw!r}")
    conditions: list[Condition] = []
    for operator_name, block in raw.items():
        set_operator, base, negated, if_exists = _parse_operator(operator_name, where)
        if not isinstance(block, Mapping) or not block:
            raise PolicyError(
                f"{where}.{operator_name}: must be an object of condition keys, got {block!r}"
            )
        for key, values in block.items():
            key_where = f"{where}.{operator_name}.{key}"
            conditions.append(
                Condition(
                    operator=operator_name,
                    base=base,
                    negated=negated,
                    if_exists=if_exists,
                    set_operator=set_operator,
                    key=key.lower(),
                    values=_condition_values(values, base, where=key_where),
                )
            )
    return tuple(conditions)


def _parse_operator(name: str, where: str) -> tuple[str | None, str, bool, bool]:
    """Split ``ForAnyValue:StringLikeIfExists`` into (set operator, base, negated, if_exists)."""
    prefix, _, rest = name.rpartition(":")
    if_exists = rest.endswith("IfExists")
    written = rest.removesuffix("IfExists")
    known = written in _POSITIVE or written in _NEGATED or written == "Null"
    if prefix not in ("", *_SET_OPERATORS) or not known:
        raise UnsupportedConditionOperatorError(
            f"{where}: unsupported condition operator {name!r}; supported: {_SUPPORTED_OPERATORS}, "
            "optionally with an IfExists suffix and a ForAnyValue: or ForAllValues: prefix"
        )
    if written == "Null" and (prefix or if_exists):
        raise UnsupportedConditionOperatorError(
            f"{where}: unsupported condition operator {name!r}; Null takes no prefix or suffix"
        )
    return prefix or None, _NEGATED.get(written, written), written in _NEGATED, if_exists


def _condition_values(values: object, base: str, *, where: str) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [values]
    if not items or not all(isinstance(item, str | bool | int | float) for item in items):
        raise PolicyError(f"{where}: must be a value or a non-empty list of values, got {values!r}")
    texts = tuple(as_text(item, where) for item in items)
    for text in texts:
        if "${" in text:
            continue
        if base in ("Null", "Bool") and text.lower() not in ("true", "false"):
            raise PolicyError(f'{where}: {base} takes "true" or "false", got {text!r}')
        if base.startswith("Numeric") and not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise PolicyError(f"{where}: {base} takes numbers, got {text!r}")
    return texts


def condition_holds(condition: Condition, context: Context, *, uses_variables: bool) -> bool:
    """Whether the request context satisfies the condition (``${...}`` resolved when enabled)."""
    wanted = [
        substitute(
            value,
            context,
            as_pattern=condition.base in _PATTERN_OPERATORS,
            enabled=uses_variables,
        )
        for value in condition.values
    ]
    present = context.get(condition.key)
    values = () if present is None else (present,) if isinstance(present, str) else present
    if condition.base == "Null":
        return any((value.lower() == "true") == (not values) for value in wanted)
    if not values:
        if condition.if_exists or condition.set_operator == "ForAllValues":
            return True
        return condition.negated and condition.set_operator is None

    match = _POSITIVE[condition.base]

    def satisfied(value: str) -> bool:
        return any(match(value, policy_value) for policy_value in wanted) != condition.negated

    if condition.set_operator == "ForAllValues":
        return all(satisfied(value) for value in values)
    if condition.set_operator == "ForAnyValue":
        return any(satisfied(value) for value in values)
    # A multivalued key without a set operator: the key matches if any of its values matches.
    matched = any(match(value, policy_value) for value in values for policy_value in wanted)
    return matched != condition.negated
