"""Bench helper: the engine's whole LINE path, the engine on one core and LINE on the other. A
real `Daemon` (webhook server, processor with the production chain, outbox sender) on SQLite in
this process; LINE's emulator in a process of its own (as LINE's servers are), sending signed
webhooks from verified Thai residents; and the moment LINE accepted each answer."""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.channels.line.delivery import LineDelivery
from jun_engine.channels.line.runtime import LineRuntime
from jun_engine.channels.ports import Delivery, OutboxItem, Receipt, Wiring
from jun_engine.clock import Clock as EngineClock
from jun_engine.config.environment import LineCredentials
from jun_engine.config.schema import Config, LineSettings
from jun_engine.daemon import Daemon
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.residents.verification import bind
from jun_engine.routing.setup import build_router
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentRow

ROOT = Path(__file__).resolve().parents[1]
KEY = "town"
ADMIN = "/_emulator/line/"


class Accepted(LineDelivery):
    """LINE's delivery, noting when LINE accepted the answer to each message (`time.monotonic`
    seconds, the same in every process of the machine, keyed by the message's id: a REPLY
    item's target)."""

    def __init__(
        self, engine: Engine, clients: Mapping[str, LineClients], clock: EngineClock
    ) -> None:
        super().__init__(engine, clients, clock)
        self.accepted: dict[str, float] = {}

    def send(self, item: OutboxItem) -> Receipt:
        receipt = super().send(item)
        if item.target is not None:
            self.accepted.setdefault(item.target, time.monotonic())
        return receipt


def pin(core: int) -> str:
    """Keep this process on `core` (of those it may use); which one it got."""
    if not hasattr(os, "sched_setaffinity"):
        return "any core (no affinity on this OS)"
    cores = list(range(os.cpu_count() or 1))  # not this process's mask: a child inherits it
    chosen = cores[min(core, len(cores) - 1)]
    os.sched_setaffinity(0, {chosen})
    return f"core {chosen}"


class LineDaemon:
    """LINE's emulator in its own process on one core, and a daemon serving LINE only, on a
    migrated SQLite database, in this process on another."""

    def __init__(self, folder: Path, friends: int) -> None:
        self.clock = Clock(speed=1.0)
        context = multiprocessing.get_context("spawn")
        self._orders: multiprocessing.Queue[Play | None] = context.Queue()
        self._found: multiprocessing.Queue[dict[str, Any]] = context.Queue()
        self._process = context.Process(target=_serve_line, args=(self._orders, self._found))
        self._process.start()
        self._line = self._found.get(timeout=120)
        self.base_url = str(self._line["base_url"])
        self._admin = httpx.Client(base_url=self.base_url + ADMIN, timeout=60)
        self.config = self._config(_free_port())
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        self.engine = create_engine_from_url(url)
        self.users = [self._resident(n) for n in range(friends)]
        self.delivery: Accepted | None = None
        self.daemon: Daemon | None = None

    def start(self) -> None:
        """Start the daemon; LINE posts to its webhook."""
        credentials = {KEY: LineCredentials(KEY, self._line["secret"], self._line["access_token"])}
        runtime = LineRuntime(self.config, credentials, self.base_url, self._delivery, ROOT)
        router = build_router(self.config, config_dir=ROOT)
        self.daemon = Daemon(
            self.config, self.engine, [runtime], self.clock, router=router, schedule=False
        )
        self.daemon.start()
        host, port = runtime.address or ("127.0.0.1", 0)
        webhook = {"url": f"http://{host}:{port}/line/webhook"}
        self._admin.put("webhook", json=webhook).raise_for_status()

    def stop(self) -> None:
        """Stop the daemon, then LINE."""
        if self.daemon is not None:
            self.daemon.stop()
        self._admin.close()
        self._orders.put(None)
        self._process.join(60)
        self.engine.dispose()

    def play(self, rate: float, seconds: float, text: str) -> dict[str, float]:
        """The residents write `text` (with `{n}`, the message's number) at `rate` a second
        for `seconds`, from LINE's process (as on their phones); when each message's webhook
        was queued (`time.monotonic`), by message id."""
        self._orders.put(Play(rate, seconds, tuple(self.users), text))
        sent: dict[str, float] = self._found.get(timeout=seconds + 600)
        return sent

    def _delivery(
        self,
        config: Config,
        credentials: Mapping[str, LineCredentials],
        base_url: str | None,
        wiring: Wiring,
    ) -> Delivery:
        assert config.line is not None
        bot = config.line.accounts[KEY].bot_user_id
        clients = {bot: line_clients(credentials[KEY], base_url)}
        self.delivery = Accepted(wiring.engine, clients, wiring.clock)
        return self.delivery

    def _config(self, port: int) -> Config:
        section = {
            "webhook": {"host": "127.0.0.1", "port": port},
            "accounts": {
                KEY: {
                    "channel_id": self._line["channel_id"],
                    "bot_user_id": self._line["bot_user_id"],
                    "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                    "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
                    "plan": "unlimited",
                    "language": "th",
                }
            },
        }
        base = emulator_test_config()
        return base.model_copy(update={"line": LineSettings.model_validate(section)})

    def _resident(self, number: int) -> str:
        name = f"ผู้อยู่อาศัย {number}"
        response = self._admin.post("users", json={"displayName": name, "language": "th"})
        response.raise_for_status()
        user = str(response.json()["userId"])
        now = self.clock.now() - timedelta(days=1)
        with session_scope(self.engine) as session:
            row = ResidentRow(name=name, district="Centro", language="th", enrolled_at=now)
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.LINE, user, None), now=now)
        return user


@dataclass(frozen=True, slots=True)
class Play:
    """What LINE's process is asked to play: residents writing at a steady rate."""

    rate: float
    seconds: float
    users: tuple[str, ...]
    text: str


def _serve_line(
    orders: multiprocessing.Queue[Play | None], found: multiprocessing.Queue[dict[str, Any]]
) -> None:
    """The LINE emulator's process, on the second core: plays what it is asked, until None."""
    pin(1)
    line = LineEmulator(plan="unlimited", clock=Clock(speed=1.0))
    base_url = line.start()
    channel = line.state.channel
    found.put(
        {
            "base_url": base_url,
            "channel_id": channel.channel_id,
            "bot_user_id": channel.bot_user_id,
            "secret": channel.secret,
            "access_token": channel.access_token,
        }
    )
    while (play := orders.get()) is not None:
        found.put(_played(line, play))
    line.stop()


def _played(line: LineEmulator, play: Play) -> dict[str, Any]:
    sent: dict[str, Any] = {}
    start = time.monotonic()
    for n in range(round(play.rate * play.seconds)):
        time.sleep(max(0.0, start + n / play.rate - time.monotonic()))
        queued = time.monotonic()
        event = line.residents.text(play.users[n % len(play.users)], play.text.format(n=n))
        sent[str(event["messageId"])] = queued
    return sent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
