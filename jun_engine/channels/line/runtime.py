"""LINE as the daemon runs it (the `ChannelRuntime` port): no pollers; at start, the webhook app
served by uvicorn on a thread of its own at `line.webhook` host and port; its `Delivery`.

The listening socket is bound in `begin`, so a port already taken stops the start with one
sentence (`WebhookServerError`) instead of a thread dying quietly. `close` lets requests in
flight finish (each stores in one transaction, then answers) and stops the server.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import uvicorn

from jun_engine.channels.line.casting import CastLoop, LineCaster
from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.channels.line.content import photo_fetcher
from jun_engine.channels.line.delivery import LineDelivery
from jun_engine.channels.line.quota import LineQuotaGate, QuotaWatch
from jun_engine.channels.line.upkeep import PHOTO_SECONDS, Periodic, make_rich_menus
from jun_engine.channels.line.webhook import Endpoint, Intake, webhook_app
from jun_engine.channels.ports import Delivery, PollLoop, Wiring
from jun_engine.config.environment import LineCredentials, line_credentials_for
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel

log = logging.getLogger(__name__)

DeliveryFactory = Callable[[Config, Mapping[str, LineCredentials], str | None, Wiring], Delivery]
"""Builds LINE's `Delivery` from the town, the accounts' credentials, LINE's base URL (None:
LINE itself) and the daemon's wiring, in place of `LineDelivery` (tests)."""
START_SECONDS = 10.0
"""How long `begin` waits for uvicorn to start serving."""
STOP_SECONDS = 10.0
"""How long `close` waits for requests in flight."""


class WebhookServerError(RuntimeError):
    """The webhook server cannot listen where accounts.yaml says."""


def line_runtime(
    config: Config,
    environ: Mapping[str, str],
    base_url: str | None = None,
    delivery: DeliveryFactory | None = None,
    config_dir: Path | None = None,
) -> LineRuntime | None:
    """LINE for the daemon when accounts.yaml has a `line` section (else None), each account's
    secrets read from `environ` (or `MissingSecret`)."""
    if config.line is None:
        return None
    credentials = {key: line_credentials_for(config, key, environ) for key in config.line.accounts}
    return LineRuntime(config, credentials, base_url, delivery, config_dir)


class LineRuntime:
    """The town's LINE official accounts as the daemon runs them."""

    channel = Channel.LINE

    def __init__(
        self,
        config: Config,
        credentials: Mapping[str, LineCredentials],
        base_url: str | None = None,
        delivery: DeliveryFactory | None = None,
        config_dir: Path | None = None,
    ) -> None:
        if config.line is None:
            raise ValueError("accounts.yaml has no `line` section")
        self._config = config
        self._settings = config.line
        self._credentials = dict(credentials)
        self._base_url = base_url
        self._delivery = delivery
        self._clients: list[LineClients] = []
        self._by_key: dict[str, LineClients] = {}
        self._config_dir = config_dir or Path.cwd()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.address: tuple[str, int] | None = None
        """Where the webhook server listens, once started."""

    def pollers(self, wiring: Wiring) -> list[PollLoop]:
        """No poller (LINE pushes): the caster of notices and alerts, and the photo fetcher."""
        assert self._config.line is not None
        clients = self._clients_by_key()
        caster = LineCaster(wiring.engine, clients, self._config.line.accounts, wiring.clock)
        fetcher = photo_fetcher(
            wiring.engine, self._config, self._config_dir, list(clients.values())
        )
        photos = Periodic(
            "LINE photos", lambda: fetcher.run_once(wiring.clock.now()), PHOTO_SECONDS
        )
        return [CastLoop(caster), photos]

    def begin(self, wiring: Wiring, now: datetime) -> None:
        """Serve the webhook (once; a second call does nothing)."""
        if self._server is not None:
            return
        make_rich_menus(self._config, self._clients_by_key(), wiring.clock)
        sock = self._bind()
        intake = Intake(self._config, wiring.engine, wiring.clock, wiring.wake, wiring.outage)
        app = webhook_app(intake, self._endpoints())
        config = uvicorn.Config(
            app, log_config=None, access_log=False, server_header=False, lifespan="off"
        )
        server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="jun-line-webhook", daemon=True
        )
        self._server = server
        self._thread.start()
        self._wait_started(server)
        host, port = self.address or ("?", 0)
        log.info(
            "LINE webhook listening on http://%s:%d (%d account(s))",
            host,
            port,
            len(self._credentials),
        )

    def housekeep(self, wiring: Wiring, now: datetime) -> None:
        """Read each account's quota back from LINE (the meter, the cap, the warning)."""
        assert self._config.line is not None
        watch = QuotaWatch(self._clients_by_key(), self._config.line.accounts)
        watch.housekeep(wiring.engine, now)

    def gate(self) -> LineQuotaGate:
        """What holds the outbox's LINE pushes back as the month's quota runs low."""
        assert self._config.line is not None
        return LineQuotaGate(self._config.line.accounts)

    def delivery(self, wiring: Wiring) -> Delivery:
        """How the outbox sends on LINE: `LineDelivery`, one set of clients per account (a
        `DeliveryFactory` given at construction replaces it, for tests)."""
        if self._delivery is not None:
            return self._delivery(self._config, self._credentials, self._base_url, wiring)
        accounts = self._settings.accounts
        clients = {accounts[key].bot_user_id: c for key, c in self._clients_by_key().items()}
        return LineDelivery(wiring.engine, clients, wiring.clock)

    def close(self) -> None:
        """Stop serving once requests in flight are answered, and close the delivery's
        connections (again: nothing to do)."""
        clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(STOP_SECONDS)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_SECONDS)

    def _clients_by_key(self) -> dict[str, LineClients]:
        """One set of clients per account key, made once (closed with the runtime)."""
        if not self._by_key:
            self._by_key = {
                key: line_clients(credentials, self._base_url)
                for key, credentials in self._credentials.items()
            }
            self._clients.extend(self._by_key.values())
        return self._by_key

    def _endpoints(self) -> dict[str, Endpoint]:
        accounts = self._settings.accounts
        return {
            accounts[key].webhook_path: Endpoint(key, accounts[key], credentials.channel_secret)
            for key, credentials in self._credentials.items()
        }

    def _bind(self) -> socket.socket:
        host, port = self._settings.webhook.host, self._settings.webhook.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen(128)
        except OSError as error:
            sock.close()
            raise WebhookServerError(
                f"line.webhook: cannot listen on {host}:{port}: {error.strerror or error}"
            ) from error
        self.address = sock.getsockname()[:2]
        return sock

    def _wait_started(self, server: uvicorn.Server) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if self._thread is None or not self._thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise WebhookServerError("line.webhook: the webhook server did not start")
            time.sleep(0.01)  # uvicorn says `started` by a flag only
