"""Sending `line_cast` rows: multicasts to stored lists of user ids, narrowcasts by LINE's
demographic filter (followed to the end through their progress), and broadcasts.

Exactly once, across crashes: each row carries the `X-Line-Retry-Key` written with it, before
its first attempt, and every attempt of the row sends that key. A row is committed `sending`
before LINE is called; a 2xx marks it sent (a narrowcast: accepted, then followed); a 409 means
an earlier attempt was carried out: sent. A row found `sending` when a caster starts was cut off
by a crash: it is tried again with its key. Server errors and timeouts are retried with the same
key while it is valid (24 h); other 4xx are final. One caster runs per daemon (its lock).

Order: highest priority first (an emergency broadcast before any queued notice), then oldest.
Each send first asks the quota (`quota.holds`): a notice that would eat into what is kept for
more urgent messages waits. A multicast never tried is cut instead: the recipients the quota has
room for go now (in priority order, as always), the rest become a row of their own that waits
for room (next month's quota). What can never fit in a month (`quota.never_fits`: a broadcast to
more friends than the cap leaves for notices, a cap too small for one message) fails, saying why
(`notices status`).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from linebot.v3.messaging import (
    ApiException,
    BroadcastRequest,
    MulticastRequest,
    NarrowcastRequest,
    TextMessage,
)
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.channels.line.client import TIMEOUT, LineClients
from jun_engine.channels.line.month import month_of
from jun_engine.channels.line.quota import (
    HOLD_FOR,
    QuotaWatch,
    Tier,
    holds,
    never_fits,
    record_spend,
    room,
    tier_of,
)
from jun_engine.clock import Clock
from jun_engine.config.schema import LineAccount
from jun_engine.domain.statuses import CastKind, CastStatus
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineCastRow, LineQuotaRow

log = logging.getLogger(__name__)

CASTS: sa.Table = LineCastRow.__table__  # type: ignore[attr-defined]
RETRY_KEY_VALID = timedelta(hours=23)
"""LINE honours a retry key for 24 h; past this an unconfirmed attempt cannot be retried."""
RETRY_AFTER = timedelta(seconds=30)
RATE_LIMITED_FOR = timedelta(minutes=1)
PROGRESS_EVERY = timedelta(seconds=1)
IDLE_SECONDS = 2.0
MONTHLY_LIMIT = "monthly limit"
ACCEPTED_HEADER = "x-line-accepted-request-id"
REQUEST_HEADER = "x-line-request-id"
CUT_MARK = "~"
"""Joins a multicast's key to the id of the row it was cut from (`_cut`)."""
TEXT_PIECE = 2_500
"""Characters per text message: at most 5,000 UTF-16 units even if every one is an emoji."""


@dataclass(frozen=True, slots=True)
class Sent:
    """LINE took the request: its request id."""

    request_id: str | None


