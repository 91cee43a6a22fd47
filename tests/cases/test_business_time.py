"""SLA arithmetic in opening hours: the worked examples and the properties that must hold for
any moment and any target (hypothesis), across DST changes and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jun_engine.cases.business_time import Calendar, add_business_time, open_time_between
from jun_engine.config.schema import Config

MADRID = ZoneInfo("Europe/Madrid")
WEEKDAYS_8_TO_15 = Calendar(MADRID, dict.fromkeys(range(5), ((8 * 60, 15 * 60),)))
AROUND_THE_CLOCK = Calendar(MADRID, dict.fromkeys(range(7), ((0, 24 * 60),)))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)  # type: ignore[arg-type, misc]


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (local(2026, 3, 6, 14, 59), timedelta(hours=4), local(2026, 3, 9, 11, 59)),
        (local(2026, 3, 6, 16, 0), timedelta(hours=1), local(2026, 3, 9, 9, 0)),
        (local(2026, 3, 7, 10, 0), timedelta(0), local(2026, 3, 9, 8, 0)),
        (local(2026, 3, 9, 10, 0), timedelta(hours=5), local(2026, 3, 9, 15, 0)),
        (local(2026, 3, 6, 14, 59), timedelta(days=2), local(2026, 3, 10, 14, 59)),
        (local(2026, 3, 9, 7, 0), timedelta(days=1), local(2026, 3, 10, 8, 0)),
    ],
)
def test_worked_examples(start: datetime, duration: timedelta, due: datetime) -> None:
    assert add_business_time(start, duration, WEEKDAYS_8_TO_15) == due


def test_a_night_across_the_spring_dst_change_is_one_hour_shorter() -> None:
    start = local(2026, 3, 28, 23, 0)
    due = add_business_time(start, timedelta(hours=3), AROUND_THE_CLOCK)
    assert due.astimezone(MADRID) == local(2026, 3, 29, 3, 0)
    assert due - start == timedelta(hours=3)


def test_holidays_of_the_town_and_the_department_stop_the_clock(config: Config) -> None:
    # Thursday 2026-04-02 and Friday 04-03 are town holidays (Easter) in the shipped config
    water = Calendar.of(config, "water")
    due = add_business_time(local(2026, 4, 1, 13, 0), timedelta(hours=2), water)
    assert due.astimezone(MADRID) == local(2026, 4, 6, 10, 0)
    extra = Calendar(water.zone, water.week, water.holidays | {date(2026, 4, 6)})
    assert add_business_time(local(2026, 4, 1, 13, 0), timedelta(hours=2), extra).astimezone(
        MADRID
    ) == local(2026, 4, 7, 10, 0)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=12))
calendars = st.sampled_from(["water", "police", "health", "street_cleaning", "town_hall"])


@settings(max_examples=150, deadline=None)
@given(start=moments, duration=durations, department=calendars)
def test_the_due_time_is_never_before_the_start(
    config: Config, start: datetime, duration: timedelta, department: str
) -> None:
    assert add_business_time(start, duration, Calendar.of(config, department)) >= start


@settings(max_examples=150, deadline=None)
@given(start=moments, hours=st.integers(0, 23), minutes=st.integers(0, 59), department=calendars)
def test_hours_under_a_day_count_exactly_the_opening_time_in_between(
    config: Config, start: datetime, hours: int, minutes: int, department: str
) -> None:
    calendar = Calendar.of(config, department)
    duration = timedelta(hours=hours, minutes=minutes)
    due = add_business_time(start, duration, calendar)
    assert open_time_between(start, due, calendar) == duration


@settings(max_examples=150, deadline=None)
@given(start=moments, department=calendars)
def test_adding_nothing_while_open_is_the_same_moment(
    config: Config, start: datetime, department: str
) -> None:
    calendar = Calendar.of(config, department)
    due = add_business_time(start, timedelta(0), calendar)
    is_open = any(a <= start < b for a, b in calendar.ranges_on(start.astimezone(MADRID).date()))
    assert (due == start) if is_open else (due > start)
