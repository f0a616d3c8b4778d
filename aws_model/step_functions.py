"""Run an Amazon States Language definition offline: the subset the stack's state machines use.

Semantics of the Amazon States Language specification (JSONPath), for these states: Choice
(`Variable` with `StringEquals`, `BooleanEquals`, `IsPresent`; `And`, `Or`, `Not`), Task
(`Parameters`, `ResultPath`, `Retry`, `Catch`), Pass, Succeed and Fail (`Error`/`Cause` or
`ErrorPath`/`CausePath`). Paths are `$` or `$.a.b`. What it does not model is refused with
StateMachineError rather than answered wrongly: other states, operators, fields or paths.
A Task's work is the `call` the test passes in, which returns the result or raises TaskFailure.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .exceptions import StateMachineError

ALL_ERRORS = "States.ALL"
RUNTIME_ERROR = "States.Runtime"
NAME_LIMIT = 80
_FIELDS = {
    "Choice": {"Type", "Comment", "Choices", "Default"},
    "Task": {
        "Type", "Comment", "Resource", "Parameters", "ResultPath", "Retry", "Catch", "Next",
        "End", "TimeoutSeconds",
    },
    "Pass": {"Type", "Comment", "Result", "ResultPath", "Next", "End"},
    "Succeed": {"Type", "Comment"},
    "Fail": {"Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath"},
}  # fmt: skip
_COMPARISONS = ("StringEquals", "BooleanEquals", "IsPresent")
_RETRIER_FIELDS = {
    "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
    "JitterStrategy",
}  # fmt: skip
_MISSING = object()


class TaskFailure(Exception):
    """What a Task's call raises: an error name (`Ecs.ServerException`) and its cause."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


