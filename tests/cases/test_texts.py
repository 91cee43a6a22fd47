"""What staff read from the case desk: one language a message, plurals by each language's rules,
and people named by @handle, never by a bare numeric X id."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from jun_engine.cases import commands
from jun_engine.cases.digest import digest_text
from jun_engine.cases.names import actor_name, author_of
from jun_engine.cases.repository import history, open_cases
from jun_engine.cases.sla import escalate_overdue
from jun_engine.cases.texts import FIELD, TEXTS, WORDS, say
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import CaseStatus, OutboxKind
from jun_engine.store.tables import CaseRow, OutboxRow
from tests.cases.conftest import MONDAY, RESIDENT_ID, StoreMessage, ids, notified_by_dm
from tests.cases.test_opening import admitted, routed
from tests.stages import handle_staff_dm, open_case

LANGUAGES = ("es", "en", "th", "ja")
ENGLISH_IN_SPANISH = re.compile(
    r"\b(answer|resolve|note|reroute|merge|acknowledged|routed|unknown|command|emergency)\b"
)


def in_language(config: Config, language: str) -> Config:
    town = config.town.model_copy(update={"default_language": language})
    return config.model_copy(update={"town": town})


def notification(session: Session, config: Config, department: str) -> str:
    rows = session.exec(
        select(OutboxRow).where(
            OutboxRow.target == ids(config)[department], OutboxRow.kind == OutboxKind.DM
        )
    )
    [row] = [r for r in rows if ":notify:" in r.idempotency_key]
    return row.text


# --- the table -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_every_language_with_the_same_fields(key: str) -> None:
    table = TEXTS[key]
    assert set(table) == set(LANGUAGES)
    fields = set()
    for template in table.values():
        forms = [template] if isinstance(template, str) else list(template.values())
        if not isinstance(template, str):
            assert "other" in template
        for form in forms:
            fields.add(frozenset(FIELD.findall(form)))
    assert len(fields) == 1, fields


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_status_urgency_and_target_has_a_word_in_every_language(key: str) -> None:
    assert set(WORDS[key]) == set(LANGUAGES)
    assert all(word.strip() for word in WORDS[key].values())


def test_every_case_status_has_its_words() -> None:
    assert {f"status_{status.value}" for status in CaseStatus} <= set(WORDS)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("es", 1, "1 caso abierto"),
        ("es", 2, "2 casos abiertos"),
        ("es", 0, "0 casos abiertos"),
        ("en", 1, "1 open case"),
        ("en", 21, "21 open cases"),
        ("en", 0, "0 open cases"),
        ("th", 1, "เรื่องค้าง 1 เรื่อง"),
        ("th", 5, "เรื่องค้าง 5 เรื่อง"),
    ],
)
def test_counts_take_the_plural_form_their_language_asks_for(
    config: Config, language: str, count: int, expected: str
) -> None:
    assert say(config, "open_cases", language, count=count) == expected


# --- the digest ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "head", "line"),
    [
        ("es", "Aguas: 1 caso abierto (0 fuera de plazo)", "· recibido · vence"),
        ("en", "Water: 1 open case (0 overdue)", "· acknowledged · due"),
        ("th", "เรื่องค้าง 1 เรื่อง (เกินกำหนด 0 เรื่อง)", "· รับเรื่องแล้ว · กำหนด"),
    ],
)
def test_the_digest_is_in_the_towns_language_statuses_and_counts_included(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    language: str,
    head: str,
    line: str,
) -> None:
    message = store_message("@AytoJun fuga de agua en la calle Real")
    open_case(session, message, admitted(None), routed("water"), config, MONDAY)
    town = in_language(config, language)
    text = digest_text(
        open_cases(session, "water"), "water", town, MONDAY, ZoneInfo(config.town.timezone)
    )
    first, second = text.splitlines()
    assert head in first
    assert line in second
    assert "acknowledged" not in text or language == "en"


# --- answers to staff ----------------------------------------------------------------------------


@pytest.fixture
def streetlight(session: Session, config: Config, store_message: StoreMessage) -> CaseRow:
    message = store_message("@AytoJun la farola de la calle Real está fundida")
    case_id = open_case(
        session, message, admitted(None), routed("public_works", "streetlights"), config, MONDAY
    )
    case = session.get(CaseRow, case_id)
    assert case is not None
    return case


def staff_answers(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    texts: list[str],
) -> list[str]:
    """Send each text as a DM from the public works account; the town's answers, in order."""
    sender = ids(config)["public_works"]
    answers = []
    for text in texts:
        message = store_message(text, kind=MessageKind.DM, author=sender, handle="JunObras")
        handle_staff_dm(session, message, config, MONDAY.replace(hour=11))
        [row] = session.exec(
            select(OutboxRow).where(OutboxRow.idempotency_key == f"staff:{message.platform_id}")
        ).all()
        answers.append(row.text)
    return answers


