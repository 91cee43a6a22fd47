"""Messages from accounts that are not verified: kept, answered once per period, and served
anyway when they are emergencies or police reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from jun_engine.channels.x.splitting import split_post
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.statuses import MessageStatus, OutboxKind
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.texts import guess_language, how_to_verify
from jun_engine.store.tables import InboundMessageRow
from tests.residents.conftest import Inbox
from tests.residents.scene import INTRUDER, START, admit, outbox, process

STRANGER = "1600000000000000001"


def test_an_unverified_dm_waits_and_gets_one_private_how_to_verify_answer(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    text = "Mi vecino del 3ºB, Juan Pérez, tira basura al solar"
    message = inbox(STRANGER, text)
    admission = process(session, verifier, config, message, START)
    assert admission.outcome is AdmissionOutcome.WAITING
    assert not admission.proceeds
    assert message.status is MessageStatus.WAITING_VERIFICATION
    assert message.text == text
    (answer,) = outbox(session)
    assert (answer.kind, answer.target, answer.private) == (OutboxKind.DM, STRANGER, True)
    assert "Registro del Ayuntamiento" in answer.text
    assert "@AytoJun" in answer.text
    assert "Juan Pérez" not in answer.text
    assert "basura" not in answer.text


def test_an_unverified_mention_gets_a_public_reply_that_never_quotes_it(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    message = inbox(
        STRANGER, "@AytoJun the streetlight on my street is broken", kind=MessageKind.MENTION
    )
    process(session, verifier, config, message, START)
    (answer,) = outbox(session)
    assert (answer.kind, answer.target, answer.private) == (
        OutboxKind.REPLY,
        message.platform_id,
        False,
    )
    assert answer.text.startswith("Hello.")  # in the language of the mention
    assert "streetlight" not in answer.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ไฟถนนหน้าบ้านดับค่ะ", "th"),
        ("Hello, when is the market open?", "en"),
        ("¿Cuándo abre el mercado?", "es"),
        ("la farola de mi calle", "es"),
        ("👍👍", "es"),  # nothing to tell: the town's default language
    ],
)
def test_the_answer_is_in_the_message_language(config: Config, text: str, language: str) -> None:
    assert guess_language(text, config) == language


@pytest.mark.parametrize("language", ["es", "en", "th"])
def test_every_how_to_verify_answer_fits_one_public_reply(config: Config, language: str) -> None:
    assert len(split_post(how_to_verify(config, language))) == 1


def test_at_most_one_answer_per_account_per_interval(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    interval = config.verification.instructions_interval
    # Given a stranger who writes five times in a few minutes, by DM and in public
    for minute in range(5):
        kind = MessageKind.DM if minute % 2 else MessageKind.MENTION
        moment = START + timedelta(minutes=minute)
        process(session, verifier, config, inbox(STRANGER, f"hola {minute}", kind=kind), moment)
    # Then one answer went out, and all five messages are kept waiting
    assert len(outbox(session)) == 1
    # And within an interval of that answer there is still no second one
    process(session, verifier, config, inbox(STRANGER, "¿hola?"), START + interval)
    assert len(outbox(session)) == 1
    # But two intervals later there is
    process(session, verifier, config, inbox(STRANGER, "¿hola?"), START + 2 * interval)
    assert len(outbox(session)) == 2


def test_the_once_per_interval_rule_survives_a_crash(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # Given a message whose processing crashes before the commit
    first = inbox(STRANGER, "hola")
    session.commit()
    admit(session, verifier, config, first, START)
    session.rollback()
    # Then nothing was queued, and the message is still NEW to be processed again
    session.expire_all()
    assert outbox(session) == []
    assert first.status is MessageStatus.NEW
    # When it is processed again, and then another message arrives in the same period
    process(session, verifier, config, first, START)
    process(session, verifier, config, inbox(STRANGER, "¿hola?"), START + timedelta(hours=1))
    # Then exactly one answer is queued
    assert len(outbox(session)) == 1


def test_processing_the_same_message_twice_queues_nothing_twice(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    message = inbox(STRANGER, "hola")
    process(session, verifier, config, message, START)
    process(session, verifier, config, message, START)
    assert len(outbox(session)) == 1


def test_a_mention_that_does_not_name_the_account_waits_without_a_reply(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    # X refuses replies to posts that did not @mention the replying account
    message = inbox(STRANGER, "y sigue igual", kind=MessageKind.MENTION, mentions="")
    assert process(session, verifier, config, message, START).outcome is AdmissionOutcome.WAITING
    assert outbox(session) == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("¡Hay un incendio en el solar de la calle Real!", "emergency"),
        ("Fire in the old mill, lots of smoke 🔥", "emergency"),
        ("ไฟไหม้ที่ตลาด", "emergency"),
        ("Quiero denunciar un robo en mi garaje", "police_report"),
        ("My bike was stolen last night", "police_report"),
        ("La farola está apagada", None),
        ("¿Cuándo abre la piscina?", None),
    ],
)
def test_which_messages_are_open_to_anyone(
    config: Config, verifier: Verifier, text: str, intent: str | None
) -> None:
    assert verifier.open_intent(text, "", config) == intent


def test_an_emergency_from_anyone_is_admitted_without_a_how_to_answer(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    message = inbox(STRANGER, "¡Hay un incendio en el solar de la calle Real!")
    admission = process(session, verifier, config, message, START)
    assert (admission.outcome, admission.open_intent) == (
        AdmissionOutcome.ADMITTED_OPEN,
        "emergency",
    )
    assert admission.proceeds
    assert admission.resident_id is None
    assert message.status is MessageStatus.PROCESSED
    assert outbox(session) == []


def test_open_to_anyone_is_configurable(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    closed = config.model_copy(
        update={"verification": config.verification.model_copy(update={"open_to_anyone": []})}
    )
    message = inbox(STRANGER, "¡Hay un incendio en el solar!")
    assert process(session, verifier, closed, message, START).outcome is AdmissionOutcome.WAITING


def test_an_emergency_with_a_wrong_code_is_still_served(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    message = inbox(INTRUDER, "ZZZZ-2222 incendio en la calle!!")
    admission = process(session, verifier, config, message, START)
    assert admission.outcome is AdmissionOutcome.ADMITTED_OPEN


def test_hostile_text_is_kept_exactly_and_answered_without_a_trace_of_it(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    text = ("\u202eمرحبا\u202c \x07\x1b[31m 👨‍👩‍👧‍👦 ZZ" * 400)[:10_000]
    message = inbox(STRANGER, text)
    admission = process(session, verifier, config, message, START)
    assert admission.outcome is AdmissionOutcome.WAITING
    session.expire_all()
    assert session.get(InboundMessageRow, message.id).text == text  # type: ignore[union-attr]
    assert "مرحبا" not in outbox(session)[0].text