@dataclass
class Execution:
    """The outcome of one run: SUCCEEDED or FAILED, and every call the Tasks made."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    calls: list[tuple[str, dict]] = field(default_factory=list)
    """(Resource, resolved Parameters) of every attempt, retries included, in order."""
    visited: list[str] = field(default_factory=list)


Call = Callable[[str, dict], Any]


def validate_definition(definition: Mapping[str, Any]) -> None:
    """Raises StateMachineError where Step Functions would reject the definition, or where this
    model cannot run it."""
    if definition.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise StateMachineError("QueryLanguage: only JSONPath is modelled")
    states = definition.get("States")
    if not isinstance(states, Mapping) or not states:
        raise StateMachineError("States: must be a non-empty object")
    if definition.get("StartAt") not in states:
        raise StateMachineError(f"StartAt: {definition.get('StartAt')!r} is not a state")
    for name, state in states.items():
        _validate_state(name, state, states)
    reachable = _reachable(definition["StartAt"], states)
    unreachable = sorted(set(states) - reachable)
    if unreachable:
        raise StateMachineError(f"States: unreachable from StartAt: {unreachable}")


def run(
    definition: Mapping[str, Any],
    execution_input: Any,
    *,
    call: Call,
    max_transitions: int = 1000,
) -> Execution:
    """Run the state machine on `execution_input` as Step Functions would."""
    validate_definition(definition)
    states = definition["States"]
    execution = Execution(status="RUNNING")
    name, data = definition["StartAt"], copy.deepcopy(execution_input)
    for _ in range(max_transitions):
        execution.visited.append(name)
        state = states[name]
        try:
            step = _STEPS[state["Type"]](state, data, execution, call)
        except TaskFailure as failure:
            return _failed(execution, failure.error, failure.cause)
        if isinstance(step, TaskFailure):
            return _failed(execution, step.error, step.cause)
        following, data = step
        if following is None:
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        name = following
    raise StateMachineError(f"more than {max_transitions} transitions: a loop?")


def _failed(execution: Execution, error: str, cause: str) -> Execution:
    execution.status, execution.error, execution.cause = "FAILED", error, cause
    return execution


# --- validation -----------------------------------------------------------------------------


def _validate_state(name: str, state: Any, states: Mapping[str, Any]) -> None:
    if len(name) > NAME_LIMIT:
        raise StateMachineError(f"{name[:20]}...: a state name holds at most {NAME_LIMIT}")
    if not isinstance(state, Mapping) or state.get("Type") not in _FIELDS:
        raise StateMachineError(f"{name}: Type must be one of {sorted(_FIELDS)}")
    unknown = set(state) - _FIELDS[state["Type"]]
    if unknown:
        raise StateMachineError(f"{name}: fields not modelled for {state['Type']}: {unknown}")
    for target in _targets(state):
        if target not in states:
            raise StateMachineError(f"{name}: transition to {target!r}, which is not a state")
    if state["Type"] in ("Task", "Pass") and ("Next" in state) == bool(state.get("End")):
        raise StateMachineError(f"{name}: needs exactly one of Next and End")
    if state["Type"] == "Choice":
        if not state.get("Choices"):
            raise StateMachineError(f"{name}: Choices must be a non-empty list")
        for rule in state["Choices"]:
            _validate_rule(name, rule, top=True)
    if state["Type"] == "Task":
        for retrier in state.get("Retry", []):
            _validate_errors(name, retrier, allowed=_RETRIER_FIELDS)
        for catcher in state.get("Catch", []):
            _validate_errors(name, catcher, allowed={"ErrorEquals", "ResultPath", "Next"})
    if state["Type"] == "Fail":
        for plain, path in (("Error", "ErrorPath"), ("Cause", "CausePath")):
            if plain in state and path in state:
                raise StateMachineError(f"{name}: {plain} and {path} are exclusive")


def _validate_rule(name: str, rule: Any, *, top: bool) -> None:
    if not isinstance(rule, Mapping):
        raise StateMachineError(f"{name}: a Choice rule must be an object")
    if top != ("Next" in rule):
        raise StateMachineError(f"{name}: a top-level Choice rule, and only one, has Next")
    body = {key: value for key, value in rule.items() if key != "Next"}
    if set(body) in ({"And"}, {"Or"}):
        nested = next(iter(body.values()))
        if not isinstance(nested, list) or not nested:
            raise StateMachineError(f"{name}: And/Or take a non-empty list of rules")
        for inner in nested:
            _validate_rule(name, inner, top=False)
        return
    if set(body) == {"Not"}:
        _validate_rule(name, body["Not"], top=False)
        return
    operators = set(body) - {"Variable"}
    if "Variable" not in body or len(operators) != 1 or not operators <= set(_COMPARISONS):
        raise StateMachineError(f"{name}: a rule is Variable and one of {_COMPARISONS}: {body}")
    _path_parts(body["Variable"])


def _validate_errors(name: str, entry: Any, *, allowed: set[str]) -> None:
    if not isinstance(entry, Mapping) or set(entry) - allowed or not entry.get("ErrorEquals"):
        raise StateMachineError(f"{name}: a Retry/Catch entry needs ErrorEquals, got {entry}")
    errors = entry["ErrorEquals"]
    if ALL_ERRORS in errors and len(errors) != 1:
        raise StateMachineError(f"{name}: {ALL_ERRORS} must appear alone in ErrorEquals")


def _targets(state: Mapping[str, Any]) -> list[str]:
    found = [state[key] for key in ("Next", "Default") if key in state]
    found += [rule["Next"] for rule in state.get("Choices", []) if "Next" in rule]
    found += [catcher["Next"] for catcher in state.get("Catch", []) if "Next" in catcher]
    return found


def _reachable(start: str, states: Mapping[str, Any]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _targets(states[name])
    return seen


# --- the states -----------------------------------------------------------------------------

Step = tuple[str | None, Any] | TaskFailure
"""The next state (None: the execution succeeds) and its input, or the execution's failure."""


def _choice(state: Mapping, data: Any, execution: Execution, call: Call) -> Step:
    for rule in state["Choices"]:
        if _holds(rule, data):
            return rule["Next"], data
    if "Default" not in state:
        return TaskFailure("States.NoChoiceMatched", "no Choice rule matched and no Default")
    return state["Default"], data


def _holds(rule: Mapping[str, Any], data: Any) -> bool:
    if "And" in rule:
        return all(_holds(inner, data) for inner in rule["And"])
    if "Or" in rule:
        return any(_holds(inner, data) for inner in rule["Or"])
    if "Not" in rule:
        return not _holds(rule["Not"], data)
    value = _get(data, rule["Variable"])
    if "IsPresent" in rule:
        return (value is not _MISSING) == rule["IsPresent"]
    if value is _MISSING:
        raise TaskFailure(RUNTIME_ERROR, f"Invalid path {rule['Variable']!r}: not found")
    if "StringEquals" in rule:
        return isinstance(value, str) and value == rule["StringEquals"]
    return isinstance(value, bool) and value == rule["BooleanEquals"]


