"""The delivery stage: the daemon's thread that sends the outbox, and how it is built.

The daemon builds one `DeliveryStage` at start (`DeliveryStage.build`) and runs `run(stop)` in
its own thread; everything the engine posts or DMs was enqueued by other stages
(`jun_engine.outbox.api.enqueue`) in their own transactions.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from sqlalchemy.engine import Engine

from jun_engine.channels.x.credentials import credentials_for
from jun_engine.channels.x.gateway import X_API_ORIGIN, XGateway
from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.outbox.sender import OutboxSender


def gateways_for(
    config: Config, environ: Mapping[str, str], base_url: str = X_API_ORIGIN
) -> dict[str, XGateway]:
    """One gateway per configured account, keyed by its X user id (raises `MissingSecret`)."""
    return {
        account.user_id: XGateway(credentials_for(config, key, environ), base_url=base_url)
        for key, account in config.accounts.items()
    }


class DeliveryStage:
    """Runs an `OutboxSender` in a thread of its own until the daemon stops."""

    def __init__(
        self, sender: OutboxSender, gateways: Mapping[str, XGateway] | None = None
    ) -> None:
        self.sender = sender
        self._gateways = dict(gateways or {})
        self._thread: threading.Thread | None = None

    @classmethod
    def build(
        cls,
        engine: Engine,
        config: Config,
        environ: Mapping[str, str],
        clock: Clock,
        base_url: str = X_API_ORIGIN,
    ) -> DeliveryStage:
        """The stage for every configured account, with gateways of its own."""
        gateways = gateways_for(config, environ, base_url)
        return cls(OutboxSender(engine, gateways, clock, config), gateways)

    def drain_once(self) -> int:
        """Send everything due now; returns how many parts were sent."""
        return self.sender.drain_once()

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set (blocks), then close the gateways this stage built."""
        try:
            self.sender.run(stop)
        finally:
            for gateway in self._gateways.values():
                gateway.close()

    def start(self, stop: threading.Event) -> threading.Thread:
        """Run in a new thread named `outbox`; join it after setting `stop`."""
        self._thread = threading.Thread(target=self.run, args=(stop,), name="outbox", daemon=True)
        self._thread.start()
        return self._thread
