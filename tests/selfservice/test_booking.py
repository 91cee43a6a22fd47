"""Booking by DM: offers, picking, moving, cancelling, limits, closures and public requests."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.channels.x.addressing import tagged_reply
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import AppointmentStatus, OutboxKind
from jun_engine.selfservice import appointments, conversation, slots
from jun_engine.selfservice.errors import DayHasBookingsError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import AppointmentRow, AppointmentSlotRow
from tests.selfservice.town import add_resident, last_dm, later, outbox, say_and_process


def _booked(engine: Engine) -> list[AppointmentRow]:
    with session_scope(engine) as session:
        statement = select(AppointmentRow).where(AppointmentRow.status == AppointmentStatus.BOOKED)
        return list(session.exec(statement).all())


def test_a_resident_books_the_doctor_by_dm_in_two_messages(
    engine: Engine, config: Config, now: datetime
) -> None:
    # Given a verified resident
    with session_scope(engine) as session:
        lola = add_resident(session)
    # When she asks for an appointment by DM
    assert say_and_process(engine, config, lola, "Hola, quiero cita con el médico", now)
    # Then she is offered the next three free slots, in Spanish, at least an hour ahead
    offers = last_dm(engine, lola)
    assert offers.startswith("Próximas citas libres en Consultorio de Salud:")
    assert "1. lunes 2 de marzo a las 11:00" in offers
    assert "2. lunes 2 de marzo a las 11:15" in offers
    assert "3. lunes 2 de marzo a las 11:30" in offers
    # When she answers with the second one
    assert say_and_process(engine, config, lola, "la segunda", later(now, minutes=2))
    # Then it is booked, and the DM confirms it with a reference
    [booked] = _booked(engine)
    assert booked.reference == "JUN-A00001"
    confirmation = last_dm(engine, lola)
    assert "lunes 2 de marzo a las 11:15" in confirmation
    assert "JUN-A00001" in confirmation
    with session_scope(engine) as session:
        assert conversation.load(session, Channel.X, lola.user_id, now) is None
        assert session.get(AppointmentSlotRow, booked.slot_id).booked == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "language", "first_line"),
    [
        ("I need a doctor's appointment", "en", "Next free appointments at the Health centre:"),
        ("สวัสดีค่ะ อยากนัดหมอค่ะ", "th", "นัดว่างถัดไปที่ศูนย์สุขภาพ:"),
    ],
)
def test_offers_come_in_the_language_the_resident_wrote(
    engine: Engine, config: Config, now: datetime, text: str, language: str, first_line: str
) -> None:
    with session_scope(engine) as session:
        person = add_resident(session, language="es")
    assert say_and_process(engine, config, person, text, now)
    assert last_dm(engine, person).startswith(first_line)
    assert say_and_process(engine, config, person, "1", later(now, minutes=1))
    assert ("Reference" if language == "en" else "หมายเลขอ้างอิง") in last_dm(engine, person)


def test_a_public_booking_request_is_answered_by_dm_and_only_a_pointer_in_public(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        manuel = add_resident(session)
    assert say_and_process(
        engine, config, manuel, "@AytoJun quiero cita con el médico", now, kind=MessageKind.MENTION
    )
    public = [row for row in outbox(engine) if row.kind is not OutboxKind.DM]
    [pointer] = public
    assert pointer.target is not None
    # the pointer, made distinct per mention so that X takes it for every resident
    assert pointer.text == tagged_reply("Te hemos escrito por mensaje directo.", pointer.target)
    assert not pointer.private
    assert "11:00" in last_dm(engine, manuel)


def test_moving_an_appointment_keeps_its_reference_and_frees_the_old_slot(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    say_and_process(engine, config, lola, "1", later(now, minutes=1))
    [first] = _booked(engine)
    # When she asks to move it and picks the first new offer
    assert say_and_process(engine, config, lola, "quiero cambiar mi cita", later(now, minutes=5))
    assert "JUN-A00001" in last_dm(engine, lola)
    assert say_and_process(engine, config, lola, "1", later(now, minutes=6))
    # Then the same appointment sits in another slot, and the old seat is free again
    [moved] = _booked(engine)
    assert (moved.id, moved.reference) == (first.id, first.reference)
    assert moved.slot_id != first.slot_id
    assert last_dm(engine, lola).startswith("Cita cambiada.")
    with session_scope(engine) as session:
        assert session.get(AppointmentSlotRow, first.slot_id).booked == 0  # type: ignore[union-attr]


def test_cancelling_by_dm_frees_the_seat_for_someone_else(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola, manuel = add_resident(session), add_resident(session, name="Manuel")
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    say_and_process(engine, config, lola, "1", later(now, minutes=1))
    assert say_and_process(engine, config, lola, "cancelar mi cita", later(now, minutes=2))
    assert last_dm(engine, lola).startswith("Cita JUN-A00001 del lunes 2 de marzo a las 11:00")
    assert _booked(engine) == []
    # (at 10:00, so 11:00 is still an hour ahead)
    say_and_process(engine, config, manuel, "quiero cita con el médico", now)
    assert "1. lunes 2 de marzo a las 11:00" in last_dm(engine, manuel)


def test_a_resident_cannot_hold_more_future_bookings_than_configured(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    say_and_process(engine, config, lola, "2", later(now, minutes=1))
    assert say_and_process(engine, config, lola, "otra cita con el médico", later(now, minutes=2))
    assert last_dm(engine, lola).startswith("Ya tienes una cita pendiente, el máximo")
    assert len(_booked(engine)) == 1


def test_cancelling_with_no_appointment_says_so(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        somchai = add_resident(session, language="th")
    assert say_and_process(engine, config, somchai, "ยกเลิกนัด", now)
    assert last_dm(engine, somchai) == "คุณไม่มีนัดที่กำลังจะถึง"


def test_an_answer_that_is_not_a_pick_is_asked_again_and_stop_ends_the_dialogue(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    assert say_and_process(engine, config, lola, "mmm 🤔", later(now, minutes=1))
    assert last_dm(engine, lola).startswith("No he entendido tu elección")
    assert say_and_process(engine, config, lola, "no", later(now, minutes=2))
    assert last_dm(engine, lola) == "De acuerdo, no cambio nada."
    assert _booked(engine) == []
    # a later "1" is no longer a pick: it goes on to the departments
    assert not say_and_process(engine, config, lola, "1", later(now, minutes=3))


def test_an_offer_expires_after_the_configured_time(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    assert not say_and_process(engine, config, lola, "2", later(now, hours=25))
    assert _booked(engine) == []


def test_closures_holidays_and_closed_days_are_never_offered(
    engine: Engine, config: Config, now: datetime
) -> None:
    # Given Monday afternoon and Tuesday closed by staff
    with session_scope(engine) as session:
        slots.close_day(session, config, "health", date(2026, 3, 3))
        lola = add_resident(session)
    late = datetime(2026, 3, 2, 12, 30, tzinfo=now.tzinfo)  # 13:30 in Jun: 14:00 is the last end
    say_and_process(engine, config, lola, "quiero cita con el médico", late)
    offers = last_dm(engine, lola)
    # Then the first offers are on Wednesday (Monday is over, Tuesday closed)
    assert "1. miércoles 4 de marzo a las 08:30" in offers
    assert "martes" not in offers


def test_a_configured_closure_and_a_town_holiday_have_no_slots(
    engine: Engine, config: Config
) -> None:
    with session_scope(engine) as session:
        assert slots.day_slots(session, config, "health", date(2026, 8, 17)) == []  # closure
        assert slots.day_slots(session, config, "health", date(2026, 4, 3)) == []  # Good Friday
        assert len(slots.day_slots(session, config, "health", date(2026, 3, 4))) == 22


def test_a_day_with_bookings_cannot_be_closed(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    say_and_process(engine, config, lola, "1", later(now, minutes=1))
    with pytest.raises(DayHasBookingsError, match="1 appointment"), session_scope(engine) as s:
        slots.close_day(s, config, "health", date(2026, 3, 2))
    with session_scope(engine) as session:
        [appointment] = appointments.upcoming(session, lola.resident_id, now)
        appointments.cancel(session, appointment.id, now)
        assert slots.close_day(session, config, "health", date(2026, 3, 2)) == 21


def test_a_slot_taken_meanwhile_gets_a_polite_no_and_new_offers(
    engine: Engine, config: Config, now: datetime
) -> None:
    # Given two residents offered the same slots
    with session_scope(engine) as session:
        lola, manuel = add_resident(session), add_resident(session, name="Manuel")
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    say_and_process(engine, config, manuel, "quiero cita con el médico", now)
    # When Lola takes the first and Manuel then picks it too
    say_and_process(engine, config, lola, "1", later(now, minutes=1))
    assert say_and_process(engine, config, manuel, "1", later(now, minutes=1))
    # Then Manuel hears it was just taken, with new offers that leave it out
    answer = last_dm(engine, manuel)
    assert answer.startswith("Lo sentimos, esa hora se acaba de ocupar. Próximas citas libres")
    assert "a las 11:00" not in answer
    assert say_and_process(engine, config, manuel, "1", later(now, minutes=2))
    assert len(_booked(engine)) == 2


def test_the_dialogue_survives_a_new_engine_on_the_same_database(
    db_url: str, engine: Engine, config: Config, now: datetime
) -> None:
    from jun_engine.store.engine import create_engine_from_url

    with session_scope(engine) as session:
        lola = add_resident(session)
    say_and_process(engine, config, lola, "quiero cita con el médico", now)
    engine.dispose()
    # a "restarted daemon": a new engine, nothing kept in memory
    fresh = create_engine_from_url(db_url)
    try:
        assert say_and_process(fresh, config, lola, "3", later(now, minutes=30))
        assert "11:30" in last_dm(fresh, lola)
        assert len(_booked(fresh)) == 1
    finally:
        fresh.dispose()