class LineCaster:
    """Sends every LINE account's casts; one per daemon."""

    def __init__(
        self,
        engine: Engine,
        clients: Mapping[str, LineClients],
        accounts: Mapping[str, LineAccount],
        clock: Clock,
        *,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._clients = {accounts[key].bot_user_id: c for key, c in clients.items()}
        self._accounts = {accounts[key].bot_user_id: accounts[key] for key in clients}
        self._keys = {accounts[key].bot_user_id: key for key in clients}
        self._watch = QuotaWatch(clients, accounts)
        self._idle_seconds = idle_seconds
        self._recovered = False

    def run(self, stop: threading.Event) -> None:
        """Send whatever is due until `stop` is set."""
        while not stop.is_set():
            try:
                self.drain_once()
            except Exception:  # a bug must not stop the casts; rows stay put
                log.exception("LINE cast pass failed; trying again shortly")
            if self._clock.sleep(self._idle_seconds, stop):
                break

    def drain_once(self) -> int:
        """Recover after a crash (once), follow narrowcasts, send what is due; returns how many
        casts were sent or accepted."""
        if not self._recovered:
            self._recover()
            self._recovered = True
        self._follow_narrowcasts()
        done = 0
        excluded: set[tuple[str, CastKind]] = set()
        while (row := self._claim_next(excluded)) is not None:
            done += self._send(row, excluded)
        return done

    def waiting(self) -> int:
        """Casts pending, being sent or followed."""
        with session_scope(self._engine) as session:
            statement = sa.select(sa.func.count()).where(
                CASTS.c.status.in_([CastStatus.PENDING, CastStatus.SENDING, CastStatus.ACCEPTED]),
                CASTS.c.account_id.in_(list(self._clients)),
            )
            return int(session.execute(statement).scalar_one())

    # --- claiming ------------------------------------------------------------------------

    def _recover(self) -> None:
        with session_scope(self._engine) as session:
            result = session.execute(
                sa.update(CASTS)
                .where(CASTS.c.status == CastStatus.SENDING)
                .values(status=CastStatus.PENDING, not_before=None)
            )
            cut_off = int(result.rowcount)  # type: ignore[attr-defined]
        if cut_off:
            log.info("%d LINE cast(s) cut off mid-send: retried with their keys", cut_off)

    def _claim_next(self, excluded: Collection[tuple[str, CastKind]]) -> LineCastRow | None:
        now = self._clock.now()
        with session_scope(self._engine) as session:
            while (row := _next_due(session, now, list(self._clients), excluded)) is not None:
                if self._settle_unsendable(session, row, now):
                    continue
                held = self._gate(session, row, now)
                if held is not None and row.status is CastStatus.FAILED:
                    continue
                if held is not None:
                    row.not_before, row.last_error = now + HOLD_FOR, held
                    session.add(row)
                    log.info("LINE cast %d held for %s: %s", row.id, HOLD_FOR, held)
                    continue
                row.status, row.attempts = CastStatus.SENDING, row.attempts + 1
                row.first_attempt_at = row.first_attempt_at or now
                session.add(row)
                session.flush()
                session.expunge(row)
                return row
        return None

    def _settle_unsendable(self, session: Session, row: LineCastRow, now: datetime) -> bool:
        reason = None
        if row.expires_at is not None and row.expires_at <= now:
            reason = "its moment passed before it could be sent"
        elif row.first_attempt_at is not None and now - row.first_attempt_at > RETRY_KEY_VALID:
            reason = "its retry key is no longer valid: cannot tell whether it was sent"
        if reason is None:
            return False
        row.status, row.last_error = CastStatus.FAILED, reason
        session.add(row)
        log.warning("LINE cast %d not sent: %s", row.id, reason)
        return True

    def _gate(self, session: Session, row: LineCastRow, now: datetime) -> str | None:
        """Why the row must wait (None: it goes now). A multicast never tried is cut to what
        the quota has room for, the rest queued behind it; a row that can never fit in a
        month's quota is failed, saying why."""
        account, tier = self._accounts[row.account_id], tier_of(row.priority, None)
        cost = _cost(session, row)
        held = holds(session, account, tier, cost, now)
        if held is None:
            return None
        cuttable = row.how is CastKind.MULTICAST and row.attempts == 0
        never = never_fits(session, account, tier, 1 if cuttable else cost, now)
        if never is not None:
            row.status, row.last_error = CastStatus.FAILED, never
            session.add(row)
            log.warning("LINE cast %d not sent: %s", row.id, never)
            return never
        left = room(session, account, tier, now) or 0
        if cuttable and left >= 1:
            _cut(session, row, left)
            return None
        return held

    # --- sending -------------------------------------------------------------------------

    def _send(self, row: LineCastRow, excluded: set[tuple[str, CastKind]]) -> int:
        assert row.id is not None
        if row.how is CastKind.BROADCAST and row.attempts == 1:
            # Its reach is what LINE counts after it less what LINE counted before it: read the
            # "before" now, not the engine's meter (LINE's console may have spent since).
            self._watch.refresh(self._engine, self._keys[row.account_id], self._clock.now())
        try:
            sent = self._call(row)
        except ApiException as error:
            return self._after_refusal(row, error, excluded)
        except Exception as error:  # urllib3's network errors: it may have landed
            self._retry_later(row, f"no answer from LINE: {type(error).__name__}")
            return 0
        self._mark_accepted(row, sent.request_id)
        return 1

    def _call(self, row: LineCastRow) -> Sent:
        api = self._clients[row.account_id].messaging
        messages = [TextMessage(text=piece) for piece in _pieces(row.text)]
        key = row.retry_key
        if row.how is CastKind.MULTICAST:
            request = MulticastRequest(to=row.recipients.splitlines(), messages=messages)
            response = api.multicast_with_http_info(
                request, x_line_retry_key=key, _request_timeout=TIMEOUT
            )
        elif row.how is CastKind.BROADCAST:
            response = api.broadcast_with_http_info(
                BroadcastRequest(messages=messages), x_line_retry_key=key, _request_timeout=TIMEOUT
            )
        else:
            body = {"messages": [m.to_dict() for m in messages], **self._narrowing(row)}
            response = api.narrowcast_with_http_info(
                NarrowcastRequest.from_dict(body), x_line_retry_key=key, _request_timeout=TIMEOUT
            )
        return Sent(_header(response.headers, REQUEST_HEADER))

    def _narrowing(self, row: LineCastRow) -> dict[str, object]:
        """The narrowcast's filter, and a limit keeping a notice out of the reserved quota."""
        out: dict[str, object] = {}
        if row.audience:
            out["filter"] = {"demographic": json.loads(row.audience)}
        with session_scope(self._engine) as session:
            tier = tier_of(row.priority, None)
            left = room(session, self._accounts[row.account_id], tier, self._clock.now())
        if left is not None:
            out["limit"] = {"max": max(left, 1), "upToRemainingQuota": True}
        return out

    def _after_refusal(
        self, row: LineCastRow, error: ApiException, excluded: set[tuple[str, CastKind]]
    ) -> int:
        if error.status == 409:
            accepted = _header(error.headers, ACCEPTED_HEADER)
            log.info("LINE cast %d had been carried out (409): not sent again", row.id)
            self._mark_accepted(row, accepted)
            return 1
        message = _message(error)
        if error.status == 429 and MONTHLY_LIMIT in message.lower():
            self._watch.refresh(self._engine, self._keys[row.account_id], self._clock.now())
            if tier_of(row.priority, None) is Tier.EMERGENCY and row.how is CastKind.BROADCAST:
                self._narrow_to_quota(row)
            else:
                self._release(row, HOLD_FOR, "LINE: the month's messages are used up", refund=True)
        elif error.status == 429:
            excluded.add((row.account_id, row.how))
            self._release(row, RATE_LIMITED_FOR, f"LINE rate limit: {message}", refund=True)
        elif error.status >= 500:
            self._retry_later(row, f"LINE answered {error.status}: {message}")
        else:
            self._fail(row, f"LINE refused it ({error.status}): {message}")
        return 0

    def _narrow_to_quota(self, row: LineCastRow) -> None:
        """An emergency the quota cannot carry to every friend goes to as many as it can: a
        narrowcast to everyone, limited to what is left (LINE refused the broadcast whole, so
        its retry key was not used)."""
        log.warning("LINE cast %d: the quota cannot reach every friend; sent to as many", row.id)
        with session_scope(self._engine) as session:
            session.execute(
                sa.update(CASTS)
                .where(CASTS.c.id == row.id)
                .values(
                    how=CastKind.NARROWCAST,
                    status=CastStatus.PENDING,
                    not_before=None,
                    attempts=CASTS.c.attempts - 1,
                    last_error="the quota could not reach every friend: narrowed to what is left",
                )
            )

    def _mark_accepted(self, row: LineCastRow, request_id: str | None) -> None:
        now = self._clock.now()
        account = self._accounts[row.account_id]
        with session_scope(self._engine) as session:
            stored = session.get(LineCastRow, row.id)
            assert stored is not None
            stored.request_id, stored.last_error, stored.not_before = request_id, None, None
            if row.how is CastKind.NARROWCAST:
                stored.status, stored.progress = CastStatus.ACCEPTED, "waiting"
            else:
                stored.status, stored.sent_at = CastStatus.SENT, now
            if row.how is CastKind.MULTICAST:
                stored.delivered = len(row.recipients.splitlines())
                record_spend(session, account, stored.delivered, now)
            session.add(stored)
        log.info("LINE cast %d (%s) accepted: request %s", row.id, row.how.value, request_id)
        if row.how is CastKind.BROADCAST:
            self._count_broadcast(row, now)

    def _count_broadcast(self, row: LineCastRow, now: datetime) -> None:
        """A broadcast's reach is known only from LINE's meter: read before it (`_send`) and
        now."""
        account = self._accounts[row.account_id]
        before = self._spent(account, now)
        if not self._watch.refresh(self._engine, self._keys[row.account_id], now):
            return
        with session_scope(self._engine) as session:
            session.execute(
                sa.update(CASTS)
                .where(CASTS.c.id == row.id)
                .values(delivered=max(self._spent(account, now) - before, 0))
            )

    def _spent(self, account: LineAccount, now: datetime) -> int:
        with session_scope(self._engine) as session:
            row = session.get(LineQuotaRow, (account.bot_user_id, month_of(now)))
            return row.spent if row is not None else 0

    def _retry_later(self, row: LineCastRow, reason: str) -> None:
        """It may have landed: tried again with the same key (a 409 if it had)."""
        log.warning("LINE cast %d: attempt %d failed: %s", row.id, row.attempts, reason)
        self._release(row, RETRY_AFTER * row.attempts, reason, refund=False)

    def _release(self, row: LineCastRow, wait: timedelta, reason: str, *, refund: bool) -> None:
        with session_scope(self._engine) as session:
            session.execute(
                sa.update(CASTS)
                .where(CASTS.c.id == row.id)
                .values(
                    status=CastStatus.PENDING,
                    not_before=self._clock.now() + wait,
                    last_error=reason,
                    attempts=CASTS.c.attempts - (1 if refund else 0),
                )
            )

    def _fail(self, row: LineCastRow, reason: str) -> None:
        log.warning("LINE cast %d failed: %s", row.id, reason)
        with session_scope(self._engine) as session:
            session.execute(
                sa.update(CASTS)
                .where(CASTS.c.id == row.id)
                .values(status=CastStatus.FAILED, last_error=reason)
            )

    # --- narrowcast progress ------------------------------------------------------------

    def _follow_narrowcasts(self) -> None:
        now = self._clock.now()
        with session_scope(self._engine) as session:
            rows = session.exec(
                select(LineCastRow).where(
                    LineCastRow.status == CastStatus.ACCEPTED,
                    col(LineCastRow.account_id).in_(list(self._clients)),
                    sa.or_(CASTS.c.not_before.is_(None), CASTS.c.not_before <= now),
                )
            ).all()
            for row in rows:
                session.expunge(row)
        for row in rows:
            self._follow(row, now)

    def _follow(self, row: LineCastRow, now: datetime) -> None:
        api = self._clients[row.account_id].messaging
        try:
            progress = api.get_narrowcast_progress(str(row.request_id), _request_timeout=TIMEOUT)
        except Exception as error:  # asked again on the next pass
            log.warning("LINE narrowcast %d: reading its progress failed: %s", row.id, error)
            return
        phase = str(progress.phase)
        account = self._accounts[row.account_id]
        with session_scope(self._engine) as session:
            stored = session.get(LineCastRow, row.id)
            assert stored is not None
            stored.progress = phase
            stored.not_before = now + PROGRESS_EVERY
            if phase in ("succeeded", "failed"):
                stored.delivered = progress.success_count
                stored.undelivered = progress.failure_count
                stored.status = CastStatus.SENT if phase == "succeeded" else CastStatus.FAILED
                stored.sent_at, stored.not_before = now, None
                record_spend(session, account, progress.success_count or 0, now)
                if phase == "failed":
                    why = f"{progress.failed_description} (errorCode {progress.error_code})"
                    stored.last_error = f"LINE: {why}"
            session.add(stored)
        if phase in ("succeeded", "failed"):
            log.info("LINE narrowcast %d %s: %s delivered", row.id, phase, progress.success_count)


def _next_due(
    session: Session, now: datetime, accounts: list[str], excluded: Collection[tuple[str, CastKind]]
) -> LineCastRow | None:
    statement = (
        select(LineCastRow)
        .where(
            LineCastRow.status == CastStatus.PENDING,
            col(LineCastRow.account_id).in_(accounts),
            sa.or_(CASTS.c.not_before.is_(None), CASTS.c.not_before <= now),
        )
        .order_by(CASTS.c.priority.desc(), CASTS.c.created_at, CASTS.c.id)
        .limit(1)
    )
    for account_id, how in excluded:
        statement = statement.where(
            sa.not_(sa.and_(CASTS.c.account_id == account_id, CASTS.c.how == how))
        )
    return session.exec(statement).first()


def _cut(session: Session, row: LineCastRow, keep: int) -> None:
    """Keep the first `keep` recipients in `row`; the rest become a row of their own, queued
    right behind it (same priority and time, its own retry key)."""
    assert row.id is not None
    ids = row.recipients.splitlines()
    row.recipients = "\n".join(ids[:keep])
    rest = LineCastRow(
        key=f"{row.key.split(CUT_MARK)[0]}{CUT_MARK}{row.id}",
        account_id=row.account_id,
        how=row.how,
        recipients="\n".join(ids[keep:]),
        text=row.text,
        priority=row.priority,
        retry_key=str(uuid.uuid4()),
        expires_at=row.expires_at,
        created_at=row.created_at,
        notice_id=row.notice_id,
    )
    session.add_all([row, rest])
    session.flush()
    log.info(
        "LINE cast %d: %d of %d recipient(s) fit the quota now; the rest wait as cast %s",
        row.id,
        keep,
        len(ids),
        rest.id,
    )


def _cost(session: Session, row: LineCastRow) -> int:
    """Messages the cast will spend: its recipients, or (for everyone) as many as the account's
    last broadcast reached, at least one."""
    if row.how is CastKind.MULTICAST:
        return len(row.recipients.splitlines())
    if row.how is CastKind.NARROWCAST:
        return 1  # its limit keeps it within what the quota allows (`_room`)
    return max(broadcast_reach(session, row.account_id), 1)


def broadcast_reach(session: Session, account_id: str) -> int:
    """Friends the account's broadcasts reached at most (0: none known yet): what the next
    broadcast is expected to cost."""
    reached = session.execute(
        sa.select(sa.func.max(CASTS.c.delivered)).where(
            CASTS.c.account_id == account_id, CASTS.c.how == CastKind.BROADCAST
        )
    ).scalar()
    return int(reached or 0)


def _pieces(text: str) -> list[str]:
    return [text[i : i + TEXT_PIECE] for i in range(0, len(text), TEXT_PIECE)][:5]


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return None


def _message(error: ApiException) -> str:
    try:
        body = json.loads(error.body or "{}")
    except (TypeError, ValueError):
        return str(error.reason or "")
    return str(body.get("message", error.reason or "")) if isinstance(body, dict) else ""


class CastLoop:
    """The caster as the daemon runs a channel's loops (`channels.ports.PollLoop`): the LINE
    runtime returns it from `pollers()`, and the daemon gives it a thread of its own (and one
    `turn` in `run --once`). It stores no messages."""

    def __init__(self, caster: LineCaster) -> None:
        self._caster = caster

    @property
    def ref(self) -> object:
        """How logs name it."""
        return "LINE casts"

    @property
    def stored(self) -> int:
        """Messages it stored: none (it only sends)."""
        return 0

    @property
    def stopped(self) -> bool:
        """It never stops for good: a failed pass is tried again."""
        return False

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set."""
        self._caster.run(stop)

    def turn(self) -> object:
        """One pass, now: how many casts were sent or accepted."""
        return self._caster.drain_once()
