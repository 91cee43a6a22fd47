"""The LineEmulator: LINE's Messaging API (both hosts) on a loopback port, with its admin API,
webhook deliveries and, optionally, a simulated town of LINE friends."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.faults import FaultDice
from jun_engine.emulator.line.admin import LineAdmin
from jun_engine.emulator.line.content import CONTENT_RETENTION
from jun_engine.emulator.line.dispatch import LineDispatcher
from jun_engine.emulator.line.faults import LineFaults
from jun_engine.emulator.line.keys import REPLY_TOKEN_LIFETIME
from jun_engine.emulator.line.limits import LineRateLimiter
from jun_engine.emulator.line.residents import Residents
from jun_engine.emulator.line.state import LineState
from jun_engine.emulator.line.webhooks import Deliverer, Redelivery
from jun_engine.emulator.server import STOP_GRACE, Served, Serving
from jun_engine.emulator.wire import Exchange

log = logging.getLogger(__name__)

TOWN_TICK = 0.25
"""Real seconds between two turns of the simulated town."""


class LineTown(Protocol):
    """A simulated town of LINE users: acts on every tick."""

    def advance(self, residents: Residents, state: LineState) -> None:
        """Let the town's people act up to the state's current time."""


class LineEmulator(Served):
    """An emulated LINE Messaging API channel. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        *,
        seed: int = 0,
        faults: LineFaults | None = None,
        clock: Clock | None = None,
        speed: float = 1.0,
        plan: str = "free",
        webhook_url: str | None = None,
        reply_token_lifetime: timedelta = REPLY_TOKEN_LIFETIME,
        content_retention: timedelta = CONTENT_RETENTION,
        redelivery: Redelivery | None = None,
    ) -> None:
        chosen = faults or LineFaults()
        self.clock = clock or Clock(speed=speed)
        self.state = LineState(
            self.clock,
            seed,
            plan=plan,
            reply_token_lifetime=reply_token_lifetime,
            content_retention=content_retention,
        )
        self.state.webhook.url = webhook_url
        self.dice = FaultDice(chosen.api, seed, self.clock.now())
        self.limiter = LineRateLimiter()
        self.webhooks = Deliverer(self.state, chosen.webhooks, seed, redelivery)
        self.residents = Residents(self.state, self.webhooks)
        self.dispatcher = LineDispatcher(self.state, self.dice, self.limiter, self.webhooks)
        self.admin = LineAdmin(self.state, self.residents, self.webhooks, self.dice, self.limiter)
        self._observers: list[Callable[[Exchange], None]] = []
        self._serving = Serving("LINE emulator", self.dispatcher, self.admin, self._observers)
        self._town_thread: threading.Thread | None = None
        self._town: LineTown | None = None
        self._town_lock = threading.Lock()
        self._stopping = threading.Event()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) and deliver webhooks; returns the base URL."""
        self.state.public_url = self._serving.start(host, port)
        self._stopping.clear()
        self.webhooks.start()
        if self._town is not None:
            self._start_town_loop()
        log.info("LINE emulator listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop delivering, the town, and serving."""
        self._stopping.set()
        self.webhooks.stop()
        self._serving.stop()
        if self._town_thread is not None:
            self._town_thread.join(timeout=STOP_GRACE)
            self._town_thread = None

    # --- what other code uses ------------------------------------------------------------

    def credentials_env(self) -> dict[str, str]:
        """JUN_LINE_API_URL (while running), JUN_LINE_CHANNEL_SECRET and
        JUN_LINE_CHANNEL_ACCESS_TOKEN."""
        return self.state.channel.env(self.base_url if self.running else None)

    def step(self, seconds: float) -> None:
        """Step the clock forward; narrowcasts due complete, the town catches up."""
        self.clock.step(timedelta(seconds=seconds))
        self.state.settle()
        self.advance_town()

    def wait_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until every webhook due has been delivered (or has failed); False on timeout."""
        return self.webhooks.wait_settled(timeout)

    def attach_town(self, town: LineTown) -> None:
        """Let a simulated town act on every tick (started now if running)."""
        self._town = town
        if self.running:
            self._start_town_loop()

    def advance_town(self) -> None:
        """Run the town once, now."""
        with self._town_lock:
            if self._town is not None:
                self._town.advance(self.residents, self.state)

    def _start_town_loop(self) -> None:
        self._town_thread = threading.Thread(
            target=self._town_loop, name="line-emulator-town", daemon=True
        )
        self._town_thread.start()

    def _town_loop(self) -> None:
        while not self._stopping.wait(TOWN_TICK):
            try:
                self.state.settle()
                self.advance_town()
            except Exception:  # a broken town must not take the emulator down
                log.exception("the simulated LINE town failed; it keeps running")
