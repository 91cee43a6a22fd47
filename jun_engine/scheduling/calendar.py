"""The town's calendar as the scheduler sees it: local days, school days, holidays, local times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from jun_engine.config.schema import Config, Weekday

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(config: Config) -> ZoneInfo:
    """The town's time zone."""
    return ZoneInfo(config.town.timezone)


def local_day(config: Config, moment: datetime) -> date:
    """The town's calendar day at `moment`."""
    return moment.astimezone(zone(config)).date()


def at_local_time(config: Config, day: date, clock_time: str) -> datetime:
    """`HH:MM` on `day` in the town's zone, as aware UTC (DST handled by the zone)."""
    hours, minutes = (int(part) for part in clock_time.split(":"))
    local = datetime.combine(day, time(hours, minutes), tzinfo=zone(config))
    return local.astimezone(UTC)


def weekday(day: date) -> Weekday:
    """`mon`..`sun`, as accounts.yaml writes days."""
    return WEEKDAYS[day.weekday()]


def closed_reason(config: Config, school_key: str, day: date) -> str | None:
    """Why the school's canteen is closed on `day` (weekend, holiday), or None on a school day."""
    school = config.schools[school_key]
    if weekday(day) not in school.school_days:
        return f"a {day:%A} (not a school day)"
    if day in config.town.holidays:
        return "a town holiday"
    if day in school.holidays:
        return "a school holiday"
    return None
