"""Answers to strangers (accounts that are not verified residents) are bounded per sender and
overall, go out after residents' answers, and expire: wrong codes cannot drain the town's DMs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import AdmissionOutcome
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.queue import next_due
from jun_engine.pipeline.verify import Verifier
from jun_engine.residents.codes import generate_code
from jun_engine.store.tables import OutboxRow, StrangerAnswerRow
from tests.residents.conftest import Inbox
from tests.residents.scene import MARIA, START, enrolled, outbox, process

HOSTILE = [f"16000000000000{n:05d}" for n in range(40)]
"""Forty accounts that are nobody's, each about to send five wrong codes."""


def wrong_codes(count: int, length: int) -> list[str]:
    return [generate_code(length) for _ in range(count)]


def test_wrong_codes_from_many_accounts_queue_a_bounded_number_of_dms_behind_residents(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    bounds = config.verification.stranger_answers
    issued = enrolled(session, config)
    town = config.town_account().user_id
    # Given 40 hostile accounts that each DM five wrong codes within ten minutes
    moment = START
    for _ in range(5):
        for account in HOSTILE:
            (code,) = wrong_codes(1, config.verification.code_length)
            process(session, verifier, config, inbox(account, code, at=moment), moment)
            moment += timedelta(seconds=3)
    assert moment - START <= timedelta(minutes=10)
    # When a real resident sends her code right after them
    message = inbox(MARIA, issued.code, at=moment)
    verified = process(session, verifier, config, message, moment)
    assert verified.outcome is AdmissionOutcome.VERIFIED
    # Then what was queued for the strangers is bounded per sender and overall
    queued = outbox(session)
    to_strangers = [item for item in queued if item.target in HOSTILE]
    assert 0 < len(to_strangers) <= bounds.per_hour
    assert len(to_strangers) <= 12  # the documented default: a fifth of an account's hourly DMs
    per_sender = {target: sum(i.target == target for i in to_strangers) for target in HOSTILE}
    assert max(per_sender.values()) <= bounds.per_sender + 1  # and one lockout notice
    # And each of them is below residents' answers and expires if it cannot go out soon
    for item in to_strangers:
        assert item.expires_at is not None
        assert item.expires_at <= moment + bounds.expire_after
    # And the sender's next choice is the resident's confirmation, whatever is queued before it
    first = next_due(session, moment, {Channel.X: [town]})
    assert first is not None
    assert first.target == MARIA
    assert first.key == f"verify-confirm:{message.platform_id}"
    confirmation = session.get(OutboxRow, first.id)
    assert confirmation is not None
    assert all(confirmation.priority > item.priority for item in to_strangers)


def test_one_sender_gets_at_most_per_sender_answers_then_silence_logged_at_debug(
    session: Session,
    config: Config,
    verifier: Verifier,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bounds = config.verification.stranger_answers
    stranger = HOSTILE[0]
    caplog.set_level(logging.DEBUG, logger="jun_engine")
    # When one account writes ten times and sends wrong codes within the sender window
    for minute in range(10):
        moment = START + timedelta(minutes=minute)
        text = "hola" if minute % 2 else generate_code(config.verification.code_length)
        process(session, verifier, config, inbox(stranger, text, at=moment), moment)
    # Then it got per_sender answers and the lockout notice at most, and the rest was silence
    # noted at debug level only
    answers = [item for item in outbox(session) if item.target == stranger]
    assert len(answers) == bounds.per_sender + 1
    assert "Demasiados códigos" in answers[-1].text
    withheld = [r for r in caplog.records if "withheld" in r.getMessage()]
    assert withheld
    assert {r.levelno for r in withheld} == {logging.DEBUG}
    assert all(stranger not in r.getMessage() for r in caplog.records)
    # And once the sender window has passed, it may be answered again
    later = START + timedelta(minutes=10) + bounds.sender_window
    process(session, verifier, config, inbox(stranger, "hola otra vez", at=later), later)
    assert len([item for item in outbox(session) if item.target == stranger]) <= (len(answers) + 1)


def test_the_overall_cap_holds_across_the_day(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    bounds = config.verification.stranger_answers
    # When a new stranger writes every minute for a day (each asking how to verify)
    for minute in range(0, 24 * 60, 2):
        moment = START + timedelta(minutes=minute)
        account = f"17{minute:017d}"
        process(session, verifier, config, inbox(account, "hola", at=moment), moment)
    # Then no hour saw more than per_hour answers and the day no more than per_day
    queued = [item for item in outbox(session) if item.kind is OutboxKind.DM]
    assert 0 < len(queued) <= bounds.per_day
    times = sorted(_queued_at(session, item) for item in queued)
    for index, at in enumerate(times):
        in_hour = [t for t in times[index:] if t < at + timedelta(hours=1)]
        assert len(in_hour) <= bounds.per_hour


def test_a_public_question_from_a_stranger_is_bounded_too(
    session: Session, config: Config, verifier: Verifier, inbox: Inbox
) -> None:
    bounds = config.verification.stranger_answers
    for n in range(bounds.per_hour + 5):
        moment = START + timedelta(seconds=n)
        row = inbox(f"18{n:017d}", "@AytoJun hola", kind=MessageKind.MENTION, at=moment)
        assert process(session, verifier, config, row, moment).outcome is AdmissionOutcome.WAITING
    replies = [item for item in outbox(session) if item.kind is OutboxKind.REPLY]
    assert len(replies) == bounds.per_hour


def _queued_at(session: Session, item: OutboxRow) -> datetime:
    """When the engine queued an answer, by its own clock (the stranger-answer record)."""
    statement = select(StrangerAnswerRow.at).where(
        col(StrangerAnswerRow.outbox_key) == item.idempotency_key
    )
    return session.exec(statement).one()
