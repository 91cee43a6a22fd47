"""Day-before reminders (once, at the configured time), and the share of messages answered
without a department."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.selfservice.appointments import send_reminders
from jun_engine.selfservice.metrics import self_service_counts, self_service_share
from jun_engine.store.session import session_scope
from tests.selfservice.town import add_resident, last_dm, later, outbox, say_and_process

TUESDAY_NOON = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)  # 12:00 in Jun


def test_the_reminder_goes_the_day_before_at_the_reminder_time_and_only_once(
    engine: Engine, config: Config
) -> None:
    # Given an appointment booked on Tuesday for Wednesday 08:30
    with session_scope(engine) as session:
        lola = add_resident(session)
    tuesday_evening = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 17:00: after the last Tuesday slot
    say_and_process(engine, config, lola, "quiero cita con el médico", tuesday_evening)
    say_and_process(engine, config, lola, "1", later(tuesday_evening, minutes=1))
    queued = len(outbox(engine))
    # When the reminder job runs before 18:00, at 18:00 and again later
    with session_scope(engine) as session:
        assert send_reminders(session, config, datetime(2026, 3, 3, 16, 59, tzinfo=UTC)) == 0
    with session_scope(engine) as session:
        assert send_reminders(session, config, datetime(2026, 3, 3, 17, 0, tzinfo=UTC)) == 1
    with session_scope(engine) as session:
        assert send_reminders(session, config, datetime(2026, 3, 3, 19, 0, tzinfo=UTC)) == 0
    # Then one private DM reminds her, in her language, with the time and reference
    assert len(outbox(engine)) == queued + 1
    reminder = outbox(engine)[-1]
    assert reminder.private
    assert reminder.text == last_dm(engine, lola)
    assert reminder.text.startswith(
        "Recordatorio: mañana tienes cita en Consultorio de Salud, "
        "miércoles 4 de marzo a las 08:30."
    )


def test_an_appointment_booked_after_its_reminder_time_gets_no_reminder(
    engine: Engine, config: Config
) -> None:
    with session_scope(engine) as session:
        lola = add_resident(session)
    late = datetime(2026, 3, 3, 21, 0, tzinfo=UTC)  # 22:00 Tuesday, for Wednesday
    say_and_process(engine, config, lola, "quiero cita con el médico", late)
    say_and_process(engine, config, lola, "1", later(late, minutes=1))
    with session_scope(engine) as session:
        assert send_reminders(session, config, later(late, minutes=5)) == 0


def test_the_share_counts_messages_answered_without_a_department(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        person = add_resident(session)
    say_and_process(engine, config, person, "#ayuda", now, kind=MessageKind.MENTION)
    say_and_process(engine, config, person, "quiero cita con el médico", now)
    say_and_process(engine, config, person, "2", now)
    say_and_process(engine, config, person, "La farola de la calle Real no funciona", now)
    with session_scope(engine) as session:
        counts = self_service_counts(session)
        assert (counts.processed, counts.answered) == (4, 3)
        assert counts.by_kind == {"help": 1, "booking_offer": 1, "booked": 1}
        assert self_service_share(session) == 0.75
        assert self_service_share(session, since=later(now, days=1)) == 0.0
