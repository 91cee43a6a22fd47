"""Cron recurrences in the town's time zone, read by APScheduler's own cron parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from jun_engine.scheduling.errors import InvalidNoticeError

MAX_STEPS = 100_000
"""Occurrences walked through at most when catching up (a minute-by-minute cron over 2 months)."""


def parse_cron(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a five-field crontab (`0 20 * * sun`); InvalidNoticeError if malformed."""
    try:
        return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))
    except ValueError as exc:
        raise InvalidNoticeError(f"bad cron expression {expression!r}: {exc}") from None


def first_at_or_after(trigger: CronTrigger, moment: datetime) -> datetime | None:
    """The first occurrence at or after `moment`, in UTC; None if the trigger has ended."""
    fire: datetime | None = trigger.get_next_fire_time(None, moment)
    return None if fire is None else fire.astimezone(UTC)


def first_after(trigger: CronTrigger, moment: datetime) -> datetime | None:
    """The first occurrence strictly after `moment`, in UTC."""
    return first_at_or_after(trigger, moment + timedelta(microseconds=1))


def latest_due(trigger: CronTrigger, start: datetime, now: datetime) -> tuple[datetime, int]:
    """The latest occurrence in [start, now] and how many earlier ones it supersedes.

    `start` must itself be an occurrence at or before `now`.
    """
    latest, missed = start, 0
    for _ in range(MAX_STEPS):
        following = first_after(trigger, latest)
        if following is None or following > now:
            break
        latest, missed = following, missed + 1
    return latest, missed
