"""Benchmark: LINE answers on one core. The latency from a resident's message being stored (its
reply token with it, and the answer queued, as the webhook intake does in one transaction) to
LINE accepting the reply, at 50 messages a second, through the real outbox sender, the real
`LineDelivery` (line-bot-sdk over HTTP) and the LINE emulator; and the quota a case spends
against the least it could."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.channels.line.delivery import LineDelivery
from jun_engine.channels.ports import OutboxItem, Receipt
from jun_engine.config.environment import LineCredentials
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.friends import Friend
from jun_engine.outbox.api import enqueue
from jun_engine.outbox.sender import IDLE_SECONDS, OutboxSender
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineReplyTokenRow, LineSendRow

TITLE = "LINE answers: message stored -> reply accepted, and quota per case"
RATE = 50
"""Messages a second."""
SECONDS = 20
FRIENDS = 200
CASES = 200
ACK = "เราได้รับเรื่องของคุณแล้ว เลขที่อ้างอิง JUN-2026-000001 ฝ่ายโยธาจะดูแลและตอบกลับทางนี้"


def _one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "all cores (no affinity on this OS)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"core {core}"


class Timed(LineDelivery):
    """The LINE delivery, noting the moment LINE accepted each item (perf_counter seconds)."""

    def __init__(self, engine: Engine, clients: dict[str, LineClients], clock: Clock) -> None:
        super().__init__(engine, clients, clock)
        self.accepted: dict[int, float] = {}

    def send(self, item: OutboxItem) -> Receipt:
        receipt = super().send(item)
        self.accepted[item.id] = time.perf_counter()
        return receipt


class Bench:
    """An emulator and an engine database, sharing this process."""

    def __init__(self, folder: Path, clock: Clock) -> None:
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        self.engine: Engine = create_engine_from_url(url)
        self.line = LineEmulator(plan="unlimited", clock=clock)
        self.clock = clock
        channel = self.line.state.channel
        self.bot = channel.bot_user_id
        self.users = [
            self.line.residents.add(Friend(self.line.state.mint.user_id(), f"住民 {n}")).user_id
            for n in range(FRIENDS)
        ]
        credentials = LineCredentials("town", channel.secret, channel.access_token)
        self.credentials = credentials

    def delivery(self) -> Timed:
        clients = {self.bot: line_clients(self.credentials, self.line.base_url)}
        return Timed(self.engine, clients, self.clock)

    def arrive(self, number: int, user: str, text: str) -> int:
        """A message as intake stores it: its token and its answer in one transaction."""
        event = self.line.residents.text(user, text)
        platform_id = str(event["messageId"])
        with session_scope(self.engine) as session:
            session.add(
                LineReplyTokenRow(
                    account_id=self.bot,
                    platform_id=platform_id,
                    user_id=user,
                    token=str(event["replyToken"]),
                    received_at=self.clock.now(),
                )
            )
            item = enqueue(
                session,
                key=f"ack:{number}",
                account_id=self.bot,
                kind=OutboxKind.REPLY,
                text=ACK,
                target=platform_id,
                private=True,
                channel=Channel.LINE,
            )
        assert item is not None
        return item


def _latency(rate: int, idle: float) -> tuple[list[float], int, int, float]:
    """Milliseconds from stored to accepted for rate*SECONDS messages; replies, pushes, and
    the sender's throughput (items a second while it had work)."""
    with tempfile.TemporaryDirectory() as scratch:
        bench = Bench(Path(scratch), Clock(speed=1.0))
        with bench.line:
            timed = bench.delivery()
            sender = OutboxSender(
                bench.engine, {Channel.LINE: timed}, bench.clock, idle_seconds=idle
            )
            stop = threading.Event()
            worker = threading.Thread(target=sender.run, args=(stop,))
            worker.start()
            stored: dict[int, float] = {}
            start = time.perf_counter()
            for n in range(rate * SECONDS):
                due = start + n / rate
                stop.wait(max(0.0, due - time.perf_counter()))
                item = bench.arrive(n, bench.users[n % FRIENDS], f"ไฟถนนดับ ซอย {n}")
                stored[item] = time.perf_counter()
            sender.drain_until_empty(threading.Event())
            stop.set()
            worker.join()
            timed.close()
            with Session(bench.engine) as session:
                vias = [s.via for s in session.exec(select(LineSendRow)).all()]
        latencies = [(timed.accepted[i] - t) * 1000 for i, t in stored.items()]
        busy = max(timed.accepted.values()) - min(stored.values())
        return latencies, vias.count("reply"), vias.count("push"), len(latencies) / busy


