# ruff: noqa: E501  (the tables are the specification: one question and its answer per line)
"""Instant answers in Spanish, English and Thai: menus (incl. a holiday), opening hours, rubbish
days (incl. a district with no collection today), the next council meeting, verifying, help."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import OutboxKind
from jun_engine.store.session import session_scope
from tests.selfservice.town import add_menu, add_resident, outbox, say_and_process

HOLY_THURSDAY = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
"""Thursday 2 April 2026, 10:00 in Jun: a town holiday."""

CASES = [
    # (question, answer starts with / contains)
    ("¿Qué hay hoy de menú en el comedor?", "Menú de CEIP de Jun, hoy (lunes 2 de marzo): Lentejas, Merluza, Fruta. Alérgenos: pescado."),
    ("What's for lunch at school today?", "CEIP de Jun lunch menu, today (Monday 2 March): Lentejas, Merluza, Fruta. Allergens: fish."),
    ("เมนูอาหารกลางวันวันนี้คืออะไร", "เมนูอาหารกลางวัน CEIP de Jun วันนี้ (วันจันทร์ที่ 2 มีนาคม): Lentejas, Merluza, Fruta"),
    ("¿Y mañana qué menú hay?", "Aún no tenemos el menú de CEIP de Jun para el martes 3 de marzo."),
    ("¿A qué hora abre el consultorio?", "Horario de Consultorio de Salud: lunes a viernes 08:00-15:00."),
    ("What are the Health centre opening hours?", "Health centre opening hours: Monday to Friday 08:00-15:00."),
    ("ศูนย์สุขภาพเปิดกี่โมง", "เวลาทำการของศูนย์สุขภาพ: วันจันทร์ถึงวันศุกร์ 08:00-15:00"),
    ("¿Qué días recogen la basura en Los Llanos?", "Recogida de basura en Los Llanos: martes, jueves y sábado. Hoy no hay recogida; la próxima es el martes 3 de marzo."),
    ("Which days is the rubbish collected in Centro?", "Rubbish collection in Centro: Monday, Wednesday, Friday and Sunday. There is a collection today."),
    ("เก็บขยะที่ Urbanizaciones วันไหน", "วันเก็บขยะที่ Urbanizaciones: วันอังคาร และวันเสาร์ วันนี้ไม่มีเก็บขยะ ครั้งต่อไปคือวันอังคารที่ 3 มีนาคม"),
    ("¿Cuándo es el próximo pleno?", "El próximo pleno municipal es el jueves 26 de marzo a las 19:00."),
    ("When is the next council meeting?", "The next council meeting is on Thursday 26 March at 19:00."),
    ("ประชุมสภาครั้งต่อไปเมื่อไหร่", "การประชุมสภาครั้งต่อไปคือวันพฤหัสบดีที่ 26 มีนาคม เวลา 19:00 น."),
    ("¿Cómo verifico mi cuenta?", "Tu cuenta ya está verificada: puedes usar todos los servicios por aquí."),
    ("#ayuda", "Cómo usar Jun por aquí:"),
    ("help", "How to use Jun here:"),
    ("วิธีใช้", "วิธีใช้บริการ Jun ที่นี่:"),
]  # fmt: skip


def test_each_question_gets_an_instant_public_reply_in_its_language(
    engine: Engine, config: Config, now: datetime
) -> None:
    # Given today's menu at the school and a resident whose language is Spanish
    with session_scope(engine) as session:
        add_menu(session, date(2026, 3, 2), ["Lentejas", "Merluza", "Fruta"], "fish")
        person = add_resident(session, language="es")
    for question, expected in CASES:
        # When the question is asked in a mention
        before = len(outbox(engine))
        mention = f"@AytoJun {question}"
        assert say_and_process(engine, config, person, mention, now, kind=MessageKind.MENTION), (
            question
        )
        # Then a public reply (a thread when long) answers it, in the language of the question
        replies = outbox(engine)[before:]
        assert replies, question
        assert {row.kind for row in replies} == {OutboxKind.REPLY}, question
        assert not any(row.private for row in replies), question
        assert replies[0].text.startswith(expected), (question, replies[0].text)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("¿Qué hay de menú hoy?", "Hoy (jueves 2 de abril) no hay comedor en CEIP de Jun: es festivo."),
        ("What's on the menu today?", "There is no school lunch at CEIP de Jun today (Thursday 2 April): it is a holiday."),
        ("เมนูวันนี้", "วันนี้ (วันพฤหัสบดีที่ 2 เมษายน) ไม่มีอาหารกลางวันที่ CEIP de Jun: เป็นวันหยุด"),
    ],
)  # fmt: skip
def test_a_holiday_has_no_menu_and_says_why(
    engine: Engine, config: Config, question: str, expected: str
) -> None:
    with session_scope(engine) as session:
        person = add_resident(session)
    assert say_and_process(engine, config, person, question, HOLY_THURSDAY)
    assert outbox(engine)[-1].text == expected


def test_rubbish_days_by_dm_use_the_resident_s_district_but_never_in_public(
    engine: Engine, config: Config, now: datetime
) -> None:
    with session_scope(engine) as session:
        person = add_resident(session, district="Los Llanos")
    assert say_and_process(engine, config, person, "¿qué días pasa la basura?", now)
    assert outbox(engine)[-1].text.startswith("Recogida de basura en Los Llanos: martes")
    assert say_and_process(
        engine, config, person, "@AytoJun ¿qué días pasa la basura?", now, kind=MessageKind.MENTION
    )
    public = outbox(engine)[-1]
    assert public.kind is OutboxKind.REPLY
    assert public.text.startswith("Días de recogida de basura:\nCentro:")


@pytest.mark.parametrize(
    "text",
    [
        "No han recogido la basura en Centro desde el lunes y huele fatal.",
        "¿Cuál es el menú del comedor esta semana? Mi hija tiene alergia al huevo.",
        "¿A qué hora abre la piscina municipal este verano?",
        "La farola de la calle Real lleva tres noches fundida.",
        "Hola, tengo una consulta sobre Aguas: grifo. ¿Me pueden ayudar?",
    ],
)
def test_what_self_service_cannot_answer_goes_on_to_the_departments(
    engine: Engine, config: Config, now: datetime, text: str
) -> None:
    with session_scope(engine) as session:
        person = add_resident(session)
    assert not say_and_process(engine, config, person, text, now, kind=MessageKind.MENTION)
    assert outbox(engine) == []


def test_hostile_text_is_read_without_crashing(
    engine: Engine, config: Config, now: datetime
) -> None:
    hostile = "\u202e¿eh?\u202c 🔥\x07\u200b " + "ー" * 10_000
    with session_scope(engine) as session:
        person = add_resident(session)
    assert say_and_process(engine, config, person, "quiero cita con el médico", now)
    # a 10,000-character answer to an offer is not a pick, and nothing breaks
    assert say_and_process(engine, config, person, hostile, now)
    assert outbox(engine)[-1].text.startswith("No he entendido tu elección")
