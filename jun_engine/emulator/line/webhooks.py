"""Webhooks to the engine: signed with HMAC-SHA256 of the exact body, posted from a thread,
redelivered with `isRedelivery: true` while no 2xx comes back, and struck by webhook faults.

Deliveries are due at an emulated time; the thread sends what is due. `wait_settled()` lets a
test wait until nothing due is left unsent.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import http.client
import json
import logging
import random
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from jun_engine.emulator.line.events import Event
from jun_engine.emulator.line.faults import WebhookFaults
from jun_engine.emulator.line.state import LineState

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Line-Signature"
REDELIVERY_BACKOFF = timedelta(seconds=10)
"""Emulated wait before the first redelivery; it doubles each time (LINE publishes none)."""
MAX_ATTEMPTS = 6
STORM_REPEATS = 3
POLL = 0.02
"""Real seconds between the thread's looks at the clock."""
LOG_SIZE = 10_000


def sign(secret: str, body: bytes) -> str:
    """`X-Line-Signature`: base64 of HMAC-SHA256 of the body, keyed by the channel secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class Redelivery:
    """How LINE retries a delivery that got no 2xx (LINE publishes none; these are the
    emulator's): `attempts` in all, the wait doubling from `first_wait` up to `longest_wait`."""

    attempts: int = MAX_ATTEMPTS
    first_wait: timedelta = REDELIVERY_BACKOFF
    longest_wait: timedelta = timedelta(days=1)

    def wait(self, attempt: int) -> timedelta:
        """The wait before the attempt after `attempt` (the first is 1)."""
        doubled: timedelta = self.first_wait * 2 ** (attempt - 1)
        return min(doubled, self.longest_wait)


@dataclass(slots=True)
class Delivery:
    """Events to post together, when."""

    number: int
    events: list[Event]
    due: datetime
    attempt: int = 1
    redelivery: bool = False


class Deliverer:
    """Posts webhook bodies to the configured URL in a background thread."""

    def __init__(
        self,
        state: LineState,
        faults: WebhookFaults,
        seed: int,
        redelivery: Redelivery | None = None,
    ) -> None:
        self._state = state
        self._redelivery = redelivery or Redelivery()
        self.faults = faults
        self._random = random.Random(f"webhooks:{seed}")  # noqa: S311 (fault dice)
        self._queue: list[Delivery] = []
        self._busy = 0
        self._numbers = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="line-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (what is queued stays queued)."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # --- what others call ----------------------------------------------------------------

    def enqueue(self, events: list[Event]) -> None:
        """Queue events for delivery now."""
        with self._changed:
            self._add(events, self._state.clock.now(), attempt=1, redelivery=False)
            self._changed.notify_all()

    def pending(self) -> int:
        """Deliveries queued (due or not) or in flight."""
        with self._changed:
            return len(self._queue) + self._busy

    def wait_settled(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is due or in flight; False after `timeout` real seconds."""
        with self._changed:
            return self._changed.wait_for(self._settled, timeout)

    def verify(self, url: str) -> dict[str, Any]:
        """Post an empty `events` list to `url` now; what LINE's webhook test reports."""
        now = self._state.clock.now()
        status, reason = self._post(url, self._body([]))
        return {
            "success": 200 <= status < 300,
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "statusCode": status,
            "reason": reason,
            "detail": str(status) if status > 0 else reason,
        }

    # --- the thread ----------------------------------------------------------------------

    def _settled(self) -> bool:
        now = self._state.clock.now()
        return self._busy == 0 and all(d.due > now for d in self._queue)

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._changed:
                batch = self._take_due()
                if not batch:
                    self._changed.notify_all()
                    self._changed.wait(POLL)
                    continue
                self._busy += len(batch)
            for delivery in batch:
                try:
                    self._deliver(delivery)
                except Exception:  # a bad delivery must not stop the others
                    log.exception("a LINE webhook delivery failed unexpectedly")
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

    def _take_due(self) -> list[Delivery]:
        now = self._state.clock.now()
        due = [d for d in self._queue if d.due <= now]
        if not due:
            return []
        self._queue = [d for d in self._queue if d.due > now]
        if len(due) > 1 and self._roll(self.faults.burst):
            merged = [e for d in due for e in d.events]
            due = [Delivery(due[0].number, merged, now, due[0].attempt, due[0].redelivery)]
        out: list[Delivery] = []
        for delivery in due:
            out.append(delivery)
            if self._roll(self.faults.duplicate):
                out.append(copy.deepcopy(delivery))
        if len(out) > 1 and self._roll(self.faults.reorder):
            index = self._random.randrange(len(out) - 1)
            out[index], out[index + 1] = out[index + 1], out[index]
        return out

    def _deliver(self, delivery: Delivery) -> None:
        url = self._state.webhook.url
        entry: dict[str, Any] = {
            "delivery": delivery.number,
            "attempt": delivery.attempt,
            "redelivery": delivery.redelivery,
            "eventIds": [e["webhookEventId"] for e in delivery.events],
            "at": self._state.clock.now().isoformat().replace("+00:00", "Z"),
        }
        if url is None or not self._state.webhook.active:
            self.log.append({**entry, "status": 0, "reason": "no webhook URL set"})
            return
        status, reason = self._post(url, self._body(delivery.events))
        self.log.append({**entry, "status": status, "reason": reason})
        ok = 200 <= status < 300
        with self._changed:
            if not ok and delivery.attempt < self._redelivery.attempts:
                self._requeue(delivery, self._redelivery.wait(delivery.attempt))
            elif ok and not delivery.redelivery and self._roll(self.faults.redeliver):
                for repeat in range(STORM_REPEATS):
                    self._requeue(delivery, timedelta(seconds=repeat))

    def _requeue(self, delivery: Delivery, wait: timedelta) -> None:
        due = self._state.clock.now() + wait
        self._add(delivery.events, due, attempt=delivery.attempt + 1, redelivery=True)

    def _add(self, events: list[Event], due: datetime, *, attempt: int, redelivery: bool) -> None:
        if redelivery:
            events = [{**e, "deliveryContext": {"isRedelivery": True}} for e in events]
        self._numbers += 1
        self._queue.append(Delivery(self._numbers, events, due, attempt, redelivery))

    def _body(self, events: list[Event]) -> bytes:
        payload = {"destination": self._state.channel.bot_user_id, "events": events}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _post(self, url: str, body: bytes) -> tuple[int, str]:
        """POST a signed body; (status, reason), or (0 or -1, why) when no answer came."""
        parts = urlsplit(url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.hostname or "", parts.port, timeout=self._state.webhook.timeout)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self._state.channel.secret, body),
            "User-Agent": "LineBotWebhook/2.0",
        }
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", target, body, headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.reason
        except TimeoutError:
            return -1, "timed out"
        except (OSError, http.client.HTTPException) as error:
            # refused, reset, or cut mid-answer (an engine killed while answering): no 2xx,
            # so LINE delivers it again
            return 0, type(error).__name__
        finally:
            connection.close()

    def _roll(self, probability: float) -> bool:
        return probability > 0 and self._random.random() < probability
