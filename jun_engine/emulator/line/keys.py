"""Reply tokens (single use, expiring) and retry keys (a repeat within 24 h is refused 409)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jun_engine.emulator.line.errors import INVALID_REPLY_TOKEN, LineError

REPLY_TOKEN_LIFETIME = timedelta(seconds=60)
RETRY_KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Whom a reply token answers."""

    user_id: str
    issued_at: datetime


class ReplyTokens:
    """Tokens issued with webhook events; each works once, until it expires."""

    def __init__(self, lifetime: timedelta = REPLY_TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._live: dict[str, ReplyTarget] = {}
        self._lock = threading.Lock()

    def issue(self, token: str, user_id: str, now: datetime) -> str:
        """Register a new token for a user's event."""
        with self._lock:
            self._live[token] = ReplyTarget(user_id, now)
        return token

    def peek(self, token: str, now: datetime) -> ReplyTarget:
        """The token's target if it is still usable, else 400 "Invalid reply token"."""
        with self._lock:
            target = self._live.get(token)
            if target is None or now - target.issued_at > self.lifetime:
                raise LineError(400, INVALID_REPLY_TOKEN)
            return target

    def use(self, token: str) -> None:
        """Spend the token (after peek succeeded and the reply was accepted)."""
        with self._lock:
            self._live.pop(token, None)

    def forget_expired(self, now: datetime) -> None:
        """Drop tokens that can no longer be used."""
        with self._lock:
            stale = [t for t, v in self._live.items() if now - v.issued_at > self.lifetime]
            for token in stale:
                del self._live[token]


@dataclass(frozen=True, slots=True)
class Accepted:
    """A request accepted under a retry key."""

    request_id: str
    at: datetime
    sent_messages: list[dict[str, Any]] | None


class RetryKeys:
    """The retry keys of accepted requests, remembered for 24 hours of emulated time."""

    def __init__(self, lifetime: timedelta = RETRY_KEY_LIFETIME) -> None:
        self.lifetime = lifetime
        self._accepted: dict[str, Accepted] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: datetime) -> None:
        """409 with `x-line-accepted-request-id` when `key` was accepted in the last 24 h."""
        with self._lock:
            found = self._accepted.get(key)
            if found is None or now - found.at > self.lifetime:
                return
        raise LineError(
            409,
            "The retry key is already accepted",
            headers={"x-line-accepted-request-id": found.request_id},
            sent_messages=found.sent_messages,
        )

    def accept(
        self, key: str, request_id: str, now: datetime, sent: list[dict[str, Any]] | None
    ) -> None:
        """Remember that `key` was accepted as request `request_id`."""
        with self._lock:
            self._accepted[key] = Accepted(request_id, now, sent)
