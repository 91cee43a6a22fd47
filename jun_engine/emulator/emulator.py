"""The Emulator: X API v2 on a loopback port, built from accounts.yaml, started and stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from jun_engine.config.schema import Config
from jun_engine.emulator.admin import Admin
from jun_engine.emulator.auth import Authenticator
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.credentials import build_credentials
from jun_engine.emulator.dispatch import Dispatcher
from jun_engine.emulator.endpoints.call import Services
from jun_engine.emulator.faults import FaultDice, FaultSpec
from jun_engine.emulator.ledger import Ledger
from jun_engine.emulator.limits import RateLimiter
from jun_engine.emulator.server import STOP_GRACE, Served, Serving
from jun_engine.emulator.sink import StateSink
from jun_engine.emulator.state import State
from jun_engine.emulator.town_api import TownDriver
from jun_engine.emulator.wire import Exchange

log = logging.getLogger(__name__)

BASE_URL_ENV = "JUN_X_BASE_URL"
TOWN_TICK = 0.25
"""Real seconds between two calls of the town driver."""


class Emulator(Served):
    """An emulated X for the accounts of one accounts.yaml.

    Use as a context manager, or `start()` / `stop()`. Everything is deterministic for a seed
    except what real time drives (a running clock, the town's tick).
    """

    def __init__(
        self,
        config: Config,
        *,
        seed: int = 0,
        faults: FaultSpec | None = None,
        clock: Clock | None = None,
        speed: float = 1.0,
    ) -> None:
        self.config = config
        self.seed = seed
        self.clock = clock or Clock(speed=speed)
        self.state = State(self.clock)
        self.ledger = Ledger(config.x.pricing, owns_app=config.x.owns_app)
        self.limiter = RateLimiter()
        self.dice = FaultDice(faults or FaultSpec(), seed, self.clock.now())
        self.credentials = build_credentials(config, seed)
        self.accounts = self._create_accounts()
        self.sink = StateSink(self.state, self.dice)
        self.admin = Admin(self.state, self.ledger, self.limiter, self.dice, self.accounts)
        services = Services(self.state, self.ledger, self.dice)
        self.dispatcher = Dispatcher(services, Authenticator(self.credentials), self.limiter)
        self._observers: list[Callable[[Exchange], None]] = []
        self._serving = Serving("X emulator", self.dispatcher, self.admin, self._observers)
        self._threads: list[threading.Thread] = []
        self._town: TownDriver | None = None
        self._town_lock = threading.Lock()
        self._stopping = threading.Event()

    def _create_accounts(self) -> dict[str, str]:
        accounts: dict[str, str] = {}
        for key, account in self.config.accounts.items():
            name = account.display_name or account.handle
            self.state.add_user(account.handle, name, user_id=account.user_id, verified=True)
            accounts[account.user_id] = key
        for body in self.config.external_bodies.values():
            self.state.add_user(body.handle, body.name, user_id=body.user_id, verified=True)
        return accounts

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) in background threads; returns the base URL."""
        self._serving.start(host, port)
        self._stopping.clear()
        self._threads = []
        if self._town is not None:
            self._start_town_loop()
        log.info("X emulator listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving: end the town loop, release waiting faults, close every connection."""
        self._stopping.set()
        self._serving.stop()
        for thread in self._threads:
            thread.join(timeout=STOP_GRACE)
        self._threads = []

    # --- what other code uses ------------------------------------------------------------

    def credentials_env(self) -> dict[str, str]:
        """Env var NAME (as accounts.yaml names it) -> fake credential, plus JUN_X_BASE_URL."""
        env = dict(self.credentials.env)
        if self.running:
            env[BASE_URL_ENV] = self.base_url
        return env

    def attach_town(self, driver: TownDriver) -> None:
        """Let a simulated town act on every tick of the clock (started now if running)."""
        self._town = driver
        if self.running:
            self._start_town_loop()

    def advance_town(self) -> None:
        """Run the town driver once, now (tests call this after stepping the clock)."""
        with self._town_lock:
            if self._town is not None:
                self._town.advance(self.clock.now(), self.sink)

    def step(self, seconds: float) -> None:
        """Step the clock forward and let the town catch up."""
        self.clock.step(timedelta(seconds=seconds))
        self.advance_town()

    @property
    def closed_connections(self) -> int:
        """Client connections the server has accepted and closed so far (0 when stopped)."""
        server = self._serving.server
        return server.closed_connections if server is not None else 0

    def wait_closed(self, count: int, timeout: float = STOP_GRACE) -> bool:
        """Wait until the server has closed `count` client connections in all (a dropped
        client's included); False after `timeout` seconds. Tests wait on it after dropping one:
        `n = x.closed_connections; ...drop a client...; assert x.wait_closed(n + 1)`."""
        server = self._serving.server
        if server is None:
            return False
        return server.wait_closed(count, timeout)

    def stats(self) -> dict[str, Any]:
        """What GET /_emulator/stats returns."""
        return self.admin.stats()

    def _start_town_loop(self) -> None:
        thread = threading.Thread(target=self._town_loop, name="x-emulator-town", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _town_loop(self) -> None:
        while not self._stopping.wait(TOWN_TICK):
            try:
                self.advance_town()
            except Exception:  # a broken town must not take the emulator down
                log.exception("the simulated town failed; it keeps running")
