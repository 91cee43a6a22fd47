"""Business-time arithmetic: adding an SLA target to a moment, counting only opening hours.

Pure functions over a `Calendar` (a department's weekly ranges, the town's and the department's
holidays, the town's time zone). Opening ranges are local wall-clock times turned into instants
day by day, so a range on a DST day is as long as it really is (00:00-24:00 on the last Sunday of
March lasts 23 hours). A duration's days are opening DAYS, its hours and minutes opening HOURS:
`4h` from Friday 14:59 with 08:00-15:00 Monday to Friday is Monday 11:59; `2d` is the same local
time two opening days later (or the end of that day's last earlier range if closed then).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jun_engine.config.schema import Config

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 3 * 366
"""How far ahead to look for opening hours before giving up (a calendar of only holidays)."""

Range = tuple[int, int]
"""Minutes after local midnight: (540, 840) is 09:00-14:00; the end may be 1440 (24:00)."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """When one department is open: weekly ranges in local time, minus holidays."""

    zone: ZoneInfo
    week: Mapping[int, tuple[Range, ...]]
    """Weekday number (Monday 0) -> its ranges, sorted."""
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, config: Config, department: str) -> Calendar:
        """The calendar of `department` in accounts.yaml."""
        dept = config.departments[department]
        week = {
            WEEKDAYS.index(day): tuple(sorted(_range(text) for text in ranges))
            for day, ranges in dept.hours.items()
        }
        holidays = frozenset(config.town.holidays) | frozenset(dept.holidays)
        return cls(ZoneInfo(config.town.timezone), week, holidays)

    @property
    def always_open(self) -> bool:
        """A calendar without any range counts as open around the clock (nothing to wait for)."""
        return not any(self.week.values())

    def ranges_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local day as UTC instants, in order (none on a holiday)."""
        if day in self.holidays:
            return []
        return [
            (self.instant(day, start), self.instant(day, end))
            for start, end in self.week.get(day.weekday(), ())
        ]

    def instant(self, day: date, minutes: int) -> datetime:
        """Local wall time `minutes` after midnight of `day` (1440 is the next midnight), in UTC.
        Aware arithmetic within one zone is wall-clock arithmetic, so DST days come out right."""
        local = datetime.combine(day, time(), tzinfo=self.zone) + timedelta(minutes=minutes)
        return local.astimezone(UTC)


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The moment `duration` of opening time after `start` (aware), in UTC.

    The days of `duration` are opening days (see the module's docstring), the rest opening hours.
    """
    if calendar.always_open:
        return start.astimezone(UTC) + duration
    days, rest = duration.days, duration - timedelta(days=duration.days)
    after_hours = _add_hours(start.astimezone(UTC), rest, calendar)
    if after_hours is None:
        return start.astimezone(UTC) + duration
    return _add_days(after_hours, days, calendar) if days else after_hours


def open_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """How much opening time lies between two moments (zero if `end` is not after `start`)."""
    if end <= start:
        return timedelta()
    if calendar.always_open:
        return end - start
    total = timedelta()
    for opens, closes in _intervals_from(start.astimezone(UTC), calendar):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def _add_hours(start: datetime, amount: timedelta, calendar: Calendar) -> datetime | None:
    remaining = amount
    for opens, closes in _intervals_from(start, calendar):
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    return None


def _add_days(moment: datetime, days: int, calendar: Calendar) -> datetime:
    local = moment.astimezone(calendar.zone)
    day = local.date()
    wall = local.time().replace(tzinfo=None)
    for _ in range(days):
        following = _next_open_day(day, calendar)
        if following is None:
            return moment + timedelta(days=days)
        day = following
    return _at_or_before(day, wall, calendar)


def _next_open_day(day: date, calendar: Calendar) -> date | None:
    for offset in range(1, HORIZON_DAYS):
        candidate = day + timedelta(days=offset)
        if calendar.ranges_on(candidate):
            return candidate
    return None


def _at_or_before(day: date, wall: time, calendar: Calendar) -> datetime:
    """`wall` on `day` if open then; else the end of the last range closing before it; else the
    day's first opening."""
    target = calendar.instant(day, wall.hour * 60 + wall.minute) + timedelta(
        seconds=wall.second, microseconds=wall.microsecond
    )
    ranges = calendar.ranges_on(day)
    if any(opens <= target <= closes for opens, closes in ranges):
        return target
    earlier = [closes for _, closes in ranges if closes <= target]
    return earlier[-1] if earlier else ranges[0][0]


def _intervals_from(start: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals ending after `start`, in order, for up to HORIZON_DAYS local days."""
    first = start.astimezone(calendar.zone).date() - timedelta(days=1)
    for offset in range(HORIZON_DAYS):
        for opens, closes in _merged(calendar.ranges_on(first + timedelta(days=offset))):
            if closes > start:
                yield opens, closes


def _merged(ranges: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for opens, closes in sorted(ranges):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _range(text: str) -> Range:
    start, end = text.split("-")
    return _minutes(start), _minutes(end)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)