def _task(state: Mapping, data: Any, execution: Execution, call: Call) -> Step:
    parameters = _resolve(state.get("Parameters", {}), data)
    retries: dict[int, int] = {}
    while True:
        execution.calls.append((state["Resource"], parameters))
        try:
            result = call(state["Resource"], copy.deepcopy(parameters))
        except TaskFailure as failure:
            retrier = _first_matching(state.get("Retry", []), failure.error)
            if retrier is not None:
                index = state["Retry"].index(retrier)
                if retries.get(index, 0) < retrier.get("MaxAttempts", 3):
                    retries[index] = retries.get(index, 0) + 1
                    continue
            catcher = _first_matching(state.get("Catch", []), failure.error)
            if catcher is None:
                return failure
            caught = {"Error": failure.error, "Cause": failure.cause}
            return catcher["Next"], _place(data, catcher.get("ResultPath", "$"), caught)
        return _advance(state, _place(data, state.get("ResultPath", "$"), result))


def _pass(state: Mapping, data: Any, execution: Execution, call: Call) -> Step:
    result = copy.deepcopy(state["Result"]) if "Result" in state else data
    return _advance(state, _place(data, state.get("ResultPath", "$"), result))


def _succeed(state: Mapping, data: Any, execution: Execution, call: Call) -> Step:
    return None, data


def _fail(state: Mapping, data: Any, execution: Execution, call: Call) -> Step:
    error = _get(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error")
    cause = _get(data, state["CausePath"]) if "CausePath" in state else state.get("Cause")
    return TaskFailure(
        "" if error in (None, _MISSING) else str(error),
        "" if cause in (None, _MISSING) else str(cause),
    )


def _advance(state: Mapping, data: Any) -> Step:
    return (None if state.get("End") else state["Next"]), data


_STEPS = {"Choice": _choice, "Task": _task, "Pass": _pass, "Succeed": _succeed, "Fail": _fail}


def _first_matching(entries: list[Mapping[str, Any]], error: str) -> Mapping[str, Any] | None:
    for entry in entries:
        if error in entry["ErrorEquals"] or ALL_ERRORS in entry["ErrorEquals"]:
            return entry
    return None


# --- paths ----------------------------------------------------------------------------------


def _path_parts(path: Any) -> list[str]:
    if not isinstance(path, str) or not (path == "$" or path.startswith("$.")):
        raise StateMachineError(f"path {path!r}: only $ and $.a.b are modelled")
    parts = path.split(".")[1:]
    if any(not part or "[" in part or "*" in part for part in parts):
        raise StateMachineError(f"path {path!r}: only $ and $.a.b are modelled")
    return parts


def _get(data: Any, path: str) -> Any:
    value = data
    for part in _path_parts(path):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _place(data: Any, result_path: str | None, result: Any) -> Any:
    """ResultPath: null discards the result, `$` replaces the input, `$.a.b` sets a field."""
    if result_path is None:
        return data
    parts = _path_parts(result_path)
    if not parts:
        return copy.deepcopy(result)
    placed = copy.deepcopy(data)
    if not isinstance(placed, dict):
        raise TaskFailure(RUNTIME_ERROR, f"ResultPath {result_path!r}: the input is no object")
    node = placed
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = copy.deepcopy(result)
    return placed


def _resolve(parameters: Any, data: Any) -> Any:
    """Static values as they are; a key ending in `.$` takes the value at its path."""
    if isinstance(parameters, Mapping):
        resolved = {}
        for key, value in parameters.items():
            if key.endswith(".$"):
                found = _get(data, value)
                if found is _MISSING:
                    raise TaskFailure(RUNTIME_ERROR, f"Invalid path {value!r}: not found")
                resolved[key[:-2]] = copy.deepcopy(found)
            else:
                resolved[key] = _resolve(value, data)
        return resolved
    if isinstance(parameters, list):
        return [_resolve(item, data) for item in parameters]
    return parameters
