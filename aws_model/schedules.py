"""The longest and shortest intervals between runs of a rotation schedule (rate or cron)."""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

from aws_model.exceptions import ScheduleError

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE | re.DOTALL)

_MONTHS = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

# One 28-year cycle: inside 1901-2099 every date falls on the same weekday 28 years later,
# so the gaps seen here are the gaps of any later year this schedule will meet.
_CYCLE_START = date(2001, 1, 1)
_CYCLE_YEARS = 28


def longest_gap(expression: str) -> timedelta:
    """The longest time between two consecutive rotations the expression schedules.

    `rate(N days|hours)`, or AWS's six-field `cron(minutes hours day-of-month month
    day-of-week year)` with `, - * / ?` and `L`, `W`, `#`. A cron whose year field is not
    `*` eventually stops rotating, so it raises ScheduleError.
    """
    return max(_gaps(expression))


def shortest_gap(expression: str) -> timedelta:
    """The shortest time between two consecutive rotations the expression schedules.

    The same expressions as `longest_gap`, and the same ScheduleError.
    """
    return min(_gaps(expression))


def _gaps(expression: str) -> list[timedelta]:
    """Every distinct time between two consecutive scheduled rotations."""
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2).lower()
        if count < 1:
            raise ScheduleError(f"{expression!r}: the rate must be at least 1")
        return [timedelta(days=count) if unit.startswith("day") else timedelta(hours=count)]
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleError(f"{expression!r}: expected rate(N days|hours) or cron(...)")
    return _cron_gaps(expression, cron.group(1).split())


def _cron_gaps(expression: str, fields: list[str]) -> list[timedelta]:
    if len(fields) != 6:
        raise ScheduleError(f"{expression!r}: cron needs 6 fields, got {len(fields)}")
    minute_f, hour_f, dom_f, month_f, dow_f, year_f = fields
    if year_f != "*":
        raise ScheduleError(
            f"{expression!r}: the year field is {year_f!r}; only '*' keeps rotating forever"
        )
    if (dom_f == "?") == (dow_f == "?"):
        raise ScheduleError(f"{expression!r}: exactly one of day-of-month and day-of-week is '?'")
    fields_of = _CronFields(expression)
    minutes = fields_of.values(minute_f, low=0, high=59)
    hours = fields_of.values(hour_f, low=0, high=23)
    months = fields_of.values(month_f, low=1, high=12, names=_MONTHS)
    runs_on = fields_of.day_of_month(dom_f) if dow_f == "?" else fields_of.day_of_week(dow_f)
    first, last = time(min(hours), min(minutes)), time(max(hours), max(minutes))

    cycle_end = _CYCLE_START.replace(year=_CYCLE_START.year + _CYCLE_YEARS)
    run_days = [
        day for day in _days(_CYCLE_START, cycle_end) if day.month in months and runs_on(day)
    ]
    if not run_days:
        raise ScheduleError(f"{expression!r}: matches no day at all")
    # The cycle repeats, so the gap after the last day wraps to the first day of the next cycle.
    wrapped = run_days[0].replace(year=run_days[0].year + _CYCLE_YEARS)
    gaps = [
        datetime.combine(later, first) - datetime.combine(earlier, last)
        for earlier, later in zip(run_days, [*run_days[1:], wrapped], strict=True)
    ]
    return [*gaps, *_gaps_within_day(sorted(hours), sorted(minutes))]


def _gaps_within_day(hours: list[int], minutes: list[int]) -> list[timedelta]:
    times = [hour * 60 + minute for hour in hours for minute in minutes]
    return [timedelta(minutes=later - earlier) for earlier, later in itertools.pairwise(times)]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


DayTest = Callable[[date], bool]


