"""Satisfaction surveys: after resolution the resident is asked privately, on the channel they
wrote on, for a rating from 1 to 5, and a DM there that answers it is stored on the case (which
then closes).

A message is taken as a rating only when it is a DM whose whole text is one digit 1-5 (optionally
"/5", a full stop or an exclamation mark; Thai digits too), or a pressed rating button (the
survey offers the five as choices: LINE draws them as quick replies whose postback data is
`rate:<REFERENCE>:<n>`), and its author has a resolved case whose survey is still unanswered;
anything else goes on to routing as usual.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, select

from jun_engine.cases.outgoing import case_key
from jun_engine.cases.repository import add_event, move, opening_message
from jun_engine.cases.texts import say
from jun_engine.config.schema import Config
from jun_engine.domain.cases import can_move
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.statuses import CaseStatus
from jun_engine.outbox.answer import answer
from jun_engine.outbox.api import Priority
from jun_engine.pipeline.turn import Turn
from jun_engine.store.tables import CaseRow

RATING = re.compile(r"^\s*([1-5๑-๕])\s*(?:/\s*5)?\s*[.!]*\s*$")
THAI_DIGITS = str.maketrans("๑๒๓๔๕", "12345")
RATE = "rate"
"""The first field of a rating button's data: `rate:<REFERENCE>:<n>`."""


def rating_choices(reference: str) -> tuple[Choice, ...]:
    """The five rating buttons of a case's survey (1 to 5 stars)."""
    return tuple(Choice(f"{n} " + "★" * n, data=f"{RATE}:{reference}:{n}") for n in range(1, 6))


def parse_pressed(action: str | None) -> tuple[str, int] | None:
    """The case reference and rating of a pressed rating button, or None."""
    if action is None:
        return None
    head, _, rest = action.partition(":")
    reference, _, number = rest.rpartition(":")
    if head != RATE or not reference or number not in {"1", "2", "3", "4", "5"}:
        return None
    return reference, int(number)


def request_rating(session: Session, case: CaseRow, config: Config, now: datetime) -> bool:
    """Queue the survey for a just-resolved case, once, privately on the channel the resident
    wrote on, from the town's account there; whether it was queued."""
    if not config.cases.satisfaction_survey or not case.author_id:
        return False
    if case.survey_sent_at is not None or case.satisfaction is not None:
        return False
    message = opening_message(session, case)
    if message is None:
        return False
    text = say(config, "survey", case.language, reference=case.reference)
    queued = answer(
        session,
        config,
        message,
        text,
        key=case_key(case, "survey"),
        privately=True,
        from_town=True,
        priority=Priority.NOTICE,
        case_id=case.id,
        choices=rating_choices(case.reference),
    )
    case.survey_sent_at = now
    session.add(case)
    add_event(session, case, "survey_sent", actor="engine", at=now)
    return queued is not None


def is_rating(message: InboundMessage) -> bool:
    """Whether `message` gives a rating: a pressed rating button, or a text that is only one."""
    return parse_pressed(message.action) is not None or parse_rating(message.text) is not None


def parse_rating(text: str) -> int | None:
    """The rating a DM gives, or None if it is not just a rating."""
    match = RATING.match(text)
    return int(match.group(1).translate(THAI_DIGITS)) if match else None


def handle_rating(message: InboundMessage, turn: Turn) -> bool:
    """Store a DM that answers a pending survey; True if it did (the message is done)."""
    session, config, now = turn.session, turn.config, turn.now
    if message.kind is not MessageKind.DM:
        return False
    pressed = parse_pressed(message.action)
    rating = pressed[1] if pressed is not None else parse_rating(message.text)
    if rating is None:
        return False
    case = _awaiting_rating(session, message, None if pressed is None else pressed[0])
    if case is None:
        return False
    case.satisfaction = rating
    session.add(case)
    add_event(
        session,
        case,
        "rated",
        actor=message.author_id,
        at=now,
        detail=str(rating),
        ref=message.platform_id,
    )
    if can_move(case.status, CaseStatus.CLOSED):
        move(session, case, CaseStatus.CLOSED, kind="closed", actor="engine", at=now)
    answer(
        session,
        config,
        message,
        say(config, "survey_thanks", case.language, rating=rating),
        key=case_key(case, "rated"),
        priority=Priority.NOTICE,
        case_id=case.id,
    )
    return True


def _awaiting_rating(
    session: Session, message: InboundMessage, reference: str | None
) -> CaseRow | None:
    """The author's latest case on the message's channel whose survey is unanswered (the case
    `reference` names, when a button said which)."""
    statement = (
        select(CaseRow)
        .where(
            CaseRow.channel == message.channel,
            CaseRow.author_id == message.author_id,
            CaseRow.survey_sent_at.is_not(None),  # type: ignore[union-attr]
            CaseRow.satisfaction.is_(None),  # type: ignore[union-attr]
        )
        .order_by(CaseRow.survey_sent_at.desc())  # type: ignore[union-attr]
    )
    if reference is not None:
        statement = statement.where(CaseRow.reference == reference)
    return session.exec(statement).first()
