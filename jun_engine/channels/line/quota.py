"""LINE's monthly message quota: read from LINE, metered as the engine spends it, capped by
accounts.yaml, and spent on what matters as it runs low.

The meter (`line_quota`, one row per account and month of Japan's calendar) counts every message
the engine pushes, multicasts or broadcasts, in the transaction that records the send, and is
raised to LINE's own figure whenever LINE is read (`QuotaWatch`, hourly): LINE's count is the
truth, the engine's keeps it current between two reads. The month's cap is the account's
`quota_cap()` (its own cap, else its plan's), or LINE's reported limit when that is lower.

As the quota runs low each kind of message keeps out of a reserve left for the kinds above it
(`Tier`, `RESERVED`): emergencies always go; answers whose reply token expired keep 5 % of the cap
for emergencies; status updates 10 %; notices 20 %. A message that would eat into its reserve is
held (the outbox and the cast queue retry it later), never dropped; a multicast is cut to
what the quota has room for and the rest waits (`casting`); what can never fit in a month's
cap (`never_fits`) is refused when the notice is added, and failed saying why if queued.
Crossing the account's `quota_warning_share` logs one WARNING a month and shows in
`jun-engine status`; a daily check
warns when LINE's limit is not the configured plan's (accounts have dropped to the free plan
silently).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.channels.line.client import TIMEOUT, LineClients
from jun_engine.channels.line.month import cap_of, month_of
from jun_engine.channels.ports import OutboxItem
from jun_engine.config.schema import PLAN_QUOTAS, LineAccount
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineQuotaRow, LineReplyTokenRow

log = logging.getLogger(__name__)

QUOTAS: sa.Table = LineQuotaRow.__table__  # type: ignore[attr-defined]
READ_EVERY = timedelta(hours=1)
"""How often `QuotaWatch` reads LINE's figures."""
PLAN_CHECK_EVERY = timedelta(days=1)
REPLY_FRESH_FOR = timedelta(seconds=50)
"""A reply token younger than this, unused, answers for free (LINE: about a minute); the same
as `LineDelivery`'s `FRESH_FOR`."""
HOLD_FOR = timedelta(minutes=10)
"""How long a held message waits before the gate is asked again."""


class Tier(IntEnum):
    """What a LINE message is, in the order the quota is spent on it as it runs low."""

    NOTICE = 0
    STATUS = 1
    """Status updates, surveys, reminders: a push below an answer's priority."""
    ANSWER = 2
    """An answer whose reply token expired (a reply at `Priority.ACK` or above): a push."""
    EMERGENCY = 3


RESERVED: dict[Tier, float] = {
    Tier.EMERGENCY: 0.0,
    Tier.ANSWER: 0.05,
    Tier.STATUS: 0.10,
    Tier.NOTICE: 0.20,
}
"""The share of the month's cap a tier leaves unspent for the tiers above it."""
KINDS: dict[Tier, str] = {
    Tier.EMERGENCY: "emergencies",
    Tier.ANSWER: "answers",
    Tier.STATUS: "status updates",
    Tier.NOTICE: "notices",
}
"""How a hold names each tier's messages."""


def tier_of(priority: int, kind: OutboxKind | None) -> Tier:
    """The tier of an outbox item (`kind`) or of a cast (None) of `priority`.

    On LINE everything said about a case is a reply to the resident's message, the news that it
    was resolved and the survey as much as the department's answer: a reply is an answer when
    it goes at `Priority.ACK` or above, and a status update below it (as a DM is)."""
    if priority >= Priority.EMERGENCY:
        return Tier.EMERGENCY
    if kind is OutboxKind.REPLY and priority >= Priority.ACK:
        return Tier.ANSWER
    if kind in (OutboxKind.REPLY, OutboxKind.DM):
        return Tier.STATUS
    return Tier.NOTICE


@dataclass(frozen=True, slots=True)
class Reading:
    """LINE's own figures: the month's limit (None: none) and the messages counted so far."""

    limit: int | None
    used: int


@dataclass(frozen=True, slots=True)
class QuotaHealth:
    """One LINE account's quota as `jun-engine status` shows it."""

    account: str
    plan: str
    used: int
    cap: int | None
    reported_limit: int | None
    reported_at: datetime | None
    warning: str | None


def read_quota(clients: LineClients) -> Reading:
    """GET the quota and the month's consumption from LINE."""
    quota = clients.messaging.get_message_quota(_request_timeout=TIMEOUT)
    consumption = clients.messaging.get_message_quota_consumption(_request_timeout=TIMEOUT)
    limit = int(quota.value) if quota.type == "limited" and quota.value is not None else None
    return Reading(limit, int(consumption.total_usage))


