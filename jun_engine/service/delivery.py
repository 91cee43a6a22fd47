"""The delivery stage: the thread that sends the outbox.

The daemon or `jun-engine outbox drain` builds each channel's `Delivery` (X's in
`jun_engine.channels.x.delivery`), hands them to an `OutboxSender` and runs it here in its own
thread; everything the engine posts or DMs was enqueued by other stages
(`jun_engine.outbox.api.enqueue`) in their own transactions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from jun_engine.channels.ports import Delivery
from jun_engine.outbox.sender import OutboxSender


class DeliveryStage:
    """Runs an `OutboxSender` in a thread of its own until stopped, then closes the deliveries
    it was given to own."""

    def __init__(self, sender: OutboxSender, owned: Iterable[Delivery] = ()) -> None:
        self.sender = sender
        self._owned = list(owned)
        self._thread: threading.Thread | None = None

    def drain_once(self) -> int:
        """Send everything due now; returns how many parts were sent."""
        return self.sender.drain_once()

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set (blocks), then close the deliveries this stage owns."""
        try:
            self.sender.run(stop)
        finally:
            for delivery in self._owned:
                delivery.close()

    def start(self, stop: threading.Event) -> threading.Thread:
        """Run in a new thread named `outbox`; join it after setting `stop`."""
        self._thread = threading.Thread(target=self.run, args=(stop,), name="outbox", daemon=True)
        self._thread.start()
        return self._thread
