"""The States Language runner: the documented semantics of the states the stack uses."""

from __future__ import annotations

import pytest

from aws_model.exceptions import StateMachineError
from aws_model.step_functions import TaskFailure, run, validate_definition

TASK = "arn:aws:states:::aws-sdk:ecs:updateService"


def machine(states: dict, start: str | None = None) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states}


def task(**fields) -> dict:
    return {"Type": "Task", "Resource": TASK, **fields}


def calls_to(failures: list[str | None]):
    """A Task's call that fails with each error of `failures` in turn (None: it succeeds)."""
    queue = list(failures)

    def call(resource: str, parameters: dict) -> dict:
        error = queue.pop(0) if queue else None
        if error:
            raise TaskFailure(error, f"{error} on {parameters}")
        return {"ok": parameters}

    return call


CHOOSE = machine(
    {
        "Pick": {
            "Type": "Choice",
            "Choices": [
                {
                    "Or": [
                        {"Variable": "$.detail.id", "StringEquals": "a"},
                        {"Variable": "$.detail.id", "StringEquals": "b"},
                    ],
                    "Next": "AorB",
                },
                {
                    "And": [
                        {"Variable": "$.flag", "BooleanEquals": True},
                        {"Not": {"Variable": "$.detail.id", "StringEquals": "c"}},
                    ],
                    "Next": "Flagged",
                },
                {"Variable": "$.extra", "IsPresent": True, "Next": "Extra"},
            ],
            "Default": "Other",
        },
        "AorB": {"Type": "Succeed"},
        "Flagged": {"Type": "Succeed"},
        "Extra": {"Type": "Succeed"},
        "Other": {"Type": "Succeed"},
    }
)


@pytest.mark.parametrize(
    ("data", "chosen"),
    [
        ({"detail": {"id": "a"}, "flag": False}, "AorB"),
        ({"detail": {"id": "b"}, "flag": True}, "AorB"),
        ({"detail": {"id": "x"}, "flag": True}, "Flagged"),
        ({"detail": {"id": "c"}, "flag": True, "extra": 1}, "Extra"),
        ({"detail": {"id": "c"}, "flag": False}, "Other"),
        ({"detail": {"id": 1}, "flag": "true"}, "Other"),  # by JSON type: 1 is not "1"
    ],
)
def test_choice_takes_the_first_rule_that_holds(data, chosen):
    execution = run(CHOOSE, data, call=calls_to([]))

    assert execution.visited == ["Pick", chosen]
    assert execution.status == "SUCCEEDED"


def test_a_comparison_on_a_missing_path_is_a_runtime_error():
    execution = run(CHOOSE, {"detail": {}}, call=calls_to([]))

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_a_choice_without_a_match_or_default_fails():
    definition = machine(
        {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "StringEquals": "y", "Next": "End"}],
            },
            "End": {"Type": "Succeed"},
        }
    )

    assert run(definition, {"x": "z"}, call=calls_to([])).error == "States.NoChoiceMatched"


def test_a_task_resolves_its_parameters_and_places_its_result():
    definition = machine(
        {
            "Call": task(
                Parameters={"Fixed": True, "Id.$": "$.detail.id", "Nested": {"N.$": "$.n"}},
                ResultPath="$.result.call",
                End=True,
            )
        }
    )

    execution = run(definition, {"detail": {"id": "a"}, "n": 3}, call=calls_to([None]))

    expected = {"Fixed": True, "Id": "a", "Nested": {"N": 3}}
    assert execution.calls == [(TASK, expected)]
    assert execution.output["result"]["call"] == {"ok": expected}
    assert execution.output["detail"] == {"id": "a"}


def test_result_path_null_keeps_the_input():
    definition = machine({"Call": task(ResultPath=None, End=True)})

    assert run(definition, {"a": 1}, call=calls_to([None])).output == {"a": 1}


