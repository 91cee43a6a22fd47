"""School menus in the database: importing a checked file, listing, and queueing the day's post.

Misfire policy: a menu is queued on its day from the school's `menu_time` on (late the same day
if the daemon was down at that time); a menu whose day has passed is skipped, never posted; a
day that became a holiday after the import is skipped too. Queueing and marking happen in one
transaction with the outbox key `menu:<school>:<day>`, so a menu is posted at most once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from jun_engine.config.problems import Problem
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MenuStatus, OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.scheduling.calendar import at_local_time, closed_reason, local_day
from jun_engine.scheduling.menu_checks import CheckedMenus, MenuDay
from jun_engine.scheduling.menu_file import warning
from jun_engine.scheduling.texts import allergens_line, menu_heading
from jun_engine.store.tables import SchoolMenuRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed: days added, days replaced, days left as they were, and why."""

    added: int
    replaced: int
    unchanged: int
    warnings: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class MenuView:
    """One stored menu day, for `menus list`."""

    school: str
    day: date
    dishes: tuple[str, ...]
    allergens: tuple[str, ...]
    status: MenuStatus


@dataclass(frozen=True, slots=True)
class Decision:
    """What the tick did with one menu day: queued (with its outbox key) or skipped (why)."""

    school: str
    day: date
    status: MenuStatus
    reason: str


def menu_key(school: str, day: date) -> str:
    """The outbox idempotency key of a school's menu post for a day."""
    return f"menu:{school}:{day.isoformat()}"


def import_menus(
    session: Session, checked: CheckedMenus, *, source: str, now: datetime
) -> ImportResult:
    """Store the checked days: new days added, scheduled days replaced, posted days kept."""
    existing = {
        row.day: row
        for row in session.exec(
            select(SchoolMenuRow).where(
                SchoolMenuRow.school == checked.school,
                col(SchoolMenuRow.day).in_([day.day for day in checked.days]),
            )
        )
    }
    added = replaced = unchanged = 0
    warnings = list(checked.warnings)
    for day in checked.days:
        row = existing.get(day.day)
        dishes, allergens = "\n".join(day.dishes), " ".join(day.allergens)
        if row is None:
            session.add(_new_row(day, source, now))
            added += 1
        elif row.status is not MenuStatus.SCHEDULED:
            unchanged += 1
            message = f"{day.day} was already {row.status.value}: not changed"
            warnings.append(warning(source, day.line, message, "date"))
        elif (row.dishes, row.allergens) == (dishes, allergens):
            unchanged += 1
        else:
            row.dishes, row.allergens, row.source, row.imported_at = dishes, allergens, source, now
            session.add(row)
            replaced += 1
    session.flush()
    return ImportResult(added, replaced, unchanged, tuple(warnings))


def _new_row(day: MenuDay, source: str, now: datetime) -> SchoolMenuRow:
    return SchoolMenuRow(
        school=day.school,
        day=day.day,
        dishes="\n".join(day.dishes),
        allergens=" ".join(day.allergens),
        source=source[-255:],
        imported_at=now,
    )


def list_menus(
    session: Session, *, school: str | None = None, since: date | None = None
) -> list[MenuView]:
    """Stored menus in day order, optionally for one school and from a day on."""
    query = select(SchoolMenuRow).order_by(col(SchoolMenuRow.day), col(SchoolMenuRow.school))
    if school is not None:
        query = query.where(SchoolMenuRow.school == school)
    if since is not None:
        query = query.where(SchoolMenuRow.day >= since)
    return [
        MenuView(
            row.school,
            row.day,
            tuple(row.dishes.splitlines()),
            tuple(row.allergens.split()),
            row.status,
        )
        for row in session.exec(query)
    ]


def menu_text(
    config: Config, school: str, day: date, dishes: tuple[str, ...], allergens: tuple[str, ...]
) -> str:
    """The public post, in the town's default language: the day, one dish per line, the
    allergens, the hashtags."""
    settings = config.schools[school]
    language = config.town.default_language
    lines = [menu_heading(settings.name, day, language)]
    lines += [f"• {dish}" for dish in dishes]
    lines.append(allergens_line(allergens, language))
    if settings.hashtags:
        lines.append(" ".join(settings.hashtags))
    return "\n".join(lines)


def queue_due_menus(session: Session, config: Config, now: datetime) -> list[Decision]:
    """Queue today's menus whose posting time has come; skip the ones whose day has passed."""
    today = local_day(config, now)
    rows = session.exec(
        select(SchoolMenuRow)
        .where(SchoolMenuRow.status == MenuStatus.SCHEDULED, SchoolMenuRow.day <= today)
        .order_by(col(SchoolMenuRow.day), col(SchoolMenuRow.id))
    ).all()
    decisions = []
    for row in rows:
        decision = _decide(session, config, row, today, now)
        if decision is not None:
            decisions.append(decision)
    return decisions


def _decide(
    session: Session, config: Config, row: SchoolMenuRow, today: date, now: datetime
) -> Decision | None:
    school = config.schools.get(row.school)
    if school is None:
        return _skip(session, row, now, "the school is no longer in accounts.yaml")
    if row.day < today:
        return _skip(session, row, now, "its day passed before it could be posted")
    reason = closed_reason(config, row.school, row.day)
    if reason is not None:
        return _skip(session, row, now, f"the day is {reason}")
    if now < at_local_time(config, row.day, school.menu_time):
        return None
    dishes, allergens = tuple(row.dishes.splitlines()), tuple(row.allergens.split())
    enqueue(
        session,
        key=menu_key(row.school, row.day),
        account_id=config.accounts[school.account].user_id,
        kind=OutboxKind.POST,
        text=menu_text(config, row.school, row.day, dishes, allergens),
        priority=Priority.NOTICE,
        expires_at=at_local_time(config, row.day + timedelta(days=1), "00:00"),
    )
    return _mark(session, row, now, MenuStatus.QUEUED, "queued")


def _skip(session: Session, row: SchoolMenuRow, now: datetime, reason: str) -> Decision:
    log.info("menu of %s for %s skipped: %s", row.school, row.day, reason)
    return _mark(session, row, now, MenuStatus.SKIPPED, reason)


def _mark(
    session: Session, row: SchoolMenuRow, now: datetime, status: MenuStatus, reason: str
) -> Decision:
    row.status, row.decided_at = status, now
    session.add(row)
    return Decision(row.school, row.day, status, reason)
