"""What each request would have cost under X's pay-per-use prices, per account and endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from jun_engine.config.schema import Pricing

ReadKind = Literal["post", "user", "dm_event"]
WriteKind = Literal[
    "post_create", "post_create_with_url", "summoned_reply", "dm_create", "post_delete"
]


@dataclass(slots=True)
class Line:
    """The running totals of one (account, endpoint) pair."""

    requests: int = 0
    resources: int = 0
    """Resources billed (a resource read again the same UTC day is not billed again)."""
    usd: float = 0.0


class Ledger:
    """Prices every successful request; thread-safe. Reads per resource, writes per request.

    A resource (a post, user or DM event) is billed once per UTC day per app; an account reading
    its own mentions or posts pays the owned-read price when the town owns the app.
    """

    def __init__(self, pricing: Pricing, *, owns_app: bool) -> None:
        self._pricing = pricing
        self._owns_app = owns_app
        self._lines: dict[tuple[str, str], Line] = {}
        self._seen: set[tuple[date, str, str, str]] = set()
        self._seen_day: date | None = None
        self._lock = threading.Lock()

    def charge_read(
        self,
        account: str,
        endpoint: str,
        kind: ReadKind,
        resource_ids: Iterable[str],
        *,
        day: date,
        app: str,
        owned: bool = False,
    ) -> float:
        """Bill the resources a read returned; returns the amount charged."""
        price = self._read_price(kind, owned)
        with self._lock:
            self._roll(day)
            fresh = 0
            for resource_id in resource_ids:
                key = (day, app, kind, resource_id)
                if key not in self._seen:
                    self._seen.add(key)
                    fresh += 1
            line = self._lines.setdefault((account, endpoint), Line())
            line.requests += 1
            line.resources += fresh
            line.usd += fresh * price
        return fresh * price

    def charge_write(self, account: str, endpoint: str, kind: WriteKind) -> float:
        """Bill one write request; returns the amount charged."""
        price = float(getattr(self._pricing, kind))
        with self._lock:
            line = self._lines.setdefault((account, endpoint), Line())
            line.requests += 1
            line.resources += 1
            line.usd += price
        return price

    def snapshot(self) -> dict[str, dict[str, Line]]:
        """A copy of every line: account -> endpoint -> totals."""
        with self._lock:
            out: dict[str, dict[str, Line]] = {}
            for (account, endpoint), line in self._lines.items():
                out.setdefault(account, {})[endpoint] = Line(
                    line.requests, line.resources, line.usd
                )
            return out

    def total_usd(self, account: str | None = None) -> float:
        """What everything (or one account) has cost so far."""
        with self._lock:
            return sum(line.usd for (who, _), line in self._lines.items() if account in (None, who))

    def totals_by_account(self) -> dict[str, float]:
        """What each account has cost so far, in one pass."""
        with self._lock:
            totals: dict[str, float] = {}
            for (account, _), line in self._lines.items():
                totals[account] = totals.get(account, 0.0) + line.usd
            return totals

    def _read_price(self, kind: ReadKind, owned: bool) -> float:
        if owned and self._owns_app:
            return self._pricing.owned_read
        prices = {
            "post": self._pricing.post_read,
            "user": self._pricing.user_read,
            "dm_event": self._pricing.dm_event_read,
        }
        return prices[kind]

    def _roll(self, day: date) -> None:
        # Only today's reads matter for "once per UTC day": forget earlier days.
        if self._seen_day != day:
            self._seen = {key for key in self._seen if key[0] >= day}
            self._seen_day = day
