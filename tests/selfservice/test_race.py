"""Many residents answer for the same slot at the same instant: exactly one gets it."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import AppointmentStatus
from jun_engine.selfservice.slots import day_slots
from jun_engine.store.errors import DatabaseError, IntegrityViolationError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import AppointmentRow, AppointmentSlotRow
from tests.selfservice.town import (
    add_message,
    add_resident,
    last_dm,
    later,
    process_one,
    say_and_process,
)

RESIDENTS = 8
RETRIES = 50
"""SQLite refuses a second writer at once ("database is locked"); the daemon then leaves the
message NEW and processes it again, which is what `_answer` does."""


def _answer(engine: Engine, config: Config, message_id: int, now: datetime) -> bool:
    for _ in range(RETRIES):
        try:
            return process_one(engine, config, message_id, now)
        except DatabaseError:
            continue
    raise AssertionError(f"message {message_id} was never processed")


def test_only_one_of_many_simultaneous_answers_gets_the_slot(
    engine: Engine, config: Config, now: datetime
) -> None:
    # Given eight residents who were all offered the same slots
    with session_scope(engine) as session:
        people = [add_resident(session, name=f"Vecino {n}") for n in range(RESIDENTS)]
    for person in people:
        say_and_process(engine, config, person, "quiero cita con el médico", now)
    # When all of them answer "1" (11:00, one seat) at the same instant
    answered_at = later(now, minutes=1)
    with session_scope(engine) as session:
        ids = [add_message(session, config, p, "1", at=answered_at).id or 0 for p in people]
    start = threading.Barrier(RESIDENTS)
    results: dict[int, bool] = {}

    def answer(message_id: int) -> None:
        start.wait()
        results[message_id] = _answer(engine, config, message_id, answered_at)

    threads = [threading.Thread(target=answer, args=(message_id,)) for message_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every answer was handled, exactly one appointment holds the slot, the seat count is 1
    assert list(results.values()) == [True] * RESIDENTS
    with session_scope(engine) as session:
        booked = session.exec(
            select(AppointmentRow).where(AppointmentRow.status == AppointmentStatus.BOOKED)
        ).all()
        assert len(booked) == 1
        slot = session.get(AppointmentSlotRow, booked[0].slot_id)
        assert slot is not None
        assert (slot.booked, f"{slot.starts_at:%H:%M}") == (1, "10:00")  # 11:00 in Jun
    # And the others heard politely that it was just taken, with new offers
    texts = [last_dm(engine, person) for person in people]
    winners = [t for t in texts if t.startswith("Cita confirmada")]
    losers = [t for t in texts if t.startswith("Lo sentimos, esa hora se acaba de ocupar.")]
    assert (len(winners), len(losers)) == (1, RESIDENTS - 1)
    assert all("Próximas citas libres" in t and "a las 11:00" not in t for t in losers)


def test_the_database_refuses_more_seats_than_capacity(engine: Engine, config: Config) -> None:
    with session_scope(engine) as session:
        slot = day_slots(session, config, "health", datetime(2026, 3, 4).date())[0]
    with pytest.raises(IntegrityViolationError), session_scope(engine) as session:
        session.execute(
            update(AppointmentSlotRow)
            .where(AppointmentSlotRow.id == slot.id)  # type: ignore[arg-type]
            .values(booked=slot.capacity + 1)
        )
