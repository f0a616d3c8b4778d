"""verify's pure checks: a deployed rotation schedule against the catalog's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inputs.catalog import RotationSpec
from secretsctl.verify_checks import rotation_window, schedule_problem


@pytest.mark.parametrize(
    ("rotation", "rules", "problem"),
    [
        ({"every_days": 30}, {"AutomaticallyAfterDays": 30}, None),
        ({"every_days": 30}, {"ScheduleExpression": "rate(30 days)"}, None),
        ({"schedule": "rate(7 days)"}, {"AutomaticallyAfterDays": 7}, None),
        ({"schedule": "cron(0 8 1 * ? *)"}, {"ScheduleExpression": "cron(0 8 1 * ? *)"}, None),
        (
            {"schedule": "cron(0 8 1 * ? *)"},
            {"ScheduleExpression": "cron(0 9 1 * ? *)"},
            "schedule is cron(0 9 1 * ? *); the catalog says cron(0 8 1 * ? *)",
        ),
        ({"every_days": 30}, {}, "schedule is none; the catalog says every 30 days"),
    ],
)
def test_schedule_problem(rotation, rules, problem):
    spec = RotationSpec.model_validate({**rotation, "strategy": "token"})

    assert schedule_problem(spec, rules) == problem


def test_rotation_window_follows_days_rates_and_crons():
    def window(**rotation):
        return rotation_window(RotationSpec.model_validate({**rotation, "strategy": "token"}))

    assert window(every_days=30) == timedelta(days=30)
    assert window(schedule="rate(12 hours)") == timedelta(hours=12)
    assert window(schedule="cron(0 8 1 * ? *)") == timedelta(days=31)