class _CronFields:
    """Reads the fields of one cron expression; errors quote the whole expression."""

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def values(
        self, text: str, *, low: int, high: int, names: Mapping[str, int] | None = None
    ) -> frozenset[int]:
        """`*`, `n`, `a-b`, `a/step`, `a-b/step` or `*/step`, joined by commas."""
        names = names or {}
        result: set[int] = set()
        for part in text.split(","):
            base, _, step_text = part.partition("/")
            step = self.number(step_text) if step_text else 1
            if base == "*":
                start, stop = low, high
            elif "-" in base:
                start_text, _, stop_text = base.partition("-")
                start, stop = self.number(start_text, names), self.number(stop_text, names)
            else:
                start = self.number(base, names)
                stop = high if step_text else start
            if not (low <= start <= high and low <= stop <= high) or step < 1:
                raise ScheduleError(f"{self.expression!r}: {part!r} is outside {low}-{high}")
            if start <= stop:
                result.update(range(start, stop + 1, step))
            else:  # a range that wraps, e.g. FRI-MON or NOV-FEB
                span = [*range(start, high + 1), *range(low, stop + 1)]
                result.update(span[::step])
        return frozenset(result)

    def number(self, text: str, names: Mapping[str, int] | None = None) -> int:
        key = text.strip().upper()
        if names and key in names:
            return names[key]
        if not key.isdigit():
            raise ScheduleError(f"{self.expression!r}: cannot read {text!r}")
        return int(key)

    def day_of_month(self, text: str) -> DayTest:
        tests: list[DayTest] = []
        for part in text.split(","):
            upper = part.upper()
            if upper == "L":
                tests.append(lambda day: day.day == _month_length(day))
            elif upper == "LW":
                tests.append(lambda day: day == _last_weekday(day))
            elif upper.endswith("W") and upper[:-1].isdigit():
                target = int(upper[:-1])
                tests.append(lambda day, target=target: day == _nearest_weekday(day, target))
            else:
                days = self.values(part, low=1, high=31)
                tests.append(lambda day, days=days: day.day in days)
        return lambda day: any(test(day) for test in tests)

    def day_of_week(self, text: str) -> DayTest:
        tests: list[DayTest] = []
        for part in text.split(","):
            upper = part.upper()
            if "#" in upper:
                weekday_text, _, nth_text = upper.partition("#")
                weekday, nth = self.number(weekday_text, _WEEKDAYS), self.number(nth_text)
                if not 1 <= nth <= 5:
                    raise ScheduleError(f"{self.expression!r}: {part!r} needs an occurrence 1-5")
                tests.append(
                    lambda day, w=weekday, n=nth: (
                        _aws_weekday(day) == w and (day.day - 1) // 7 + 1 == n
                    )
                )
            elif upper.endswith("L") and upper != "L":
                weekday = self.number(upper[:-1], _WEEKDAYS)
                tests.append(
                    lambda day, w=weekday: (
                        _aws_weekday(day) == w and day.day + 7 > _month_length(day)
                    )
                )
            else:
                weekdays = (
                    frozenset({7})
                    if upper == "L"
                    else self.values(part, low=1, high=7, names=_WEEKDAYS)
                )
                tests.append(lambda day, weekdays=weekdays: _aws_weekday(day) in weekdays)
        return lambda day: any(test(day) for test in tests)


def _aws_weekday(day: date) -> int:
    """AWS numbers days of the week 1 (Sunday) to 7 (Saturday)."""
    return (day.isoweekday() % 7) + 1


def _month_length(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _last_weekday(of: date) -> date:
    day = of.replace(day=_month_length(of))
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _nearest_weekday(day: date, target: int) -> date | None:
    """The weekday nearest to day `target` of day's month, without leaving the month."""
    length = _month_length(day)
    if target > length:
        return None
    wanted = day.replace(day=target)
    if wanted.isoweekday() == 6:  # Saturday: Friday, or Monday if Friday is in the last month
        wanted = wanted - timedelta(days=1) if target > 1 else wanted + timedelta(days=2)
    elif wanted.isoweekday() == 7:  # Sunday: Monday, or Friday if Monday is in the next month
        wanted = wanted + timedelta(days=1) if target < length else wanted - timedelta(days=2)
    return wanted
