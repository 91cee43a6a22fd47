"""Instant answers from accounts.yaml and the engine's own data: school menus, opening hours,
rubbish collection days, the next council meeting, and the help guide.

Each function returns the text in the resident's language, or None when it cannot answer (the
message then goes on to become a case).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.scheduling.allergens import BY_CODE
from jun_engine.scheduling.calendar import at_local_time, closed_reason, local_day, weekday, zone
from jun_engine.selfservice.dates import DAY_KEYS, format_date, format_when, join, weekday_name
from jun_engine.selfservice.texts import say
from jun_engine.store.tables import SchoolMenuRow

RANGE_WORD = {"es": " a ", "en": " to ", "th": "ถึง", "ja": "〜"}


def menu(
    session: Session, config: Config, now: datetime, *, tomorrow: bool, language: str
) -> str | None:
    """Today's (or tomorrow's) lunch at each school, or why there is none."""
    day = local_day(config, now) + timedelta(days=1 if tomorrow else 0)
    label = say("tomorrow" if tomorrow else "today", language)
    day_text = f"{label} ({format_date(day, language)})"
    texts = [_school_menu(session, config, key, day, day_text, language) for key in config.schools]
    return "\n".join(texts) or None


def _school_menu(
    session: Session, config: Config, school: str, day: date, day_text: str, language: str
) -> str:
    name = config.schools[school].name
    reason = closed_reason(config, school, day)
    if reason is not None:
        why = "reason_weekend" if "not a school day" in reason else "reason_holiday"
        text = say("menu_closed", language, day=day_text, school=name, reason=say(why, language))
        return text[:1].upper() + text[1:]
    statement = select(SchoolMenuRow).where(
        SchoolMenuRow.school == school, SchoolMenuRow.day == day
    )
    row = session.exec(statement).first()
    if row is None:
        return say("menu_missing", language, school=name, day=format_date(day, language))
    dishes = ", ".join(line.strip() for line in row.dishes.splitlines() if line.strip())
    return say(
        "menu", language, school=name, day=day_text, dishes=dishes,
        allergens=_allergens(row.allergens.split(), language),
    )  # fmt: skip


def _allergens(codes: Sequence[str], language: str) -> str:
    if not codes:
        return ""
    names = [
        getattr(BY_CODE[c], "es" if language == "es" else "en") if c in BY_CODE else c
        for c in codes
    ]
    return say("menu_allergens", language, allergens=", ".join(names))


def opening_hours(config: Config, department: str, now: datetime, language: str) -> str:
    """A department's opening hours, days with the same hours grouped."""
    dept = config.departments[department]
    name = dept.name.get(language) or next(iter(dept.name.values()))
    groups = _day_groups([(day, tuple(dept.hours.get(day, ()))) for day in DAY_KEYS])  # type: ignore[call-overload]
    parts = [
        f"{_day_span(days, language)} {join(list(ranges), language)}"
        for days, ranges in groups
        if ranges
    ]
    hours = "; ".join(parts) or say("closed_always", language)
    text = say("hours", language, department=name, hours=hours)
    today = local_day(config, now)
    if today in config.town.holidays or today in dept.holidays:
        text += say("hours_closed_today", language)
    return text


def _day_groups(
    days: Sequence[tuple[str, tuple[str, ...]]],
) -> list[tuple[list[str], tuple[str, ...]]]:
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for day, ranges in days:
        if groups and groups[-1][1] == ranges:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    return groups


def _day_span(days: Sequence[str], language: str) -> str:
    first = weekday_name(days[0], language)
    if len(days) == 1:
        return first
    return first + RANGE_WORD.get(language, " - ") + weekday_name(days[-1], language)


def rubbish(config: Config, district: str | None, now: datetime, language: str) -> str | None:
    """Collection days of one district (and whether today is one), or of every district."""
    schedule = config.notices.rubbish_collection
    if not schedule:
        return None
    if district is None or district not in schedule:
        lines = [
            f"{name}: {join([weekday_name(d, language) for d in days], language)}"
            for name, days in schedule.items()
        ]
        return say("rubbish_all", language, lines="\n".join(lines))
    days = schedule[district]
    today = local_day(config, now)
    return say(
        "rubbish_district", language, district=district,
        days=join([weekday_name(d, language) for d in days], language),
        today=_rubbish_today(days, today, language),
    )  # fmt: skip


def _rubbish_today(days: Sequence[str], today: date, language: str) -> str:
    if weekday(today) in days:
        return say("rubbish_today_yes", language)
    for ahead in range(1, 8):
        day = today + timedelta(days=ahead)
        if weekday(day) in days:
            return say("rubbish_today_no", language, next=format_date(day, language))
    return say("rubbish_never", language)


def council(config: Config, now: datetime, language: str) -> str:
    """The next council meeting after now, or that none is scheduled yet."""
    upcoming = sorted(
        (
            (at_local_time(config, meeting.day, meeting.time), meeting)
            for meeting in config.notices.council_meetings
            if at_local_time(config, meeting.day, meeting.time) > now
        ),
        key=lambda pair: pair[0],
    )
    if not upcoming:
        return say("council_none", language)
    at, meeting = upcoming[0]
    place = meeting.place.get(language) or meeting.place.get(config.town.default_language)
    return say(
        "council_next", language, when=format_when(at.astimezone(zone(config)), language),
        place=f" {place}." if place else "",
    )  # fmt: skip


def help_guide(config: Config, language: str) -> str:
    """The short guide to what can be done by post or DM."""
    return say("help", language, town=config.town.name)
