"""A LINE town in the tests: the emulator, the real `LineDelivery` (line-bot-sdk over HTTP), the
outbox and its sender on the test database, and helpers to play residents and read LINE's ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.line.client import line_clients
from jun_engine.channels.line.delivery import LineDelivery
from jun_engine.config.environment import LineCredentials
from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.ledger import Entry
from jun_engine.outbox.api import enqueue
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    LineReplyTokenRow,
    LineSendRow,
    OutboxRow,
    ResidentIdentityRow,
    ResidentRow,
)
from tests.emulator.line.clients import admin, friend


class LineTown:
    """The engine's LINE delivery against a running emulator, turned by hand."""

    def __init__(self, engine: Engine, line: LineEmulator) -> None:
        self.engine, self.line = engine, line
        self.clock = line.clock
        channel = line.state.channel
        self.bot = channel.bot_user_id
        credentials = LineCredentials("town", channel.secret, channel.access_token)
        self.delivery = LineDelivery(
            engine, {self.bot: line_clients(credentials, line.base_url)}, self.clock
        )
        self.sender = OutboxSender(engine, {Channel.LINE: self.delivery}, self.clock)

    def resident(self, name: str = "田中 花子") -> str:
        """A LINE friend of the account who is a resident of the register; their user id."""
        user_id = friend(self.line, name)
        with session_scope(self.engine) as session:
            resident = ResidentRow(name=name, district="Centro")
            session.add(resident)
            session.flush()
            assert resident.id is not None
            session.add(
                ResidentIdentityRow(resident_id=resident.id, channel=Channel.LINE, user_id=user_id)
            )
        return user_id

    def writes(self, user_id: str, text: str) -> str:
        """They send text; its reply token is stored as intake stores it. The message id."""
        sent = admin(self.line, "POST", f"users/{user_id}/text", {"text": text})
        with session_scope(self.engine) as session:
            session.add(
                LineReplyTokenRow(
                    account_id=self.bot,
                    platform_id=sent["messageId"],
                    user_id=user_id,
                    token=sent["replyToken"],
                    received_at=self.clock.now(),
                )
            )
        return str(sent["messageId"])

    def token_of(self, platform_id: str) -> str:
        with Session(self.engine) as session:
            row = session.exec(
                select(LineReplyTokenRow).where(LineReplyTokenRow.platform_id == platform_id)
            ).one()
            return row.token

    def answer(
        self, platform_id: str, text: str, key: str, choices: tuple[Choice, ...] = ()
    ) -> int:
        """Queue a private reply to the message, as LINE's addressing makes it."""
        with session_scope(self.engine) as session:
            queued = enqueue(
                session,
                key=key,
                account_id=self.bot,
                kind=OutboxKind.REPLY,
                text=text,
                target=platform_id,
                private=True,
                channel=Channel.LINE,
                choices=choices,
            )
        assert queued is not None
        return queued

    def dm(self, user_id: str, text: str, key: str) -> int:
        """Queue a message to the resident that answers none of theirs (always a push)."""
        with session_scope(self.engine) as session:
            queued = enqueue(
                session,
                key=key,
                account_id=self.bot,
                kind=OutboxKind.DM,
                text=text,
                target=user_id,
                private=True,
                channel=Channel.LINE,
            )
        assert queued is not None
        return queued

    def step(self, seconds: float) -> None:
        self.line.step(seconds)

    def ledger(self) -> list[Entry]:
        """Every sending request LINE carried out."""
        return self.line.state.ledger.page(0, 10_000)

    def received(self, user_id: str) -> list[dict[str, Any]]:
        return list(admin(self.line, "GET", f"users/{user_id}/messages")["messages"])

    def row(self, outbox_id: int) -> OutboxRow:
        with Session(self.engine) as session:
            row = session.get(OutboxRow, outbox_id)
            assert row is not None
            return row

    def sends(self) -> list[LineSendRow]:
        with Session(self.engine) as session:
            statement = select(LineSendRow).order_by(LineSendRow.id)  # type: ignore[arg-type]
            return list(session.exec(statement).all())

    def later(self, seconds: float = 30) -> None:
        """Let time pass past the sender's wait before it looks at an uncertain item."""
        self.step(seconds)

    @staticmethod
    def minutes(n: float) -> timedelta:
        return timedelta(minutes=n)
