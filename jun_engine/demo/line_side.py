"""The demo's LINE side: the town's LINE official account on the LINE emulator, on the demo's
clock, with the emulator's Thai residents (Hat Yai's people, Jun's Thai speakers) writing to it,
linked to the register through the same one-time codes as on X, and judged from the emulator's
own record: every event stored once, every case acknowledged once in the resident's chat.

    LineSide(config, clock, ...)   the emulator, its town behind a gate
    .configured(port)              accounts.yaml's `line` section pointed at the emulator
    .start() / .open(engine)       serve; residents befriend the account and send their codes
    .close_gate() / .drained()     the town stops writing / everything it wrote is answered
    .figures(session)              the LINE figures of the summary
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.config.schema import Config, LineSettings
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import MessageStatus
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.residents import Residents
from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.line.town import HAT_YAI, LineSimulatedTown
from jun_engine.residents.enrolment import enrol
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow, OutboxRow

ACCOUNT_KEY = "line_town"
PLAN = "th_basic"
"""Thailand's Basic plan: 15,000 pushes a month, plenty for a demo day."""
CODE_TEXT = "สวัสดีค่ะ รหัสยืนยันของฉันคือ {code}"
VERIFIED_SHARE = 0.75
"""Three in four of the LINE residents have linked their account at the town hall."""
ACTOR = "demo"


class GatedLineTown:
    """The LINE town, acting until `close()`."""

    def __init__(self, town: LineSimulatedTown) -> None:
        self.town = town
        self._open = threading.Event()
        self._open.set()

    def advance(self, residents: Residents, state: LineState) -> None:
        """Let the town act up to now, unless the gate is closed."""
        if self._open.is_set():
            self.town.advance(residents, state)

    def close(self) -> None:
        """Nobody on LINE writes from now on."""
        self._open.clear()


