"""Bookable slots: which times a department offers on a day (its book's hours, minus holidays,
closures and days staff closed), made into rows when first needed, and the free ones to offer.

Closing a day removes its free slots (or fills the few a cancelled appointment still names) and
is refused while any is booked, so an offer made before the closing can no longer be taken.
Opening it again recounts each slot's seats from its booked appointments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from jun_engine.config.schema import AppointmentBook, Config
from jun_engine.domain.selfservice import Slot
from jun_engine.selfservice.dates import DAY_KEYS
from jun_engine.selfservice.errors import DayHasBookingsError, NoAppointmentBookError, NoHoursError
from jun_engine.store.tables import AppointmentRow, AppointmentSlotRow, SlotDayRow, now_utc

SLOTS: sa.Table = AppointmentSlotRow.__table__  # type: ignore[attr-defined]
APPOINTMENTS: sa.Table = AppointmentRow.__table__  # type: ignore[attr-defined]
Range = tuple[time, time]


def book_of(config: Config, department: str) -> AppointmentBook:
    """The department's appointment book, or NoAppointmentBookError."""
    book = config.appointments.get(department)
    if book is None or department not in config.departments:
        raise NoAppointmentBookError(department, sorted(config.appointments))
    return book


def parse_ranges(ranges: Sequence[str]) -> list[Range]:
    """`["08:30-14:00"]` as times; `24:00` is the end of the day."""
    parsed = []
    for text in ranges:
        start, end = (part.strip() for part in text.split("-"))
        parsed.append((_clock(start), _clock(end)))
    return parsed


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time.max if hours == 24 else time(hours, minutes)


def day_ranges(
    config: Config, department: str, day: date, override: SlotDayRow | None
) -> list[Range]:
    """When appointments run on `day`: staff's decision first, then holidays, then the hours."""
    book = book_of(config, department)
    if override is not None and not override.is_open:
        return []
    if override is not None and override.hours:
        return parse_ranges(override.hours.split())
    if override is None and _closed(config, department, day):
        return []
    hours = book.hours or config.departments[department].hours
    return parse_ranges(hours.get(DAY_KEYS[day.weekday()], []))  # type: ignore[call-overload]


def _closed(config: Config, department: str, day: date) -> bool:
    dept = config.departments[department]
    closures = config.appointments[department].closures
    return day in config.town.holidays or day in dept.holidays or day in closures


def slot_times(
    config: Config, department: str, day: date, ranges: Sequence[Range]
) -> list[tuple[datetime, datetime]]:
    """Each slot of `day` as (start, end) in UTC; a slot that does not fit its range is left out."""
    zone = ZoneInfo(config.town.timezone)
    length = timedelta(minutes=book_of(config, department).slot_minutes)
    times = []
    for start, end in ranges:
        moment = datetime.combine(day, start, tzinfo=zone)
        close = datetime.combine(day, end, tzinfo=zone)
        if end == time.max:
            close = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        while moment + length <= close:
            times.append((moment.astimezone(UTC), (moment + length).astimezone(UTC)))
            moment += length
    return times


def override_of(session: Session, department: str, day: date) -> SlotDayRow | None:
    """Staff's decision about the day, if any."""
    return session.get(SlotDayRow, (department, day))


