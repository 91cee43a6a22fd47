"""What residents sent (photos): downloadable by message id until the retention period ends."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from jun_engine.emulator.line.errors import not_found

CONTENT_RETENTION = timedelta(days=7)
"""How long content stays downloadable; LINE publishes no figure ("after a while")."""


@dataclass(frozen=True, slots=True)
class Content:
    """One stored file."""

    data: bytes
    content_type: str
    stored_at: datetime


class ContentStore:
    """Message id -> bytes, forgotten after `retention`; thread-safe."""

    def __init__(self, retention: timedelta = CONTENT_RETENTION) -> None:
        self.retention = retention
        self._files: dict[str, Content] = {}
        self._lock = threading.Lock()

    def put(self, message_id: str, data: bytes, content_type: str, now: datetime) -> None:
        """Store a file sent with a message."""
        with self._lock:
            self._files[message_id] = Content(data, content_type, now)

    def get(self, message_id: str, now: datetime) -> Content:
        """The file, or 404 when there is none or it is past retention (then it is deleted)."""
        with self._lock:
            found = self._files.get(message_id)
            if found is not None and now - found.stored_at >= self.retention:
                del self._files[message_id]
                found = None
        if found is None:
            raise not_found()
        return found
