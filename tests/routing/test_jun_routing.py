"""The shipped Jun router, table-driven: every department and intent, in Spanish, English and
Thai, mixed-language, hashtag-only and emoji-only messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jun_engine.config import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.routing import Intent, Layer, Urgency
from jun_engine.routing.router import Router

# (text, department, category or None when any category is fine)
DEPARTMENTS = [
    # town_hall
    ("Necesito un certificado de empadronamiento", "town_hall", "paperwork"),
    ("I need a certificate for my residence permit", "town_hall", "paperwork"),
    ("ขอใบรับรองทะเบียนราษฎรครับ", "town_hall", "paperwork"),
    # public_works
    ("La farola de mi calle está apagada", "public_works", "streetlights"),
    ("There is a pothole outside the bakery", "public_works", "potholes"),
    ("ไฟถนนดับหน้าบ้าน", "public_works", "streetlights"),
    ("Otra vez sin luz en todo el barrio", "public_works", "power_cuts"),
    # street_cleaning
    ("No han recogido la basura en tres días", "street_cleaning", None),
    ("The bin on my street is overflowing", "street_cleaning", "bins"),
    ("ถังขยะเต็มล้นมาหลายวัน", "street_cleaning", "bins"),
    # water
    ("Hay una fuga de agua en la calle Real", "water", "leaks"),
    ("There is no water coming from the tap", "water", "supply"),
    ("ท่อแตกน้ำรั่วเต็มถนน", "water", "leaks"),
    # police
    ("Los vecinos tienen la música altísima, no paran los ruidos", "police", "noise"),
    ("A car is badly parked across my driveway", "police", "parking"),
    ("เพื่อนบ้านเปิดเพลงเสียงดังทั้งคืน", "police", "noise"),
    # health
    ("Quiero cambiar mi cita con el médico", "health", "appointments"),
    ("When can I get the flu vaccine?", "health", "vaccines"),
    ("อยากนัดหมอพรุ่งนี้", "health", "appointments"),
    # school
    ("¿Cuál es el menú del comedor del colegio mañana?", "school", "canteen"),
    ("How do I apply for school enrolment?", "school", None),
    ("ลูกแพ้อาหาร โรงอาหารมีเมนูพิเศษไหม", "school", "canteen"),
    # social_services
    ("Mi padre es mayor y necesita ayuda a domicilio", "social_services", "elderly_care"),
    ("I need to talk to a social worker about housing", "social_services", None),
    ("คุณยายเป็นผู้สูงอายุ อยากได้คนดูแลที่บ้าน", "social_services", "elderly_care"),
    # culture_sport
    ("¿A qué hora abre la piscina municipal?", "culture_sport", "facilities"),
    ("When is the summer concert in the square?", "culture_sport", "events"),
    ("สระว่ายน้ำเปิดกี่โมง", "culture_sport", "facilities"),
]


@pytest.mark.parametrize(("text", "department", "category"), DEPARTMENTS)
def test_every_department_in_three_languages(
    jun_router: Router, text: str, department: str, category: str | None
) -> None:
    routing = jun_router.classify_text(text)
    assert routing.department == department, routing.reasons
    if category is not None:
        assert routing.category == category, routing.reasons
    assert routing.automatic


def test_the_table_covers_every_department_of_the_shipped_config(jun_config: Config) -> None:
    assert {row[1] for row in DEPARTMENTS} == set(jun_config.departments)


INTENTS = [
    ("La farola está rota desde hace una semana", Intent.COMPLAINT),
    ("The streetlight is broken again", Intent.COMPLAINT),
    ("ไฟถนนเสียอีกแล้ว", Intent.COMPLAINT),
    ("¿Cuándo abre la biblioteca?", Intent.QUESTION),
    ("When does the library open?", Intent.QUESTION),
    ("ห้องสมุดเปิดเมื่อไหร่", Intent.QUESTION),
    ("Quiero pedir cita con la enfermera", Intent.APPOINTMENT),
    ("I would like to book an appointment with the doctor", Intent.APPOINTMENT),
    ("ขอนัดหมอวันจันทร์", Intent.APPOINTMENT),
    ("Quiero denunciar que me han robado la bici", Intent.POLICE_REPORT),
    ("My car was stolen last night", Intent.POLICE_REPORT),
    ("รถจักรยานโดนขโมยหน้าบ้าน", Intent.POLICE_REPORT),
    ("Propongo poner una fuente en el parque", Intent.SUGGESTION),
    ("I suggest more benches in the square", Intent.SUGGESTION),
    ("อยากให้มีม้านั่งในสวนเพิ่ม", Intent.SUGGESTION),
    ("Muchas gracias por arreglar el bache tan rápido", Intent.THANKS),
    ("Thank you for fixing the streetlight", Intent.THANKS),
    ("ขอบคุณที่ซ่อมไฟถนนให้ครับ", Intent.THANKS),
]


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_every_intent_in_three_languages(jun_router: Router, text: str, intent: Intent) -> None:
    assert jun_router.classify_text(text).intent is intent


def test_the_table_covers_every_intent() -> None:
    assert {row[1] for row in INTENTS} == set(Intent)


EMERGENCIES = [
    "¡Hay un incendio en el monte detrás del colegio!",
    "Accidente de moto en la rotonda, hay un herido",
    "Huele muchísimo a gas en el portal",
    "The street is flooded and water is getting into houses",
    "There is a fight with violence outside the bar",
    "ไฟไหม้ที่ตลาด",
    "รถชนกันที่สี่แยก มีคนบาดเจ็บ",
    "🔥🔥🔥",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergency_words_open_the_fast_lane(jun_router: Router, text: str) -> None:
    routing = jun_router.classify_text(text)
    assert routing.urgency is Urgency.EMERGENCY
    assert routing.matches_any(["emergency"])


@pytest.mark.parametrize(
    "text",
    ["Buenas, ¿qué tal?", "La farola está apagada", "ok", "ไฟถนนดับ", "gasolinera abierta?"],
)
def test_ordinary_messages_are_not_emergencies(jun_router: Router, text: str) -> None:
    assert jun_router.classify_text(text).urgency is Urgency.NORMAL


MIXED = [
    ("Hola, the farola in my street no funciona", "public_works"),
    ("ขยะ not collected since Monday, la basura huele", "street_cleaning"),
    ("Water leak en la calle, น้ำรั่ว", "water"),
]


@pytest.mark.parametrize(("text", "department"), MIXED)
def test_mixed_language_messages(jun_router: Router, text: str, department: str) -> None:
    assert jun_router.classify_text(text).department == department


HASHTAG_ONLY = [
    ("#farola", "public_works", "streetlights"),
    ("#EndesaMeEstresa", "public_works", "power_cuts"),
    ("#JUNLIMPIO", "street_cleaning", None),
    ("#JunAgua", "water", None),
    ("#PolicíaLocalJun", "police", None),
    ("#policialocaljun", "police", None),
    ("#SaludJun", "health", None),
    ("#CEIPJun", "school", None),
    ("#JunDeporte", "culture_sport", None),
]


@pytest.mark.parametrize(("text", "department", "category"), HASHTAG_ONLY)
def test_hashtag_only_messages(
    jun_router: Router, text: str, department: str, category: str | None
) -> None:
    routing = jun_router.classify_text(text)
    assert (routing.department, routing.category, routing.layer) == (
        department,
        category,
        Layer.HASHTAG,
    )


EMOJI_ONLY = [
    ("🙏🙏", {"intent": Intent.THANKS}),
    ("👏", {"intent": Intent.THANKS}),
    ("🔥", {"urgency": Urgency.EMERGENCY}),
    ("🚨🚑", {"urgency": Urgency.EMERGENCY}),
    ("❓", {"intent": Intent.QUESTION}),
    ("💡❌", {"department": "public_works"}),
    ("😀😀😀", {"department": "town_hall"}),
]


@pytest.mark.parametrize(("text", "expected"), EMOJI_ONLY)
def test_emoji_only_messages(jun_router: Router, text: str, expected: dict[str, object]) -> None:
    routing = jun_router.classify_text(text)
    for field, value in expected.items():
        assert getattr(routing, field) == value, routing.reasons


def test_an_unclear_message_goes_to_triage_with_the_reason(jun_router: Router) -> None:
    routing = jun_router.classify_text("Hola buenas")
    assert routing.department == "town_hall"
    assert routing.layer is Layer.TRIAGE
    assert not routing.automatic
    assert any(r.layer == Layer.TRIAGE for r in routing.reasons)


def _message(text: str, account_id: str, mentioned: tuple[str, ...] = ()) -> InboundMessage:
    return InboundMessage(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id="1",
        account_id=account_id,
        author_id="99",
        text=text,
        created_at=datetime(2026, 5, 1, tzinfo=UTC),
        mentioned_ids=mentioned,
    )


def test_writing_to_a_department_account_routes_there(
    jun_router: Router, jun_config: Config
) -> None:
    water = jun_config.accounts["water"].user_id
    routing = jun_router.classify(_message("hay mucho ruido en la calle", water, (water,)))
    assert (routing.department, routing.layer, routing.confidence) == ("water", Layer.ACCOUNT, 1.0)


def test_the_town_account_is_no_signal_of_its_own(jun_router: Router, jun_config: Config) -> None:
    town = jun_config.accounts["town"].user_id
    routing = jun_router.classify(_message("La farola está apagada", town, (town,)))
    assert (routing.department, routing.layer) == ("public_works", Layer.KEYWORD)


def test_a_handle_in_the_text_counts_as_addressing(jun_router: Router) -> None:
    routing = jun_router.classify_text("@JunAguas hay ruido")
    assert (routing.department, routing.layer) == ("water", Layer.ACCOUNT)


HOSTILE = [
    "",
    "   ",
    "\x00\x01\x02",
    "‏مرحبا، المصباح مكسور‎",  # RTL with direction marks
    "farola " * 1500,
    "🔥" * 5000,
    "a\u0301" * 3000,
    "#" * 300,
    "@" * 300 + "@JunAguas",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_routed_without_error(jun_router: Router, text: str) -> None:
    routing = jun_router.classify_text(text)
    assert routing.department in jun_router.rules.departments
    assert 0.0 <= routing.confidence <= 1.0


@given(text=st.text(max_size=2000))
@settings(max_examples=60, deadline=None)
def test_classify_is_total_and_pure(jun_router: Router, text: str) -> None:
    assert jun_router.classify_text(text) == jun_router.classify_text(text)