def ensure_day(session: Session, config: Config, department: str, day: date) -> bool:
    """Make the day's slot rows (an idempotent insert); False when the day has no appointments."""
    ranges = day_ranges(config, department, day, override_of(session, department, day))
    times = slot_times(config, department, day, ranges)
    if not times:
        return False
    capacity = book_of(config, department).capacity
    rows = [
        {
            "department": department,
            "starts_at": start,
            "ends_at": end,
            "capacity": capacity,
            "booked": 0,
        }
        for start, end in times
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(SLOTS) if dialect == "postgresql" else sqlite.insert(SLOTS)
    session.execute(
        insert.values(rows).on_conflict_do_nothing(index_elements=["department", "starts_at"])
    )
    return True


def local_day(config: Config, moment: datetime) -> date:
    """The town's calendar day at `moment`."""
    return moment.astimezone(ZoneInfo(config.town.timezone)).date()


def day_bounds(config: Config, day: date) -> tuple[datetime, datetime]:
    """The UTC instants the town's local `day` starts and ends."""
    zone = ZoneInfo(config.town.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def free_slots(
    session: Session,
    config: Config,
    department: str,
    now: datetime,
    *,
    exclude: Sequence[int] = (),
) -> list[Slot]:
    """The next free slots to offer (the book's `offer_count`), soonest first, in its horizon."""
    book = book_of(config, department)
    earliest = now + book.min_notice
    first = local_day(config, now)
    found: list[Slot] = []
    for offset in range(book.horizon_days + 1):
        day = first + timedelta(days=offset)
        if not ensure_day(session, config, department, day):
            continue
        start, end = day_bounds(config, day)
        statement = (
            select(AppointmentSlotRow)
            .where(
                AppointmentSlotRow.department == department,
                col(AppointmentSlotRow.starts_at) >= max(start, earliest),
                col(AppointmentSlotRow.starts_at) < end,
                col(AppointmentSlotRow.booked) < col(AppointmentSlotRow.capacity),
                col(AppointmentSlotRow.id).not_in(list(exclude) or [-1]),
            )
            .order_by(col(AppointmentSlotRow.starts_at))
            .limit(book.offer_count - len(found))
        )
        found.extend(to_slot(row) for row in session.exec(statement).all())
        if len(found) >= book.offer_count:
            break
    return found


def day_slots(session: Session, config: Config, department: str, day: date) -> list[Slot]:
    """Every slot of a department's day (made if needed), in time order."""
    ensure_day(session, config, department, day)
    start, end = day_bounds(config, day)
    statement = (
        select(AppointmentSlotRow)
        .where(
            AppointmentSlotRow.department == department,
            col(AppointmentSlotRow.starts_at) >= start,
            col(AppointmentSlotRow.starts_at) < end,
        )
        .order_by(col(AppointmentSlotRow.starts_at))
    )
    return [to_slot(row) for row in session.exec(statement).all()]


def free_on(
    session: Session, config: Config, department: str, day: date, now: datetime, limit: int
) -> list[Slot]:
    """Up to `limit` free slots of one day (a day the resident picked), soonest first, none
    sooner than the book's notice allows."""
    earliest = now + book_of(config, department).min_notice
    return [
        slot
        for slot in day_slots(session, config, department, day)
        if slot.free > 0 and slot.starts_at >= earliest
    ][:limit]


def slot_at(session: Session, config: Config, department: str, starts_at: datetime) -> Slot | None:
    """The department's slot that starts at `starts_at`, if there is one (its day's slots are
    made first if they were never offered)."""
    ensure_day(session, config, department, local_day(config, starts_at))
    statement = select(AppointmentSlotRow).where(
        AppointmentSlotRow.department == department,
        AppointmentSlotRow.starts_at == starts_at.astimezone(UTC),
    )
    row = session.exec(statement).first()
    return None if row is None else to_slot(row)


def slot_by_id(session: Session, slot_id: int) -> Slot | None:
    """A slot row as a Slot, if it still exists."""
    row = session.get(AppointmentSlotRow, slot_id)
    return None if row is None else to_slot(row)


def close_day(session: Session, config: Config, department: str, day: date) -> int:
    """Close a day; refused while any appointment is booked on it. Its free slots go (those a
    cancelled appointment still names are kept, full, for its history). Returns how many went."""
    book_of(config, department)
    start, end = day_bounds(config, day)
    in_day = (SLOTS.c.department == department, SLOTS.c.starts_at >= start, SLOTS.c.starts_at < end)
    booked = session.execute(
        select(func.count()).select_from(SLOTS).where(*in_day, SLOTS.c.booked > 0)
    ).scalar_one()
    if booked:
        raise DayHasBookingsError(department, day, int(booked))
    named = select(APPOINTMENTS.c.slot_id).where(APPOINTMENTS.c.slot_id == SLOTS.c.id).exists()
    result = session.execute(sa.delete(SLOTS).where(*in_day, ~named))
    session.execute(sa.update(SLOTS).where(*in_day).values(booked=SLOTS.c.capacity))
    _set_override(session, department, day, is_open=False, hours="")
    return int(getattr(result, "rowcount", 0) or 0)


def open_day(
    session: Session, config: Config, department: str, day: date, hours: Sequence[str] = ()
) -> int:
    """Open a day (a holiday, a closure, a day staff closed), in the book's hours or `hours`;
    returns how many slots the day has."""
    book_of(config, department)
    _set_override(session, department, day, is_open=True, hours=" ".join(hours))
    if not day_ranges(config, department, day, override_of(session, department, day)):
        raise NoHoursError(department, day)
    start, end = day_bounds(config, day)
    held = (
        select(func.count())
        .select_from(APPOINTMENTS)
        .where(APPOINTMENTS.c.slot_id == SLOTS.c.id, APPOINTMENTS.c.status == "booked")
        .scalar_subquery()
    )
    in_day = (SLOTS.c.department == department, SLOTS.c.starts_at >= start, SLOTS.c.starts_at < end)
    session.execute(sa.update(SLOTS).where(*in_day).values(booked=held))
    return len(day_slots(session, config, department, day))


def _set_override(
    session: Session, department: str, day: date, *, is_open: bool, hours: str
) -> None:
    row = override_of(session, department, day) or SlotDayRow(
        department=department, day=day, is_open=is_open
    )
    row.is_open, row.hours, row.changed_at = is_open, hours, now_utc()
    session.add(row)
    session.flush()


def to_slot(row: AppointmentSlotRow) -> Slot:
    """The domain view of a slot row."""
    if row.id is None:  # pragma: no cover - rows come from the database
        raise ValueError("slot row has no id yet")
    return Slot(row.id, row.department, row.starts_at, row.ends_at, row.capacity, row.booked)