def _quota() -> tuple[int, int, int]:
    """CASES cases, each: an acknowledgement at once, then ten minutes later the staff answer,
    the resolution and the survey. Quota spent; the least any sender could spend one message
    per push; pushes made."""
    with tempfile.TemporaryDirectory() as scratch:
        clock = Clock.stepped(datetime(2026, 3, 2, 9, tzinfo=UTC))
        bench = Bench(Path(scratch), clock)
        with bench.line:
            timed = bench.delivery()
            sender = OutboxSender(bench.engine, {Channel.LINE: timed}, clock)
            later: list[tuple[int, str]] = []
            for n in range(CASES):
                user = bench.users[n % FRIENDS]
                bench.arrive(n, user, "ไฟถนนดับ")
                later.append((n, user))
            sender.drain_once()
            clock.step(timedelta(minutes=10))
            with session_scope(bench.engine) as session:
                for n, user in later:
                    for what in ("answer", "resolved", "survey"):
                        enqueue(
                            session,
                            key=f"{what}:{n}",
                            account_id=bench.bot,
                            kind=OutboxKind.DM,
                            text=f"{what} JUN-2026-{n:06d}",
                            target=user,
                            private=True,
                            channel=Channel.LINE,
                        )
            sender.drain_once()
            timed.close()
            with Session(bench.engine) as session:
                sends = session.exec(select(LineSendRow)).all()
        spent = sum(s.quota for s in sends)
        return spent, CASES * 3, sum(1 for s in sends if s.via == "push")


def _pct(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1]


def run() -> str:
    """Measure both and lay them out."""
    core = _one_core()
    rows = []
    for rate, idle in ((RATE, IDLE_SECONDS), (RATE, 0.05), (10, IDLE_SECONDS), (10, 0.05)):
        latencies, replies, pushes, throughput = _latency(rate, idle)
        rows.append(
            f"| {rate}/s | {idle:g} s | {len(latencies):,} | {statistics.median(latencies):,.0f}"
            f" | {_pct(latencies, 0.95):,.0f} | {max(latencies):,.0f} | {throughput:,.1f} | "
            f"{replies:,} | {pushes:,} |"
        )
    spent, least, pushes = _quota()
    return "\n".join(
        [
            f"One process pinned to {core}: the LINE emulator, the engine's SQLite database "
            f"(WAL), the outbox sender's thread and the arrivals share it. {RATE} messages a "
            f"second (and 10, below saturation) for {SECONDS} s from {FRIENDS} residents. What "
            "is measured: from the commit "
            "of a message's reply token and its queued answer (what the webhook intake and the "
            "pipeline write; the webhook server itself is the intake lane's and is not in this "
            "figure) to line-bot-sdk returning LINE's 200 for the reply. The sender waits "
            "`idle` between looks at an empty queue (the daemon's default is the first row).",
            "",
            "| rate | sender idle | messages | p50 ms | p95 ms | max ms | sent/s | replies "
            "(free) | pushes (token expired while queued) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Where arrivals outpace the sender (sent/s below the rate) the queue grows, and the "
            "latency with it: the goal (p95 <= 1 s at 50/s) needs a sender that sends faster "
            "than one item per four transactions (claim with its attempt row, the token's use, "
            "sent with its charge, plus a read), which a profile shows are most of its time; "
            "the HTTP call and the emulator are the rest. Below saturation the sender's wait "
            "between looks at an empty queue decides the latency.",
            "",
            f"Quota: {CASES} cases, each acknowledged at once (a reply while the token is fresh) "
            "and, ten minutes later, answered by staff, resolved and surveyed (three messages "
            "after the token's life, each its own outbox item):",
            "",
            "| quota spent | per case | least, one message per push | pushes | acks by reply |",
            "|---:|---:|---:|---:|---:|",
            f"| {spent:,} | {spent / CASES:.2f} | {least / CASES:.2f} | {pushes:,} | "
            f"{CASES:,} (0 quota) |",
            "",
            "A case answered while its token is fresh costs 0. LINE counts a push once per "
            "recipient whatever its number of message objects (up to 5), so three status "
            "messages queued for one resident at once could go as one push (1 a case); the "
            "engine sends each outbox item as its own push today.",
        ]
    )