def count_spend(session: Session, account_id: str, messages: int, now: datetime) -> None:
    """Count `messages` spent by the account `account_id` (a bot user id) now, in the caller's
    transaction with the send (LINE's outbox delivery; `QuotaWatch` warns when it is low)."""
    if messages > 0:
        month = month_of(now)
        _ensure_row(session, account_id, month)
        session.execute(
            sa.update(QUOTAS)
            .where(QUOTAS.c.account_id == account_id, QUOTAS.c.month == month)
            .values(spent=QUOTAS.c.spent + messages)
        )


def record_spend(session: Session, account: LineAccount, messages: int, now: datetime) -> None:
    """Count `messages` spent by `account` now (in the caller's transaction, with the send),
    and warn once the month's warning share is crossed."""
    if messages <= 0:
        return
    count_spend(session, account.bot_user_id, messages, now)
    _warn_if_low(_row(session, account.bot_user_id, now), account, now)


def record_reading(session: Session, account: LineAccount, reading: Reading, now: datetime) -> None:
    """Store LINE's figures, raise the meter to them, warn when they call for it."""
    month = month_of(now)
    _ensure_row(session, account.bot_user_id, month)
    session.execute(
        sa.update(QUOTAS)
        .where(QUOTAS.c.account_id == account.bot_user_id, QUOTAS.c.month == month)
        .values(
            spent=sa.case((QUOTAS.c.spent < reading.used, reading.used), else_=QUOTAS.c.spent),
            reported_used=reading.used,
            reported_limit=reading.limit,
            reported_at=now,
        )
    )
    row = _row(session, account.bot_user_id, now)
    if row.plan_checked_at is None or now - row.plan_checked_at >= PLAN_CHECK_EVERY:
        row.plan_warning = plan_mismatch(account, reading)
        row.plan_checked_at = now
        if row.plan_warning:
            log.warning("LINE account %s: %s", account.bot_user_id, row.plan_warning)
    session.add(row)
    _warn_if_low(row, account, now)


def plan_mismatch(account: LineAccount, reading: Reading) -> str | None:
    """What differs between LINE's limit and the configured plan's, if anything."""
    expected = PLAN_QUOTAS[account.plan]
    if reading.limit == expected:
        return None
    said = "no limit" if reading.limit is None else f"{reading.limit:,} messages a month"
    planned = "no limit" if expected is None else f"{expected:,}"
    return (
        f"LINE reports {said}, but accounts.yaml says plan {account.plan!r} ({planned}): "
        "has the account's plan changed?"
    )


def room(session: Session, account: LineAccount, tier: Tier, now: datetime) -> int | None:
    """Messages of `tier` the account may still spend this month without eating into what is
    kept for the tiers above it (None: no cap)."""
    row = session.get(LineQuotaRow, (account.bot_user_id, month_of(now)))
    cap = cap_of(account, row)
    if cap is None:
        return None
    used = row.spent if row is not None else 0
    return int(cap - used - RESERVED[tier] * cap)


def month_allowance(
    session: Session, account: LineAccount, tier: Tier, now: datetime
) -> int | None:
    """The most messages of `tier` the account may spend in a whole month: the cap less what is
    kept for the tiers above (None: no cap)."""
    cap = cap_of(account, session.get(LineQuotaRow, (account.bot_user_id, month_of(now))))
    return None if cap is None else int(cap - RESERVED[tier] * cap)


def never_fits(
    session: Session, account: LineAccount, tier: Tier, cost: int, now: datetime
) -> str | None:
    """Why `cost` messages of `tier` can never be sent within one month (more than a month's
    cap leaves for the tier), or None. Emergencies always go."""
    most = month_allowance(session, account, tier, now)
    if tier is Tier.EMERGENCY or most is None or cost <= most:
        return None
    cap = cap_of(account, session.get(LineQuotaRow, (account.bot_user_id, month_of(now))))
    return (
        f"LINE quota: {cost} message(s) needed, but {tier.name.lower()}s may spend at most "
        f"{most} of the {cap} a month (plan {account.plan!r}; the rest is kept for more urgent "
        "messages): it can never go out in one month"
    )


def holds(
    session: Session, account: LineAccount, tier: Tier, cost: int, now: datetime
) -> str | None:
    """Why sending `cost` messages of `tier` must wait (the rest of the quota is kept for more
    urgent messages), or None when it may go. Emergencies are never held."""
    if tier is Tier.EMERGENCY or cost <= 0:
        return None
    left = room(session, account, tier, now)
    if left is None or cost <= left:
        return None
    return (
        f"LINE quota: {left} message(s) left for {KINDS[tier]} this month, "
        f"{cost} needed; the rest is kept for more urgent messages"
    )


def quota_health(
    session: Session, accounts: Mapping[str, LineAccount], now: datetime | None = None
) -> list[QuotaHealth]:
    """Each LINE account's quota in `now`'s month (None: the newest month metered), for
    `jun-engine status`."""
    out = []
    for key, account in accounts.items():
        row = _month_row(session, account.bot_user_id, now)
        cap = cap_of(account, row)
        used = row.spent if row is not None else 0
        warning = row.plan_warning if row is not None else None
        if warning is None and row is not None and row.warned_at is not None:
            warning = _low_text(used, cap, account)
        out.append(
            QuotaHealth(
                account=key,
                plan=account.plan,
                used=used,
                cap=cap,
                reported_limit=row.reported_limit if row is not None else None,
                reported_at=row.reported_at if row is not None else None,
                warning=warning,
            )
        )
    return out


