"""Appointments: taking a seat in a slot (never more than its capacity, even at the same
instant), moving, cancelling, listing, and the day-before reminders.

A seat is taken with one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`):
on PostgreSQL a concurrent UPDATE of the same row waits and re-checks the condition, on SQLite
writers are serialised; either way exactly one resident gets the last seat, and the CHECK
`booked <= capacity` holds whatever a caller does.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.selfservice import Appointment
from jun_engine.domain.statuses import AppointmentStatus, OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.scheduling.calendar import at_local_time, zone
from jun_engine.selfservice.buttons import held
from jun_engine.selfservice.dates import format_when
from jun_engine.selfservice.errors import AppointmentCancelledError, AppointmentNotFoundError
from jun_engine.selfservice.slots import day_bounds, local_day
from jun_engine.selfservice.texts import say
from jun_engine.store.tables import AppointmentRow, AppointmentSlotRow, ResidentRow

SLOTS: sa.Table = AppointmentSlotRow.__table__  # type: ignore[attr-defined]


def take_seat(session: Session, slot_id: int) -> bool:
    """Take one seat of the slot if one is free; False if it is full or gone."""
    statement = (
        sa.update(SLOTS)
        .where(SLOTS.c.id == slot_id, SLOTS.c.booked < SLOTS.c.capacity)
        .values(booked=SLOTS.c.booked + 1)
    )
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0)) == 1


def free_seat(session: Session, slot_id: int) -> None:
    """Give one seat of the slot back."""
    statement = (
        sa.update(SLOTS)
        .where(SLOTS.c.id == slot_id, SLOTS.c.booked > 0)
        .values(booked=SLOTS.c.booked - 1)
    )
    session.execute(statement)


def reference_for(config: Config, appointment_id: int) -> str:
    """`JUN-A00042`: the town's prefix, A for appointment, the number."""
    return f"{config.cases.reference_prefix}-A{appointment_id:05d}"


def book(
    session: Session,
    config: Config,
    *,
    slot_id: int,
    resident_id: int,
    user_id: str,
    account_id: str,
    channel: Channel,
    language: str,
    now: datetime,
    message_id: int | None = None,
) -> Appointment | None:
    """Book a seat in the slot for the resident; None when the slot was just taken."""
    slot = session.get(AppointmentSlotRow, slot_id)
    if slot is None or not take_seat(session, slot_id):
        return None
    row = AppointmentRow(
        reference=f"pending-{uuid.uuid4().hex[:24]}",
        department=slot.department,
        slot_id=slot_id,
        resident_id=resident_id,
        user_id=user_id,
        account_id=account_id,
        channel=channel,
        language=language,
        booked_at=now,
        message_id=message_id,
    )
    session.add(row)
    session.flush()
    row.reference = reference_for(config, _id(row))
    session.flush()
    return load(session, row)


def move(session: Session, appointment_id: int, slot_id: int) -> Appointment | None:
    """Move a booked appointment to another slot; None when that slot was just taken."""
    row = _row(session, appointment_id)
    if not take_seat(session, slot_id):
        return None
    free_seat(session, row.slot_id)
    row.slot_id, row.reminded_at = slot_id, None
    session.add(row)
    session.flush()
    return load(session, row)


def cancel(session: Session, appointment_id: int, now: datetime) -> Appointment:
    """Cancel a booked appointment and free its seat."""
    row = _row(session, appointment_id)
    if row.status is AppointmentStatus.CANCELLED:
        raise AppointmentCancelledError(row.reference)
    row.status, row.cancelled_at = AppointmentStatus.CANCELLED, now
    free_seat(session, row.slot_id)
    session.add(row)
    session.flush()
    return load(session, row)


def upcoming(session: Session, resident_id: int, now: datetime) -> list[Appointment]:
    """The resident's booked appointments that have not started yet, soonest first."""
    statement = (
        select(AppointmentRow, AppointmentSlotRow)
        .join(AppointmentSlotRow, col(AppointmentSlotRow.id) == col(AppointmentRow.slot_id))
        .where(
            AppointmentRow.resident_id == resident_id,
            AppointmentRow.status == AppointmentStatus.BOOKED,
            col(AppointmentSlotRow.starts_at) > now,
        )
        .order_by(col(AppointmentSlotRow.starts_at))
    )
    return [_appointment(row, slot) for row, slot in session.exec(statement).all()]


def by_reference(session: Session, reference: str) -> Appointment:
    """The appointment with this reference (any case), or AppointmentNotFoundError."""
    statement = select(AppointmentRow).where(AppointmentRow.reference == reference.strip().upper())
    row = session.exec(statement).first()
    if row is None:
        raise AppointmentNotFoundError(reference)
    return load(session, row)


