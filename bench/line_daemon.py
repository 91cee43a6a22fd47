"""Bench helper: the engine's whole LINE path on one core. A real `Daemon` (webhook server,
processor with the production chain, outbox sender) on SQLite, LINE's emulator sending signed
webhooks from verified Thai residents, and the moment LINE accepted each answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

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
from jun_engine.emulator.line.friends import Friend
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.residents.verification import bind
from jun_engine.routing.setup import build_router
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentRow

ROOT = Path(__file__).resolve().parents[1]
KEY = "town"


class Accepted(LineDelivery):
    """LINE's delivery, noting when LINE accepted the answer to each message (perf_counter
    seconds, keyed by the message's id: a REPLY item's target)."""

    def __init__(
        self, engine: Engine, clients: Mapping[str, LineClients], clock: EngineClock
    ) -> None:
        super().__init__(engine, clients, clock)
        self.accepted: dict[str, float] = {}

    def send(self, item: OutboxItem) -> Receipt:
        receipt = super().send(item)
        if item.target is not None:
            self.accepted.setdefault(item.target, time.perf_counter())
        return receipt


class LineDaemon:
    """The emulator, a migrated SQLite database and a daemon serving LINE only."""

    def __init__(self, folder: Path, friends: int) -> None:
        self.clock = Clock(speed=1.0)
        self.line = LineEmulator(plan="unlimited", clock=self.clock)
        self.config = self._config(_free_port())
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        self.engine = create_engine_from_url(url)
        self.users = [self._resident(n) for n in range(friends)]
        self.delivery: Accepted | None = None
        self.daemon: Daemon | None = None

    def start(self) -> None:
        """Serve the emulator and start the daemon; the emulator posts to its webhook."""
        base_url = self.line.start()
        channel = self.line.state.channel
        credentials = {KEY: LineCredentials(KEY, channel.secret, channel.access_token)}
        runtime = LineRuntime(self.config, credentials, base_url, self._delivery, ROOT)
        router = build_router(self.config, config_dir=ROOT)
        self.daemon = Daemon(
            self.config, self.engine, [runtime], self.clock, router=router, schedule=False
        )
        self.daemon.start()
        assert self.config.line is not None
        host, port = runtime.address or ("127.0.0.1", self.config.line.webhook.port)
        self.line.state.webhook.url = f"http://{host}:{port}/line/webhook"

    def stop(self) -> None:
        """Stop the daemon, then the emulator."""
        if self.daemon is not None:
            self.daemon.stop()
        self.line.stop()
        self.engine.dispose()

    def send(self, user: str, text: str) -> str:
        """A resident's text, queued as a signed webhook; its message id."""
        event = self.line.residents.text(user, text)
        return str(event["messageId"])

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
        channel = self.line.state.channel
        section = {
            "webhook": {"host": "127.0.0.1", "port": port},
            "accounts": {
                KEY: {
                    "channel_id": channel.channel_id,
                    "bot_user_id": channel.bot_user_id,
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
        user = self.line.residents.add(
            Friend(self.line.state.mint.user_id(), f"ผู้อยู่อาศัย {number}")
        ).user_id
        now = self.clock.now() - timedelta(days=1)
        with session_scope(self.engine) as session:
            row = ResidentRow(
                name=f"ผู้อยู่อาศัย {number}", district="Centro", language="th", enrolled_at=now
            )
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.LINE, user, None), now=now)
        return user


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
