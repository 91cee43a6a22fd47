"""The ledger: every message the channel sent, with its quota cost, and running totals."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted sending request."""

    at: datetime
    endpoint: str
    request_id: str
    messages: int
    """Message objects in the request."""
    targeted: int
    """Recipients the request named (or the filter matched)."""
    delivered: int
    """Recipients it reached (blocked and unknown users are not)."""
    quota_cost: int
    """What it counted against the monthly quota (0 for replies)."""
    retry_key: str | None = None


@dataclass(slots=True)
class Totals:
    """Running totals of one endpoint."""

    requests: int = 0
    delivered: int = 0
    quota_cost: int = 0


class Ledger:
    """Append-only, thread-safe; totals are kept as entries arrive, so reading them is cheap."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._totals: dict[str, Totals] = {}
        self._lock = threading.Lock()

    def record(self, entry: Entry) -> None:
        """Add one entry."""
        with self._lock:
            self._entries.append(entry)
            totals = self._totals.setdefault(entry.endpoint, Totals())
            totals.requests += 1
            totals.delivered += entry.delivered
            totals.quota_cost += entry.quota_cost

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def page(self, offset: int, limit: int) -> list[Entry]:
        """Entries `offset` to `offset + limit`, oldest first."""
        with self._lock:
            return self._entries[offset : offset + limit]

    def report(self, offset: int = 0, limit: int = 1000) -> dict[str, Any]:
        """Totals by endpoint plus one page of entries, as the admin API returns it."""
        with self._lock:
            totals = {name: asdict(t) for name, t in sorted(self._totals.items())}
            count = len(self._entries)
            page = self._entries[offset : offset + limit]
        return {
            "count": count,
            "quota_cost": sum(t["quota_cost"] for t in totals.values()),
            "endpoints": totals,
            "offset": offset,
            "entries": [_entry_json(e) for e in page],
        }


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat().replace("+00:00", "Z"),
        "endpoint": entry.endpoint,
        "request_id": entry.request_id,
        "messages": entry.messages,
        "targeted": entry.targeted,
        "delivered": entry.delivered,
        "quota_cost": entry.quota_cost,
        "retry_key": entry.retry_key,
    }