def day_list(
    session: Session, config: Config, day: date, department: str | None = None
) -> list[tuple[Appointment, str | None]]:
    """The booked appointments of a local day, by time, with the resident's name (staff only)."""
    start, end = day_bounds(config, day)
    statement = (
        select(AppointmentRow, AppointmentSlotRow, ResidentRow.name)
        .join(AppointmentSlotRow, col(AppointmentSlotRow.id) == col(AppointmentRow.slot_id))
        .join(ResidentRow, col(ResidentRow.id) == col(AppointmentRow.resident_id))
        .where(
            AppointmentRow.status == AppointmentStatus.BOOKED,
            col(AppointmentSlotRow.starts_at) >= start,
            col(AppointmentSlotRow.starts_at) < end,
        )
        .order_by(col(AppointmentSlotRow.starts_at), col(AppointmentRow.id))
    )
    if department is not None:
        statement = statement.where(AppointmentRow.department == department)
    return [(_appointment(row, slot), name) for row, slot, name in session.exec(statement).all()]


def describe(config: Config, appointment: Appointment) -> dict[str, str]:
    """The values texts quote: department name, local date and time, reference."""
    zone_moment = appointment.starts_at.astimezone(zone(config))
    language = appointment.language
    names = config.departments[appointment.department].name
    return {
        "department": names.get(language) or next(iter(names.values())),
        "when": format_when(zone_moment, language),
        "reference": appointment.reference,
    }


def reminder_due(config: Config, appointment: Appointment) -> datetime:
    """When the reminder goes: the day before the appointment at the book's reminder time."""
    book = config.appointments[appointment.department]
    day_before = local_day(config, appointment.starts_at) - timedelta(days=1)
    return at_local_time(config, day_before, book.reminder_time)


def send_reminders(session: Session, config: Config, now: datetime) -> int:
    """Queue the day-before reminder DM of every appointment whose reminder time has come, once;
    returns how many were queued. Appointments booked after their reminder time get none."""
    statement = (
        select(AppointmentRow, AppointmentSlotRow)
        .join(AppointmentSlotRow, col(AppointmentSlotRow.id) == col(AppointmentRow.slot_id))
        .where(
            AppointmentRow.status == AppointmentStatus.BOOKED,
            col(AppointmentRow.reminded_at).is_(None),
            col(AppointmentSlotRow.starts_at) > now,
            col(AppointmentSlotRow.starts_at) <= now + timedelta(days=2),
        )
    )
    queued = 0
    for row, slot in session.exec(statement).all():
        appointment = _appointment(row, slot)
        if appointment.department not in config.appointments:
            continue
        due = reminder_due(config, appointment)
        if not (row.booked_at < due <= now):
            continue
        text = say("reminder", appointment.language, **describe(config, appointment))
        enqueue(
            session,
            key=f"appointment:{appointment.id}:reminder:{appointment.slot_id}",
            account_id=appointment.account_id,
            kind=OutboxKind.DM,
            text=text,
            target=appointment.user_id,
            priority=Priority.NOTICE,
            private=True,
            channel=appointment.channel,
            choices=held(appointment, appointment.language),
        )
        row.reminded_at = now
        session.add(row)
        queued += 1
    session.flush()
    return queued


def notify_cancelled(session: Session, config: Config, appointment: Appointment) -> None:
    """Tell the resident by DM that staff cancelled their appointment."""
    text = say("cancelled_by_staff", appointment.language, **describe(config, appointment))
    enqueue(
        session,
        key=f"appointment:{appointment.id}:cancelled",
        account_id=appointment.account_id,
        kind=OutboxKind.DM,
        text=text,
        target=appointment.user_id,
        priority=Priority.ACK,
        private=True,
        channel=appointment.channel,
    )


def load(session: Session, row: AppointmentRow) -> Appointment:
    """The domain view of an appointment row (with its slot's times)."""
    slot = session.get(AppointmentSlotRow, row.slot_id)
    if slot is None:  # pragma: no cover - the foreign key keeps it
        raise AppointmentNotFoundError(row.reference)
    return _appointment(row, slot)


def _row(session: Session, appointment_id: int) -> AppointmentRow:
    row = session.get(AppointmentRow, appointment_id)
    if row is None:
        raise AppointmentNotFoundError(str(appointment_id))
    return row


def _appointment(row: AppointmentRow, slot: AppointmentSlotRow) -> Appointment:
    return Appointment(
        id=_id(row),
        reference=row.reference,
        department=row.department,
        slot_id=row.slot_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        resident_id=row.resident_id,
        user_id=row.user_id,
        account_id=row.account_id,
        language=row.language,
        status=row.status,
        booked_at=row.booked_at,
        cancelled_at=row.cancelled_at,
        reminded_at=row.reminded_at,
        channel=row.channel,
    )


def _id(row: AppointmentRow) -> int:
    if row.id is None:  # pragma: no cover - flushed before use
        raise ValueError("appointment row has no id yet")
    return row.id