@dataclass(frozen=True, slots=True)
class LineFigures:
    """The LINE figures of a run (the summary's `channels.line`)."""

    messages_received: int
    verification_messages: int
    messages_stored: int
    duplicates: int
    lost: int
    unprocessed: int
    cases: int
    acknowledgements: int
    duplicate_acknowledgements: int
    private_leaks: int
    quota_used: int
    replies_free: int
    pushes: int

    def as_json(self) -> dict[str, Any]:
        """The figures as a JSON object."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class LineSide:
    """The LINE emulator and its town, for one demo run."""

    def __init__(self, clock: Clock, *, seed: int, rate_per_hour: float, per_city: int) -> None:
        self.emulator = LineEmulator(seed=seed, clock=clock, plan=PLAN)
        self.town = LineSimulatedTown(
            seed=seed, rate_per_hour=rate_per_hour, per_city=per_city, cities=(HAT_YAI,)
        )
        self.gate = GatedLineTown(self.town)
        self._seed = seed
        self.code_event_ids: list[str] = []

    def configured(self, config: Config, port: int) -> Config:
        """`config` with its `line` section pointed at this emulator's channel, the webhook
        served on `port` (the channel's ids are the emulator's, minted from the seed)."""
        channel = self.emulator.state.channel
        section = {
            "webhook": {"host": "127.0.0.1", "port": port},
            "accounts": {
                ACCOUNT_KEY: {
                    "channel_id": channel.channel_id,
                    "bot_user_id": channel.bot_user_id,
                    "display_name": f"{config.town.name} LINE",
                    "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                    "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
                    "plan": PLAN,
                    "language": "th",
                }
            },
        }
        return config.model_copy(update={"line": LineSettings.model_validate(section)})

    def environment(self) -> dict[str, str]:
        """The variables the configured section names, with the emulator's credentials."""
        channel = self.emulator.state.channel
        return {
            "JUN_LINE_CHANNEL_SECRET": channel.secret,
            "JUN_LINE_CHANNEL_ACCESS_TOKEN": channel.access_token,
        }

    def start(self) -> str:
        """Serve the emulator; its base URL."""
        return self.emulator.start()

    def open(self, engine: Engine, config: Config, webhook_url: str) -> None:
        """Point the webhooks at the engine, create the town's people, link three in four of
        them (enrolled, each sends their code in the chat) and let the town write."""
        self.emulator.state.webhook.url = webhook_url
        self.town.advance(self.emulator.residents, self.emulator.state)  # creates the people
        rng = random.Random(f"line-demo:{self._seed}")  # noqa: S311 (a simulation's choice)
        now = self.emulator.clock.now()
        for friend in self.town.people:
            if rng.random() >= VERIFIED_SHARE:
                continue
            with session_scope(engine) as session:
                issued = enrol(
                    session,
                    config,
                    name=friend.display_name,
                    district=rng.choice(config.town.districts),
                    now=now,
                    actor=ACTOR,
                    language="th",
                )
            sent = self.emulator.residents.text(friend.user_id, CODE_TEXT.format(code=issued.code))
            self.code_event_ids.append(sent["webhookEventId"])
        self.emulator.attach_town(self.gate)

    def close_gate(self) -> None:
        """The LINE town stops writing."""
        self.gate.close()

    def stop(self) -> None:
        """Stop the emulator."""
        self.emulator.stop()

    def wanted(self) -> set[str]:
        """Every webhook event id the engine must have stored (one row each)."""
        sent = {event for s in self.town.sent for event in s.webhook_event_ids}
        return sent | set(self.code_event_ids)

    def stored_events(self, session: Session) -> Counter[str]:
        """The webhook event ids of the LINE rows stored, with how often each is."""
        rows = session.exec(
            select(InboundMessageRow.raw).where(col(InboundMessageRow.channel) == Channel.LINE)
        ).all()
        return Counter(_event_id(raw) for raw in rows)

    def drained(self, session: Session) -> bool:
        """Whether every event the town sent is stored and processed."""
        new = session.exec(
            select(InboundMessageRow.id).where(
                col(InboundMessageRow.channel) == Channel.LINE,
                col(InboundMessageRow.status) == MessageStatus.NEW,
            )
        ).first()
        return self.wanted() <= set(self.stored_events(session)) and new is None

    def figures(self, session: Session, x_public_texts: list[str]) -> LineFigures:
        """The LINE figures: the database against the emulator's record."""
        wanted = self.wanted()
        stored = self.stored_events(session)
        cases = session.exec(select(CaseRow).where(col(CaseRow.channel) == Channel.LINE)).all()
        acks = _acknowledgements(session, self.emulator, cases)
        report = self.emulator.state.ledger.report(0, 0)
        endpoints = report["endpoints"]
        unprocessed = session.exec(
            select(InboundMessageRow.id).where(
                col(InboundMessageRow.channel) == Channel.LINE,
                col(InboundMessageRow.status) == MessageStatus.NEW,
            )
        ).all()
        return LineFigures(
            messages_received=len(wanted) - len(self.code_event_ids),
            verification_messages=len(self.code_event_ids),
            messages_stored=len(wanted & set(stored)),
            duplicates=sum(n - 1 for n in stored.values()),
            lost=len(wanted - set(stored)),
            unprocessed=len(unprocessed),
            cases=len(cases),
            acknowledgements=acks[0],
            duplicate_acknowledgements=acks[1],
            private_leaks=_leaks(self.town, x_public_texts),
            quota_used=int(report["quota_cost"]),
            replies_free=int(endpoints.get("reply", {}).get("delivered", 0)),
            pushes=int(endpoints.get("push", {}).get("requests", 0)),
        )


def _event_id(raw: str) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    return str(data.get("webhookEventId", "")) if isinstance(data, dict) else ""


def _acknowledgements(
    session: Session, emulator: LineEmulator, cases: Sequence[CaseRow]
) -> tuple[int, int]:
    """Cases whose acknowledgement (the outbox's `case:<REF>:ack` item) reached the resident's
    chat on the emulator, and those it reached more than once."""
    received: dict[str, Counter[str]] = {
        friend.user_id: Counter(_text(record) for record in friend.received)
        for friend in emulator.state.friends.all()
    }
    acknowledged = twice = 0
    for case in cases:
        ack = session.exec(
            select(OutboxRow).where(
                col(OutboxRow.idempotency_key).startswith(f"case:{case.reference}:ack")
            )
        ).first()
        message = session.get(InboundMessageRow, case.message_id) if case.message_id else None
        if ack is None or message is None:
            continue
        copies = received.get(message.author_id, Counter())[ack.text]
        acknowledged += copies > 0
        twice += copies > 1
    return acknowledged, twice


def _text(record: dict[str, object]) -> str:
    """The text of a message in a resident's chat (the emulator keeps each with how it came)."""
    message = record.get("message")
    return str(message.get("text", "")) if isinstance(message, dict) else ""


def _leaks(town: LineSimulatedTown, public: list[str]) -> int:
    """Public X posts that quote what a LINE resident wrote privately."""
    texts = {s.text for s in town.sent}
    return sum(1 for post in public for text in texts if text[:24] in post)