def test_every_answer_to_staff_is_in_the_towns_language_with_no_raw_value(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    ref = streetlight.reference
    answers = staff_answers(
        session,
        config,
        store_message,
        [
            f"{ref} Mañana pasa la brigada.",
            f"nota {ref} revisar el viernes",
            "hazlo ya",
            f"{ref}",
            f"reasignar {ref} bomberos",
            f"reasignar {ref} water farolas",
            f"fusionar {ref} en {ref}",
            f"resolver {ref}",
            "nota",
        ],
    )
    assert answers[:2] == [
        f"Hecho: respuesta enviada al vecino ({ref}).",
        f"Hecho: nota interna guardada ({ref}).",
    ]
    assert answers[2] == (
        "No he entendido la orden: no conozco la orden «hazlo». Escribe «ayuda» para ver las "
        "órdenes."
    )
    assert "falta la respuesta después de" in answers[3]
    assert "no hay ningún departamento «bomberos» (hay: " in answers[4]
    assert "Aguas no tiene la categoría «farolas»" in answers[5]
    assert answers[6] == "No se ha hecho: un caso no se puede fusionar consigo mismo."
    assert answers[7] == f"Hecho: caso resuelto ({ref})."
    assert "falta la referencia del caso" in answers[8]
    for answer in answers:
        assert not ENGLISH_IN_SPANISH.search(answer), answer


def test_a_town_in_english_answers_its_staff_in_english(
    session: Session, config: Config, store_message: StoreMessage, streetlight: CaseRow
) -> None:
    town = in_language(config, "en")
    ref = streetlight.reference
    answers = staff_answers(session, town, store_message, [f"note {ref} call back", "do it"])
    assert answers[0] == f"Done: internal note saved ({ref})."
    assert answers[1].startswith("I did not understand that: there is no command “do”.")


# --- people by handle ----------------------------------------------------------------------------


def test_the_notification_names_the_author_by_the_handle_x_gave(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    config = notified_by_dm(config, "public_works")
    message = store_message("@AytoJun farola fundida", handle="ana_jun")
    open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)
    text = notification(session, config, "public_works")
    assert "De @ana_jun: «" in text
    assert RESIDENT_ID not in text.replace(message.platform_id, "")


def test_without_a_handle_on_the_message_the_last_one_seen_is_used(
    session: Session,
    config: Config,
    store_message: StoreMessage,
    verified_resident: Callable[..., int],
) -> None:
    config = notified_by_dm(config, "public_works")
    resident = verified_resident()  # on the register as @lola_jun
    message = store_message("@AytoJun farola fundida", handle=None)
    open_case(session, message, admitted(resident), routed("public_works"), config, MONDAY)
    assert "De @lola_jun: «" in notification(session, config, "public_works")


def test_an_author_x_never_named_is_not_shown_by_a_bare_id(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    config = notified_by_dm(config, "public_works")
    message = store_message("@AytoJun farola fundida", author="2128235060795543552", handle=None)
    open_case(session, message, admitted(None), routed("public_works"), config, MONDAY)
    text = notification(session, config, "public_works")
    assert "2128235060795543552" not in text
    assert "De una cuenta de X cuyo @ aún no conocemos: «" in text
    assert "@2128235060795543552" not in text


def test_case_history_actors_read_as_handles(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    store_message("@AytoJun hola", author="4242", handle="pepe_jun")
    assert actor_name(session, config, ids(config)["public_works"]) == "@JunObras"
    assert actor_name(session, config, "4242") == "@pepe_jun"
    assert actor_name(session, config, "999") == "x:999"
    assert actor_name(session, config, "engine") == "engine"
    assert actor_name(session, config, "staff:maria") == "staff:maria"


def test_an_author_without_a_handle_is_named_by_their_channel(
    session: Session, config: Config
) -> None:
    def written(channel: Channel) -> InboundMessage:
        return InboundMessage(
            channel=channel,
            kind=MessageKind.DM,
            platform_id="1",
            account_id="U" + "a" * 32,
            author_id="U" + "b" * 32,
            text="hola",
            created_at=MONDAY,
        )

    assert author_of(session, written(Channel.LINE), config, "es") == "una cuenta de LINE"
    assert author_of(session, written(Channel.OPEN311), config, "en") == "an account on Open311"
    unknown = say(config, "unknown_author", "en")
    assert author_of(session, written(Channel.X), config, "en") == unknown


def test_an_escalation_names_who_was_told_by_handle(
    session: Session, config: Config, store_message: StoreMessage
) -> None:
    message = store_message("@AytoJun fuga de agua en la calle Real")
    case_id = open_case(session, message, admitted(None), routed("water"), config, MONDAY)
    assert escalate_overdue(session, config, MONDAY + timedelta(days=30)) >= 1
    details = [e.detail or "" for e in history(session, case_id) if e.kind == "escalated"]
    mayor = config.accounts["mayor"]
    assert details
    assert all(f"told @{mayor.handle}" in d and mayor.user_id not in d for d in details)


def test_every_reason_a_command_is_not_understood_has_its_text() -> None:
    source = Path(commands.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'CommandSyntaxError\(\s*f?"[^"]*",\s*"(\w+)"', source))
    assert raised >= {"empty", "unknown_command", "no_answer", "note_empty"}
    assert {f"problem_{key}" for key in raised} <= set(TEXTS)
