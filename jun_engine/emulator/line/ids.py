"""Identifiers in LINE's shapes, deterministic for a seed: user ids, message ids, tokens, ULIDs."""

from __future__ import annotations

import random
import threading

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class IdMint:
    """Mints every id the LINE emulator hands out; thread-safe, reproducible for a seed."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"line:{seed}")  # noqa: S311 (ids, not secrets)
        self._lock = threading.Lock()
        self._message = 500_000_000_000_000_000

    def _hex(self, digits: int) -> str:
        with self._lock:
            return f"{self._random.getrandbits(digits * 4):0{digits}x}"

    def _chars(self, alphabet: str, count: int) -> str:
        with self._lock:
            return "".join(self._random.choices(alphabet, k=count))

    def user_id(self) -> str:
        """`U` and 32 hex digits."""
        return "U" + self._hex(32)

    def message_id(self) -> str:
        """A numeric message id (18 digits, increasing)."""
        with self._lock:
            self._message += self._random.randint(1, 999)
            return str(self._message)

    def request_id(self) -> str:
        """An `x-line-request-id` (a UUID)."""
        raw = self._hex(32)
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    def reply_token(self) -> str:
        """A reply token (32 hex digits)."""
        return self._hex(32)

    def quote_token(self) -> str:
        """A quote token (LINE's are long opaque strings)."""
        return "q" + self._chars(_ALNUM, 63)

    def event_id(self) -> str:
        """A webhookEventId: a ULID (26 Crockford base-32 characters)."""
        return self._chars(_CROCKFORD, 26)

    def rich_menu_id(self) -> str:
        """`richmenu-` and 32 hex digits."""
        return "richmenu-" + self._hex(32)

    def audience_group_id(self) -> int:
        """A 13-digit audience group id."""
        with self._lock:
            return self._random.randint(10**12, 10**13 - 1)

    def secret(self) -> str:
        """A channel secret (32 hex digits)."""
        return self._hex(32)

    def access_token(self) -> str:
        """A long-lived channel access token (172 characters, as LINE issues)."""
        return self._chars(_ALNUM + "+/", 171) + "="
