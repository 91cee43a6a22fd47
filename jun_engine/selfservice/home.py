"""Answers to the home screen's areas that are not a booking (LINE's rich menu): the resident's
open cases with their status, how to report a problem, and today's air quality.

Each returns the text in the resident's language; nothing here sends (the handler does).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from jun_engine.cases.repository import CaseFilter, list_cases
from jun_engine.cases.texts import localized, word
from jun_engine.config.schema import Config
from jun_engine.scheduling.calendar import local_day
from jun_engine.selfservice.dates import format_date, join
from jun_engine.selfservice.texts import say
from jun_engine.store.tables import AirQualityDayRow

MAX_CASES = 10
"""The most recent open cases listed; older ones are still followed by the town."""
POLLUTANTS = {"pm2_5": "PM2.5", "pm10": "PM10", "nitrogen_dioxide": "NO₂", "ozone": "O₃"}
"""How pollutants are written in every language."""


def my_cases(session: Session, config: Config, resident_id: int, language: str) -> str:
    """The resident's open cases, newest first: reference, department, status."""
    wanted = CaseFilter(resident_id=resident_id, open_only=True, limit=MAX_CASES)
    cases = list_cases(session, wanted)
    if not cases:
        return say("my_cases_none", language)
    lines = [
        f"{case.reference} · {_department(config, case.department, language)}: "
        f"{word(config, 'status', case.status.value, language)}"
        for case in cases
    ]
    return say("my_cases", language, items="\n".join(lines))


def _department(config: Config, key: str, language: str) -> str:
    department = config.departments.get(key)
    return key if department is None else localized(department.name, language, config)


def air_quality(session: Session, config: Config, now: datetime, language: str) -> str:
    """Today's forecast as checked by the air-quality job: good, or which pollutants are over
    the town's thresholds, or that it is not known yet."""
    today = local_day(config, now)
    row = session.get(AirQualityDayRow, today)
    day = format_date(today, language)
    if row is None or not row.checked_at or not row.levels:
        return say("air_unknown", language, day=day)
    if not row.exceeded.split():
        return say("air_ok", language, day=day, town=config.town.name)
    names = [POLLUTANTS.get(code, code) for code in row.exceeded.split()]
    return say(
        "air_bad", language, day=day, town=config.town.name, pollutants=join(names, language)
    )
