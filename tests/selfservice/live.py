"""Residents on the emulated X talking to a real daemon: who they are, what they send, and what
the emulator and the database recorded for them (conditions the tests wait on)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import MessageStatus, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.residents.verification import bind
from jun_engine.store.tables import AppointmentRow, InboundMessageRow, OutboxRow, ResidentRow

OFFER_LINE = re.compile(r"^(\d)\. (.+)$", re.MULTILINE)
"""One offered slot in an offers DM: `2. lunes 2 de marzo a las 11:15`."""


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A resident verified at the town hall, with an account on the emulated X."""

    resident_id: int
    user_id: str
    handle: str


def verified_neighbour(emulator: Emulator, engine: Engine, handle: str) -> Neighbour:
    """A new X user, enrolled and verified as a resident (bound to that user id)."""
    user_id = emulator.sink.add_user(handle, handle)
    with Session(engine) as session:
        row = ResidentRow(name=handle, district="Centro", language="es")
        session.add(row)
        session.flush()
        bind(
            session, row, Identity(Channel.X, user_id, handle), now=datetime(2026, 1, 1, tzinfo=UTC)
        )
        session.commit()
        assert row.id is not None
        return Neighbour(row.id, user_id, handle)


def dm_the_town(emulator: Emulator, config: Config, who: Neighbour, text: str) -> str:
    """The resident DMs the town's account in the X app; the DM event's id."""
    return emulator.sink.dm(who.user_id, config.town_account().user_id, text)


def mention_the_town(emulator: Emulator, config: Config, who: Neighbour, text: str) -> str:
    """The resident posts `@<town> text` in the X app; the post's id."""
    return emulator.sink.tweet(who.user_id, f"@{config.town_account().handle} {text}")


def dms_from_town(emulator: Emulator, config: Config, who: Neighbour) -> list[str]:
    """The texts of every DM the town's account sent the resident, as X recorded them."""
    town = config.town_account().user_id
    return [e.text for e in emulator.state.dms_received_by(who.user_id) if e.sender_id == town]


def replies_to(emulator: Emulator, config: Config, post_id: str) -> list[str]:
    """The texts of the town account's public replies to one post, as X recorded them."""
    town = config.town_account().user_id
    return [p.text for p in emulator.state.posts_by(town) if p.in_reply_to_id == post_id]


def offered(offers_dm: str) -> dict[int, str]:
    """Option number -> the slot as the offers DM words it."""
    return {int(number): when for number, when in OFFER_LINE.findall(offers_dm)}


def settled(engine: Engine, who: Neighbour) -> bool:
    """Every message of the resident is processed, and everything queued to them (DMs) or in
    answer to them (replies to their posts) was sent."""
    with Session(engine) as session:
        messages = session.exec(
            select(InboundMessageRow.platform_id, InboundMessageRow.status).where(
                InboundMessageRow.author_id == who.user_id
            )
        ).all()
        targets = [who.user_id, *(platform_id for platform_id, _ in messages)]
        queued = session.exec(
            select(OutboxRow.status).where(col(OutboxRow.target).in_(targets))
        ).all()
    processed = {status for _, status in messages} == {MessageStatus.PROCESSED}
    return processed and set(queued) <= {OutboxStatus.SENT}


def messages_stored(engine: Engine, who: Neighbour) -> int:
    """How many of the resident's messages the daemon has stored."""
    with Session(engine) as session:
        statement = select(InboundMessageRow.id).where(InboundMessageRow.author_id == who.user_id)
        return len(session.exec(statement).all())


def appointments_of(engine: Engine, who: Neighbour) -> list[AppointmentRow]:
    """The resident's appointment rows, oldest first."""
    with Session(engine) as session:
        statement = (
            select(AppointmentRow)
            .where(AppointmentRow.resident_id == who.resident_id)
            .order_by(col(AppointmentRow.id))
        )
        return list(session.exec(statement).all())


def outbox_statuses(engine: Engine, target: str) -> list[OutboxStatus]:
    """The status of every outbox item aimed at `target` (a user id or a post id)."""
    with Session(engine) as session:
        statuses = session.exec(select(OutboxRow.status).where(OutboxRow.target == target))
        return [OutboxStatus(status) for status in statuses.all()]


def daemon_starts(log: Path) -> int:
    """How many daemons writing to `log` have finished starting (their SIGTERM handler is
    installed right after: a SIGTERM sent before would end the process uncleanly)."""
    return log.read_text(encoding="utf-8", errors="replace").count("daemon started: ")