def test_a_retrier_retries_max_attempts_times_then_the_catcher_takes_over():
    definition = machine(
        {
            "Call": task(
                Retry=[{"ErrorEquals": ["Ecs.ThrottlingException"], "MaxAttempts": 2}],
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failed", "Next": "F"}],
                Next="S",
            ),
            "F": {"Type": "Fail", "ErrorPath": "$.failed.Error", "CausePath": "$.failed.Cause"},
            "S": {"Type": "Succeed"},
        }
    )
    throttled = ["Ecs.ThrottlingException"] * 3

    execution = run(definition, {}, call=calls_to(throttled))

    assert len(execution.calls) == 3  # the first attempt and two retries
    assert (execution.status, execution.error) == ("FAILED", "Ecs.ThrottlingException")
    assert execution.visited == ["Call", "F"]


def test_a_retried_call_that_then_succeeds_goes_on():
    definition = machine(
        {
            "Call": task(Retry=[{"ErrorEquals": ["Ecs.ServerException"]}], Next="S"),
            "S": {"Type": "Succeed"},
        }
    )

    execution = run(definition, {}, call=calls_to(["Ecs.ServerException", None]))

    assert (execution.status, len(execution.calls)) == ("SUCCEEDED", 2)


def test_an_error_no_retrier_names_is_not_retried_and_uncaught_fails_the_execution():
    definition = machine({"Call": task(Retry=[{"ErrorEquals": ["Ecs.ServerException"]}], End=True)})

    execution = run(definition, {}, call=calls_to(["Ecs.AccessDeniedException"]))

    assert (execution.status, len(execution.calls)) == ("FAILED", 1)
    assert execution.error == "Ecs.AccessDeniedException"


def test_a_runtime_error_is_not_caught_by_states_all():
    definition = machine(
        {
            "Call": task(
                Parameters={"Id.$": "$.missing"},
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "S"}],
                Next="S",
            ),
            "S": {"Type": "Succeed"},
        }
    )

    execution = run(definition, {}, call=calls_to([None]))

    assert (execution.status, execution.error, execution.calls) == ("FAILED", "States.Runtime", [])


def test_pass_and_fail_with_constant_error():
    definition = machine(
        {
            "Set": {"Type": "Pass", "Result": {"v": 1}, "ResultPath": "$.set", "Next": "Stop"},
            "Stop": {"Type": "Fail", "Error": "Custom.Error", "Cause": "because"},
        }
    )

    execution = run(definition, {}, call=calls_to([]))

    assert (execution.error, execution.cause) == ("Custom.Error", "because")


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (machine({"A": {"Type": "Wait", "Seconds": 1, "End": True}}), "Type must be one of"),
        (machine({"A": task(Next="Nowhere")}), "not a state"),
        (machine({"A": task(End=True), "B": {"Type": "Succeed"}}), "unreachable"),
        (machine({"A": task(Next="B", End=True), "B": {"Type": "Succeed"}}), "exactly one"),
        (machine({"A": task()}), "exactly one"),
        (machine({"A": task(End=True, Foo=1)}), "not modelled"),
        (machine({"A": task(End=True, Catch=[{"ErrorEquals": ["States.ALL", "X"], "Next": "A"}])}),
         "alone"),
        (machine({"A": {"Type": "Choice", "Choices": []}}), "non-empty"),
        (machine({"A": {"Type": "Choice", "Choices": [
            {"Variable": "$.x[0]", "StringEquals": "y", "Next": "A"}]}}), r"only \$ and"),
        (machine({"A": {"Type": "Choice", "Choices": [
            {"Variable": "$.x", "NumericEquals": 1, "Next": "A"}]}}), "one of"),
        (machine({"A": {"Type": "Choice", "Choices": [
            {"Or": [{"Variable": "$.x", "StringEquals": "y", "Next": "A"}], "Next": "A"}]}}),
         "only one, has Next"),
        (machine({"A" * 81: {"Type": "Succeed"}}), "at most 80"),
        (machine({"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}), "exclusive"),
        ({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}, "StartAt"),
        ({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
         "JSONPath"),
    ],
)  # fmt: skip
def test_rejects_what_step_functions_rejects_or_the_model_cannot_run(definition, message):
    with pytest.raises(StateMachineError, match=message):
        validate_definition(definition)