def _month_row(session: Session, account_id: str, now: datetime | None) -> LineQuotaRow | None:
    if now is not None:
        return session.get(LineQuotaRow, (account_id, month_of(now)))
    statement = (
        select(LineQuotaRow)
        .where(LineQuotaRow.account_id == account_id)
        .order_by(col(LineQuotaRow.month).desc())
        .limit(1)
    )
    return session.exec(statement).first()


class LineQuotaGate:
    """The outbox's gate for LINE items: holds a push the quota no longer has room for.

    A reply whose token is still fresh costs nothing and is never held."""

    def __init__(self, accounts: Mapping[str, LineAccount]) -> None:
        self._accounts = {account.bot_user_id: account for account in accounts.values()}

    def holds(self, session: Session, item: OutboxItem, now: datetime) -> str | None:
        """Why `item` must wait for now, or None."""
        account = self._accounts.get(item.account_id)
        if account is None:
            return None
        cost = 0 if _fresh_token(session, item, now) else 1
        return holds(session, account, tier_of(item.priority, item.kind), cost, now)


class QuotaWatch:
    """Reads each LINE account's quota from LINE every `READ_EVERY` (from the daemon's upkeep)."""

    def __init__(self, clients: Mapping[str, LineClients], accounts: Mapping[str, LineAccount]):
        self._clients = dict(clients)
        self._accounts = dict(accounts)

    def housekeep(self, engine: Engine, now: datetime) -> int:
        """Read the accounts whose figures are older than `READ_EVERY`; returns how many."""
        read = 0
        for key in self._clients:
            account = self._accounts[key]
            with session_scope(engine) as session:
                row = session.get(LineQuotaRow, (account.bot_user_id, month_of(now)))
                due = row is None or row.reported_at is None or now - row.reported_at >= READ_EVERY
                if row is not None:
                    _warn_if_low(row, account, now)  # the outbox's pushes are counted unjudged
            if due and self.refresh(engine, key, now):
                read += 1
        return read

    def refresh(self, engine: Engine, key: str, now: datetime) -> bool:
        """Read one account's figures now; False (logged) when LINE could not be read."""
        try:
            reading = read_quota(self._clients[key])
        except Exception as error:  # the SDK's and urllib3's errors alike
            log.warning("LINE account %s: reading the quota failed: %s", key, error)
            return False
        with session_scope(engine) as session:
            record_reading(session, self._accounts[key], reading, now)
        return True


def _row(session: Session, account_id: str, now: datetime) -> LineQuotaRow:
    """The month's row as the database has it now (made if missing)."""
    month = month_of(now)
    _ensure_row(session, account_id, month)
    row = session.get(LineQuotaRow, (account_id, month), populate_existing=True)
    assert row is not None
    return row


def _ensure_row(session: Session, account_id: str, month: str) -> None:
    """Make the month's row unless it exists. Two senders may meet a new month at once (the
    outbox's and the caster, each in its own transaction): the second waits for the first and
    finds its row, where an INSERT would fail on PostgreSQL. Counts are added in SQL, never read
    and written back, so neither loses the other's."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(QUOTAS) if dialect == "postgresql" else sqlite.insert(QUOTAS)
    session.execute(insert.values(account_id=account_id, month=month).on_conflict_do_nothing())


def _warn_if_low(row: LineQuotaRow, account: LineAccount, now: datetime) -> None:
    cap = cap_of(account, row)
    if cap is None or row.warned_at is not None or row.spent < account.quota_warning_share * cap:
        return
    row.warned_at = now
    log.warning("LINE account %s: %s", account.bot_user_id, _low_text(row.spent, cap, account))


def _low_text(used: int, cap: int | None, account: LineAccount) -> str:
    return (
        f"{used} of this month's {cap} messages used (warning at "
        f"{account.quota_warning_share:.0%}): notices are held first as it runs out"
    )


def _fresh_token(session: Session, item: OutboxItem, now: datetime) -> bool:
    if item.kind is not OutboxKind.REPLY or item.target is None:
        return False
    params = {"account": item.account_id, "answered": item.target}
    row = session.execute(_UNUSED_TOKEN, params).first()
    return row is not None and now - row[0] < REPLY_FRESH_FOR


_UNUSED_TOKEN = sa.select(LineReplyTokenRow.received_at).where(  # type: ignore[call-overload]
    LineReplyTokenRow.account_id == sa.bindparam("account"),
    LineReplyTokenRow.platform_id == sa.bindparam("answered"),
    LineReplyTokenRow.used_at.is_(None),  # type: ignore[union-attr]
)
"""When an item's token came, if it is unused (built once: asked for every answer claimed)."""
