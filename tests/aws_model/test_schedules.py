"""Tests for policies.schedules: the longest and shortest gaps of rate() and cron() expressions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aws_model.exceptions import ScheduleError
from aws_model.schedules import longest_gap, shortest_gap


@pytest.mark.parametrize(
    ("expression", "days", "hours"),
    [
        ("rate(30 days)", 30, 0),
        ("rate(1 day)", 1, 0),
        ("rate(4 hours)", 0, 4),
        ("RATE( 90 days )", 90, 0),
        ("cron(0 16 1,15 * ? *)", 17, 0),  # the 15th to the 1st of a 31-day month
        ("cron(0 0 ? * * *)", 1, 0),
        ("cron(0 0 ? * MON-FRI *)", 3, 0),  # Friday to Monday
        ("cron(0 0 ? * FRI-MON *)", 4, 0),  # a wrapping weekday range: Monday to Friday
        ("cron(0 4,20 ? * SUN *)", 6, 8),  # Sunday 20:00 to next Sunday 04:00
        ("cron(0 0 ? * 2#1 *)", 35, 0),  # first Monday of each month
        ("cron(0 0 L * ? *)", 31, 0),  # last day of each month
        ("cron(0 12 LW * ? *)", 33, 0),  # last weekday of each month
        ("cron(0 0 1W * ? *)", 33, 0),  # weekday nearest the 1st
        ("cron(0 0 31 * ? *)", 61, 0),  # only months with 31 days
        ("cron(0 3 1 JAN,APR,JUL,OCT ? *)", 92, 0),  # quarterly: too long by two days
        ("cron(0 8 1 */3 ? *)", 92, 0),
        ("cron(0 0 1 1 ? *)", 366, 0),  # yearly, across a leap day
        ("cron(0 0 29 2 ? *)", 1461, 0),  # leap days only
        ("cron(*/5 * * * ? *)", 0, 0),
    ],
)
def test_longest_gap(expression: str, days: int, hours: int) -> None:
    expected = timedelta(days=days, hours=hours) if days or hours else timedelta(minutes=5)

    assert longest_gap(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(30 days)", timedelta(days=30)),
        ("rate(4 hours)", timedelta(hours=4)),
        ("cron(0 16 1,15 * ? *)", timedelta(days=14)),  # the 1st to the 15th
        ("cron(0 0 ? * MON-FRI *)", timedelta(days=1)),
        ("cron(0 4,20 ? * SUN *)", timedelta(hours=16)),  # Sunday 04:00 to 20:00
        ("cron(0 0 L * ? *)", timedelta(days=28)),  # the end of January to the end of February
        ("cron(0 0 1 1 ? *)", timedelta(days=365)),
        ("cron(*/5 * * * ? *)", timedelta(minutes=5)),
    ],
)
def test_shortest_gap(expression: str, expected: timedelta) -> None:
    assert shortest_gap(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("every 30 days", "expected rate"),
        ("rate(0 days)", "at least 1"),
        ("rate(30 minutes)", "expected rate"),
        ("cron(0 0 1 * ?)", "6 fields"),
        ("cron(0 0 1 1 ? 2025)", "only '\\*' keeps rotating"),
        ("cron(0 0 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 25 1 * ? *)", "outside 0-23"),
        ("cron(0 0 ? * MON#6 *)", "occurrence 1-5"),
        ("cron(0 0 ? * FOO *)", "cannot read"),
        ("cron(0 0 30 2 ? *)", "matches no day"),
    ],
)
def test_rejects_schedules_aws_would_reject_or_that_stop(expression: str, expected: str) -> None:
    with pytest.raises(ScheduleError, match=expected):
        longest_gap(expression)
