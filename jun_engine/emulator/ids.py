"""Snowflake-like ids that grow with the emulator clock, as X's tweet, user and DM ids do."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

TWITTER_EPOCH_MS = 1288834974657
"""X's snowflake epoch (2010-11-04T01:42:54.657Z)."""

_TIMESTAMP_SHIFT = 22
_WORKER_SHIFT = 12
_SEQUENCE_MASK = (1 << _WORKER_SHIFT) - 1


class Snowflakes:
    """Makes strictly increasing ids from times: (ms since X's epoch) << 22 | worker << 12 | seq."""

    def __init__(self, worker: int = 1) -> None:
        if not 0 <= worker < 1024:
            raise ValueError(f"worker must be in 0..1023, not {worker}")
        self._worker = worker
        self._last = 0
        self._lock = threading.Lock()

    def next_id(self, at: datetime) -> str:
        """A new id for something created `at`; later than every id made before."""
        millis = max(int(at.timestamp() * 1000) - TWITTER_EPOCH_MS, 0)
        candidate = (millis << _TIMESTAMP_SHIFT) | (self._worker << _WORKER_SHIFT)
        with self._lock:
            value = max(candidate, self._last + 1)
            self._last = value
        return str(value)


def time_of(snowflake: str) -> datetime:
    """When a snowflake id was made (to the millisecond)."""
    millis = (int(snowflake) >> _TIMESTAMP_SHIFT) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, UTC)
