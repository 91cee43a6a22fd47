"""What the engine spends at X: every request recorded in `api_call`, priced as X bills it.

X bills reads per resource returned (a post, a user, a DM event), each resource once per UTC day
per developer app, at the owned-read price when an account reads its own mentions or posts and
the town owns the app; writes per request. `billed_resource` remembers which resources were
already billed today, so the estimate survives restarts and equals X's bill (and the emulator's
ledger). Requests that failed cost nothing. One X answer the engine could not read (truncated)
may still have been billed: the estimate never counts more than X, and can count that less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, func, select

from jun_engine.config.schema import Config, Pricing
from jun_engine.store.tables import ApiCallRow, BilledResourceRow

ResourceKind = Literal["post", "user", "dm_event"]
WriteKind = Literal[
    "post_create", "post_create_with_url", "summoned_reply", "dm_create", "post_delete"
]
BILLED: sa.Table = BilledResourceRow.__table__  # type: ignore[attr-defined]
CENTS = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Read:
    """One read request and what it returned."""

    account_id: str
    endpoint: str
    app: str
    """The developer app the request was signed with (its consumer key's variable name)."""
    kind: ResourceKind
    resource_ids: Sequence[str]
    owned: bool = False
    status_code: int | None = 200


@dataclass(frozen=True, slots=True)
class Prices:
    """The town's pay-per-use prices, as exact decimals."""

    pricing: Pricing
    owns_app: bool

    @classmethod
    def of(cls, config: Config) -> Prices:
        """The prices accounts.yaml sets (X's 2026 prices by default)."""
        return cls(config.x.pricing, config.x.owns_app)

    def read(self, kind: ResourceKind, owned: bool) -> Decimal:
        """The price of one resource read."""
        if owned and self.owns_app:
            return _decimal(self.pricing.owned_read)
        price = {
            "post": self.pricing.post_read,
            "user": self.pricing.user_read,
            "dm_event": self.pricing.dm_event_read,
        }[kind]
        return _decimal(price)

    def write(self, kind: WriteKind) -> Decimal:
        """The price of one write request."""
        return _decimal(float(getattr(self.pricing, kind)))


def record_read(session: Session, read: Read, prices: Prices, at: datetime) -> Decimal:
    """Record a read request (billing only resources not yet billed today); returns its cost."""
    fresh = 0
    if read.status_code is not None and 200 <= read.status_code < 300:
        fresh = _bill_once_today(session, read, at.date())
    cost = fresh * prices.read(read.kind, read.owned)
    session.add(
        ApiCallRow(
            at=at,
            account_id=read.account_id,
            endpoint=read.endpoint,
            method="GET",
            status_code=read.status_code,
            resources=fresh,
            cost_usd=cost,
        )
    )
    return cost


def record_write(
    session: Session,
    *,
    account_id: str,
    endpoint: str,
    method: str,
    kind: WriteKind,
    status_code: int | None,
    prices: Prices,
    at: datetime,
) -> Decimal:
    """Record a write request (a post, a DM, a delete); only a successful one costs."""
    succeeded = status_code is not None and 200 <= status_code < 300
    cost = prices.write(kind) if succeeded else Decimal(0)
    session.add(
        ApiCallRow(
            at=at,
            account_id=account_id,
            endpoint=endpoint,
            method=method,
            status_code=status_code,
            resources=1 if succeeded else 0,
            cost_usd=cost,
        )
    )
    return cost


def spent_on(session: Session, day: date, account_id: str | None = None) -> Decimal:
    """What the requests of one UTC day cost (all accounts, or one)."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    statement = select(func.coalesce(func.sum(ApiCallRow.cost_usd), 0)).where(
        ApiCallRow.at >= start, ApiCallRow.at < start + timedelta(days=1)
    )
    if account_id is not None:
        statement = statement.where(ApiCallRow.account_id == account_id)
    return Decimal(session.exec(statement).one()).quantize(CENTS)


def spent_by_account(session: Session, day: date) -> dict[str, Decimal]:
    """What each account's requests cost on one UTC day."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    statement = (
        select(ApiCallRow.account_id, func.sum(ApiCallRow.cost_usd))
        .where(ApiCallRow.at >= start, ApiCallRow.at < start + timedelta(days=1))
        .group_by(ApiCallRow.account_id)
    )
    return {who: Decimal(usd).quantize(CENTS) for who, usd in session.exec(statement).all()}


def requests_on(session: Session, day: date) -> int:
    """How many requests were made on one UTC day."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    statement = select(func.count()).where(
        ApiCallRow.at >= start, ApiCallRow.at < start + timedelta(days=1)
    )
    return session.exec(statement).one()


def forget_billed_before(session: Session, day: date) -> int:
    """Drop the memory of resources billed before `day`; they are billable again anyway."""
    result = session.execute(sa.delete(BILLED).where(BILLED.c.day < day))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _bill_once_today(session: Session, read: Read, day: date) -> int:
    ids = list(dict.fromkeys(read.resource_ids))
    if not ids:
        return 0
    rows = [{"day": day, "app": read.app, "kind": read.kind, "resource_id": i} for i in ids]
    statement = (
        _insert(session).values(rows).on_conflict_do_nothing().returning(BILLED.c.resource_id)
    )
    return len(session.execute(statement).all())


def _decimal(price: float) -> Decimal:
    return Decimal(str(price))


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(BILLED) if dialect == "postgresql" else sqlite.insert(BILLED)
