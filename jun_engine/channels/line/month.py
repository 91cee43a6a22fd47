"""LINE's quota month and the cap in force, free of the SDK: what the quota gate, the status,
the desk's analytics and its metrics all count against."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jun_engine.config.schema import LineAccount
from jun_engine.store.tables import LineQuotaRow

LINE_ZONE = ZoneInfo("Asia/Tokyo")
"""LINE's month is Japan's calendar month."""


def month_of(now: datetime) -> str:
    """LINE's month of `now`: YYYY-MM in Japan."""
    return f"{now.astimezone(LINE_ZONE):%Y-%m}"


def cap_of(account: LineAccount, row: LineQuotaRow | None) -> int | None:
    """The month's cap in force: the account's, or LINE's limit when lower (None: no cap)."""
    caps = [account.quota_cap()]
    if row is not None and row.reported_at is not None:
        caps.append(row.reported_limit)
    known = [cap for cap in caps if cap is not None]
    return min(known) if known else None
