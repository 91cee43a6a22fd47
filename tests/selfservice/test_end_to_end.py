"""Against the emulator: residents book, move and cancel by DM, and read the real replies (the
options in words: X draws no buttons).

The resident's DMs go through the emulator's admin API, the town account reads them with tweepy
(`XGateway.dm_events`), the chain (verification, then self-service) processes them, and the real
`OutboxSender` sends the answers, which are read back as the DMs the resident received.
"""

from __future__ import annotations

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.channels.x.delivery import XDelivery
from jun_engine.config.schema import Config
from jun_engine.domain.choices import choices_from_json
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.outbox.sender import OutboxSender
from jun_engine.residents.verification import bind
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow, ResidentRow
from tests.selfservice.town import run_chain


class Jun:
    """The town account's side: read DMs, process them, send what was queued."""

    def __init__(self, emulator: Emulator, engine: Engine) -> None:
        self.emulator, self.engine, self.config = emulator, engine, emulator.config
        creds = credentials_for(self.config, "town", emulator.credentials_env())
        self.town_id = creds.user_id
        self.gateway = XGateway(creds, base_url=emulator.base_url)
        self.clock = emulator.clock
        x = XDelivery(engine, {self.town_id: self.gateway}, self.config, self.clock)
        self.sender = OutboxSender(engine, {Channel.X: x}, self.clock)

    def turn(self) -> None:
        """One poll, one processing pass, one sending pass, at the emulator's time."""
        now = self.emulator.clock.now()
        received = [m for m in self.gateway.dm_events().items if m.author_id != self.town_id]
        with session_scope(self.engine) as session:
            store_messages(session, received, Checkpoint(self.town_id, PollStream.DMS, None, now))
        run_chain(self.engine, self.config, now)
        self.sender.drain_once()

    def close(self) -> None:
        self.gateway.close()


def _resident(emulator: Emulator, engine: Engine, handle: str, name: str) -> str:
    user_id = emulator.sink.add_user(handle, name)
    with session_scope(engine) as session:
        row = ResidentRow(name=name, district="Centro", language="es")
        session.add(row)
        session.flush()
        bind(session, row, Identity(Channel.X, user_id), now=emulator.clock.now())
    return user_id


def _buttons(engine: Engine, text: str) -> list[str | None]:
    """The data of the buttons queued with the sent `text`."""
    with session_scope(engine) as session:
        row = session.exec(select(OutboxRow).where(OutboxRow.text == text)).one()
        return [choice.data for choice in choices_from_json(row.choices)]


def _received(emulator: Emulator, user_id: str) -> list[str]:
    reply = httpx.get(f"{emulator.base_url}/_emulator/dms", params={"recipient": user_id})
    reply.raise_for_status()
    return [dm["text"] for dm in reply.json()["dms"]]


def _says(emulator: Emulator, jun: Jun, user_id: str, text: str) -> str:
    """The resident DMs the town; returns the one answer they received."""
    before = len(_received(emulator, user_id))
    emulator.sink.dm(user_id, jun.town_id, text)
    emulator.step(60)
    jun.turn()
    new = _received(emulator, user_id)[before:]
    assert len(new) == 1, new
    return new[0]


def test_residents_book_move_and_cancel_by_dm_through_x(
    x_emulator: Emulator, engine: Engine
) -> None:
    config: Config = x_emulator.config
    assert config.appointments, "the shipped accounts.yaml has the health centre's book"
    jun = Jun(x_emulator, engine)
    try:
        lola = _resident(x_emulator, engine, "lola_jun", "Lola García")
        emma = _resident(x_emulator, engine, "emma_jun", "Emma Smith")
        # Lola books (Monday 10:01 in Jun, so the first slot offered is 11:15)
        offers = _says(x_emulator, jun, lola, "Hola, quiero cita con el médico")
        assert offers.splitlines()[1] == "1. lunes 2 de marzo a las 11:15"
        # the buttons offered with it (LINE's quick replies) stay in the outbox: X gets words
        assert _buttons(engine, offers) == [
            "book:health:2026-03-02T11:15+01:00",
            "book:health:2026-03-02T11:30+01:00",
            "book:health:2026-03-02T11:45+01:00",
            None,
            "stop:booking",
        ]
        assert "2. lunes 2 de marzo a las 11:30" in offers
        assert "book:" not in offers
        booked = _says(x_emulator, jun, lola, "1")
        assert booked.startswith(
            "Cita confirmada en Consultorio de Salud: lunes 2 de marzo a las 11:15"
        )
        assert "JUN-A00001" in booked
        # Emma, in English, is offered what is still free, and books it
        offers = _says(x_emulator, jun, emma, "I need a doctor's appointment please")
        assert "Monday 2 March at 11:15" not in offers
        assert "Reference: JUN-A00002" in _says(x_emulator, jun, emma, "1")
        # Lola moves hers to the next free time, keeping the reference
        moving = _says(x_emulator, jun, lola, "quiero cambiar mi cita")
        assert moving.startswith("Tu cita JUN-A00001 es el lunes 2 de marzo a las 11:15.")
        moved = _says(x_emulator, jun, lola, "la primera")
        assert moved.startswith("Cita cambiada.")
        assert "JUN-A00001" in moved
        # Emma cancels
        cancelled = _says(x_emulator, jun, emma, "cancel my appointment")
        assert cancelled.startswith("Appointment JUN-A00002 on Monday 2 March")
        # Nothing about any appointment was ever posted in public
        posts = httpx.get(f"{x_emulator.base_url}/_emulator/posts", params={"author": jun.town_id})
        assert posts.json()["posts"] == []
    finally:
        jun.close()
