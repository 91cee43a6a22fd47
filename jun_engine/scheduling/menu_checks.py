"""Checking a menu file's entries against the town: dates, dishes, allergens, the school calendar.

Errors reject the whole file (nothing is imported); warnings name days that are kept out of the
import (a past day, a weekend, a holiday) because they would never be posted.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from jun_engine.config.problems import Problem, suggestion
from jun_engine.config.schema import Config
from jun_engine.scheduling.allergens import find_allergen, known_names
from jun_engine.scheduling.calendar import closed_reason
from jun_engine.scheduling.menu_file import MenuEntry, MenuFile, MenuFileError, error, warning

MAX_DAYS = 400
"""More than a school year and a bit: a longer file is the wrong file."""
MAX_DISHES = 12
MAX_DISH_CHARS = 200
MAX_AHEAD = timedelta(days=400)
"""A date further ahead than this is a typo (2062 for 2026)."""

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class MenuDay:
    """One school's lunch on one day: the dishes and the codes of the allergens they contain."""

    school: str
    day: date
    dishes: tuple[str, ...]
    allergens: tuple[str, ...]
    line: int | None = None


@dataclass(frozen=True, slots=True)
class CheckedMenus:
    """The days to import and the warnings about the days left out."""

    school: str
    days: tuple[MenuDay, ...]
    warnings: tuple[Problem, ...]


def check_menus(
    menus: MenuFile, config: Config, *, school: str | None, today: date
) -> CheckedMenus:
    """The file's days ready to store; MenuFileError with every problem if any is an error."""
    problems: list[Problem] = []
    school_key = _school(menus, config, school, problems)
    if len(menus.entries) > MAX_DAYS:
        line = menus.entries[MAX_DAYS].line
        problems.append(error(menus.name, line, f"more than {MAX_DAYS} days in one file"))
    days: list[MenuDay] = []
    seen: dict[date, int] = {}
    for entry in menus.entries[:MAX_DAYS]:
        day = _entry_day(entry, menus.name, school_key, seen, problems)
        if day is not None and _in_calendar(day, config, today, menus.name, problems):
            days.append(day)
    if any(problem.is_error for problem in problems):
        raise MenuFileError(problems)
    return CheckedMenus(school_key or "", tuple(days), tuple(problems))


def _school(
    menus: MenuFile, config: Config, chosen: str | None, problems: list[Problem]
) -> str | None:
    name = menus.name
    if chosen and menus.school and chosen != menus.school:
        message = f"the file is for school {menus.school!r} but --school says {chosen!r}"
        problems.append(error(name, menus.school_line, message, "school"))
        return None
    key = chosen or menus.school
    if key is None:
        if len(config.schools) == 1:
            return next(iter(config.schools))
        known = ", ".join(sorted(config.schools)) or "none configured"
        problems.append(error(name, None, f"which school? pass --school ({known})", "school"))
        return None
    if key not in config.schools:
        hint = suggestion(key, config.schools, known="schools in accounts.yaml")
        problems.append(error(name, menus.school_line, f"unknown school {key!r}{hint}", "school"))
        return None
    return key


def _entry_day(
    entry: MenuEntry, name: str, school: str | None, seen: dict[date, int], problems: list[Problem]
) -> MenuDay | None:
    before = len(problems)
    day = _date(entry, name, problems)
    if day is not None and day in seen:
        problems.append(
            error(name, entry.line, f"{day} appears twice (first on line {seen[day]})", "date")
        )
    elif day is not None:
        seen[day] = entry.line
    _check_dishes(entry, name, problems)
    allergens = _allergen_codes(entry, name, problems)
    if len(problems) > before or day is None or school is None:
        return None
    return MenuDay(school, day, entry.dishes, allergens, entry.line)


def _date(entry: MenuEntry, name: str, problems: list[Problem]) -> date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(entry.date_text, form).date()
        except ValueError:
            continue
    shown = entry.date_text[:40] or "(empty)"
    problems.append(
        error(name, entry.line, f"{shown!r} is not a date (write 2026-03-02 or 02/03/2026)", "date")
    )
    return None


def _check_dishes(entry: MenuEntry, name: str, problems: list[Problem]) -> None:
    if not entry.dishes:
        problems.append(error(name, entry.line, "no dishes for this day", "dishes"))
    elif len(entry.dishes) > MAX_DISHES:
        problems.append(error(name, entry.line, f"more than {MAX_DISHES} dishes", "dishes"))
    for dish in entry.dishes:
        if not dish.strip():
            problems.append(error(name, entry.line, "an empty dish", "dishes"))
        elif len(dish) > MAX_DISH_CHARS:
            message = f"a dish of {len(dish)} characters (at most {MAX_DISH_CHARS})"
            problems.append(error(name, entry.line, message, "dishes"))
        elif control := _control_character(dish):
            message = f"a control character (U+{ord(control):04X}) in a dish"
            problems.append(error(name, entry.line, message, "dishes"))


def _control_character(text: str) -> str | None:
    return next((char for char in text if unicodedata.category(char) == "Cc"), None)


def _allergen_codes(entry: MenuEntry, name: str, problems: list[Problem]) -> tuple[str, ...]:
    codes: list[str] = []
    for written in entry.allergens:
        allergen = find_allergen(written)
        if allergen is None:
            hint = suggestion(written, known_names(), known="the 14 EU allergens")
            message = f"unknown allergen {written[:40]!r}{hint}"
            problems.append(error(name, entry.line, message, "allergens"))
        elif allergen.code not in codes:
            codes.append(allergen.code)
    return tuple(codes)


def _in_calendar(
    day: MenuDay, config: Config, today: date, name: str, problems: list[Problem]
) -> bool:
    if day.day > today + MAX_AHEAD:
        problems.append(error(name, day.line, f"{day.day} is more than a year ahead", "date"))
        return False
    if day.day < today:
        problems.append(warning(name, day.line, f"{day.day} has passed: not imported", "date"))
        return False
    reason = closed_reason(config, day.school, day.day)
    if reason is not None:
        message = f"{day.day} is {reason}: not imported (no menu is posted that day)"
        problems.append(warning(name, day.line, message, "date"))
        return False
    return True
