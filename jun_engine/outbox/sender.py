"""`OutboxSender`: sends due outbox items one at a time, paced per account, exactly once.

Each attempt is committed as `sending` (with its attempt row) BEFORE X is called, and as `sent`
right after. An item found `sending` later (the process died mid-call, a timeout after the
request left, a 5xx) is never re-sent blindly: the account's own posts or DMs are looked through
first, and it is marked sent if it is there. Only then is it tried again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.results import RateLimit
from jun_engine.channels.x.billing import Prices, Read, record_read, record_write
from jun_engine.channels.x.gateway import XGateway
from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.domain.errors import (
    AuthError,
    ChannelError,
    DmNotPermitted,
    DuplicateContent,
    Forbidden,
    InvalidRequest,
    NetworkError,
    NotFound,
    RateLimited,
    ReplyNotAllowed,
)
from jun_engine.outbox import queue
from jun_engine.outbox.backoff import look_time, retry_time
from jun_engine.outbox.errors import LookInconclusiveError
from jun_engine.outbox.limits import X_LIMITS, Bucket
from jun_engine.outbox.lookup import PageSeen, find_landed
from jun_engine.outbox.pacing import Pacer
from jun_engine.outbox.pricing import endpoint_of, write_kind
from jun_engine.outbox.queue import OutboxItem
from jun_engine.service.outage import OutageWatch
from jun_engine.store.errors import DatabaseError
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import OutboxKind, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""Attempts (rate limits and auth pauses not counted) before an item is abandoned."""
CREATED = 201
"""The status X answers a post or DM with; recorded for sends found by looking, too."""
IDLE_SECONDS = 2.0
"""Clock seconds between two looks at the queue when nothing is due."""
PAUSE = timedelta(minutes=15)
"""How long an account whose keys X refused pauses sending."""

REFUSALS: tuple[tuple[type[ChannelError], str], ...] = (
    (ReplyNotAllowed, "reply_not_allowed"),
    (DmNotPermitted, "dm_not_permitted"),
    (NotFound, "target_not_found"),
    (InvalidRequest, "invalid_request"),
    (Forbidden, "forbidden"),
)
"""Refusals that no retry cures, and the failure code each leaves on the item."""


class OutboxSender:
    """Drains the outbox through one `XGateway` per sending account (keyed by X user id)."""

    def __init__(
        self,
        engine: Engine,
        gateways: Mapping[str, XGateway],
        clock: Clock,
        config: Config,
        *,
        pacer: Pacer | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        idle_seconds: float = IDLE_SECONDS,
        outage: OutageWatch | None = None,
    ) -> None:
        self._engine = engine
        self._gateways = dict(gateways)
        self._clock = clock
        self._dm_accounts = {a.user_id for a in config.accounts.values() if a.dm_access}
        self.pacer = pacer or Pacer(X_LIMITS)
        self._max_attempts = max_attempts
        self._idle_seconds = idle_seconds
        self._rng = random.Random()  # noqa: S311 (jitter, not secrets)
        self._outage = outage or OutageWatch()
        self._prices = Prices.of(config)
        self._apps = {
            a.user_id: a.consumer_key_env or config.x.app.consumer_key_env
            for a in config.accounts.values()
        }

    def run(self, stop: threading.Event) -> None:
        """Send whatever is due until `stop` is set, waiting on the clock in between.

        While the database cannot be used the sender backs off (real seconds, see
        `service.outage`): an item whose send was not recorded stays `sending`, and is looked
        for on X before it is ever tried again.
        """
        log.info("outbox sender started for %d account(s)", len(self._gateways))
        failures = 0
        while not stop.is_set():
            try:
                self.drain_once()
            except DatabaseError as error:
                if stop.wait(self._outage.failed("outbox", error).seconds):
                    break
                continue
            except Exception:  # a bug must not stop the queue; the item stays put
                failures += 1
                log.exception("outbox pass failed; trying again shortly")
                if stop.wait(min(2.0**failures, 300.0)):
                    break
                continue
            failures = 0
            self._outage.succeeded("outbox")
            if self._clock.sleep(self._idle_seconds, stop):
                break
        log.info("outbox sender stopped")

    def drain_once(self) -> int:
        """Resolve uncertain items, then send everything due now; returns how many were sent."""
        sent = self._resolve_uncertain()
        while (item := self._claim_next()) is not None:
            sent += self._deliver(item)
        return sent

    def waiting(self) -> int:
        """How many items of this sender's accounts are still pending or being sent."""
        with session_scope(self._engine) as session:
            return queue.waiting_count(session, self._gateways)

    def drain_until_empty(self, stop: threading.Event) -> bool:
        """Send until nothing is waiting (True) or `stop` is set (False)."""
        while not stop.is_set():
            self.drain_once()
            if self.waiting() == 0:
                return True
            if self._clock.sleep(self._idle_seconds, stop):
                break
        return False

    # --- claiming -------------------------------------------------------------------------------

    def _claim_next(self) -> OutboxItem | None:
        """Claim the next item this sender may send now, ending those it must never send."""
        now = self._clock.now()
        excluded: set[tuple[str, Bucket]] = set()
        with session_scope(self._engine) as session:
            while (item := queue.next_due(session, now, self._gateways, excluded)) is not None:
                refusal = self._refusal(item, now)
                if refusal is not None:
                    log.warning("outbox item %d not sent: %s", item.id, refusal[1])
                    queue.give_up(session, item.id, *refusal)
                elif self.pacer.available_at(session, item.account_id, item.bucket, now):
                    excluded.add((item.account_id, item.bucket))
                elif queue.claim(session, item, now):
                    return replace(item, attempts=item.attempts + 1)
        return None

    def _refusal(self, item: OutboxItem, now: datetime) -> tuple[OutboxStatus, str, str] | None:
        """Why `item` must not be sent at all (status, failure code, message), if so."""
        if item.expires_at is not None and item.expires_at <= now:
            return OutboxStatus.ABANDONED, "expired", "its moment passed before it could be sent"
        if item.kind is OutboxKind.DM and item.account_id not in self._dm_accounts:
            return (
                OutboxStatus.FAILED,
                "no_dm_access",
                "the sending account has no DM access in accounts.yaml",
            )
        if item.attempts >= self._max_attempts:
            reason = f"gave up after {item.attempts} attempts"
            return OutboxStatus.ABANDONED, "too_many_attempts", reason
        return None

    # --- sending --------------------------------------------------------------------------------

    def _deliver(self, item: OutboxItem) -> int:
        gateway = self._gateways[item.account_id]
        # The claim may have waited (a busy database, a loaded machine, an emulated clock far
        # faster than real time): whether its moment has passed is decided now, just before X.
        now = self._clock.now()
        if item.expires_at is not None and item.expires_at <= now:
            failure = "its moment passed before it could be sent"
            self._give_up(item, OutboxStatus.ABANDONED, "expired", failure, now)
            return 0
        try:
            platform_id, rate_limit = _send(gateway, item)
        except ChannelError as error:
            self._after_error(item, error)
            return 0
        self.pacer.observe(item.account_id, item.bucket, rate_limit)
        with session_scope(self._engine) as session:
            now = self._clock.now()
            queue.mark_sent(session, item.id, platform_id, now)
            self._record_write(session, item, CREATED, now)
        log.info(
            "outbox item %d sent: %s from %s, part %d, %d chars, id %s",
            item.id,
            item.kind.value,
            item.account_id,
            item.part_no,
            len(item.text),
            platform_id,
        )
        return 1

    def _record_write(
        self, session: Session, item: OutboxItem, status_code: int | None, now: datetime
    ) -> None:
        record_write(
            session,
            account_id=item.account_id,
            endpoint=endpoint_of(item),
            method="POST",
            kind=write_kind(item),
            status_code=status_code,
            prices=self._prices,
            at=now,
        )

    def _after_error(self, item: OutboxItem, error: ChannelError) -> None:
        now = self._clock.now()
        with session_scope(self._engine) as session:
            self._record_write(session, item, error.status, now)
        log.warning("outbox item %d: attempt %d failed: %s", item.id, item.attempts, error)
        if isinstance(error, DuplicateContent):
            self._look(item, now, duplicate=True)
        elif isinstance(error, RateLimited):
            self._rate_limited(item, error, now)
        elif isinstance(error, AuthError):
            self.pacer.hold(item.account_id, Bucket.POSTS, now + PAUSE)
            self.pacer.hold(item.account_id, Bucket.DMS, now + PAUSE)
            self._release(item, now + PAUSE, error, refund=True, outcome="auth_error")
        elif _uncertain(error):
            look_at = look_time(item.attempts, now, self._rng)
            with session_scope(self._engine) as session:
                queue.hold_uncertain(session, item.id, look_at, str(error))
                queue.finish_attempt(session, item.id, "uncertain", now)
        elif error.retryable:
            self._release(
                item, retry_time(error, item.attempts, now, self._rng), error, outcome="retry"
            )
        else:
            self._give_up(item, OutboxStatus.FAILED, _refusal_code(error), str(error), now)

    def _rate_limited(self, item: OutboxItem, error: RateLimited, now: datetime) -> None:
        until = retry_time(error, item.attempts, now, self._rng)
        self.pacer.hold(None if error.usage_capped else item.account_id, item.bucket, until)
        self._release(item, until, error, refund=True, outcome="rate_limited")

    def _release(
        self,
        item: OutboxItem,
        not_before: datetime,
        error: ChannelError,
        *,
        outcome: str,
        refund: bool = False,
    ) -> None:
        with session_scope(self._engine) as session:
            queue.release(session, item.id, not_before, str(error), refund=refund)
            queue.finish_attempt(session, item.id, outcome, self._clock.now())

    def _give_up(
        self, item: OutboxItem, status: OutboxStatus, failure: str, error: str, now: datetime
    ) -> None:
        with session_scope(self._engine) as session:
            later = queue.give_up(session, item.id, status, failure, error)
            queue.finish_attempt(session, item.id, failure, now)
        log.warning(
            "outbox item %d %s (%s); %d later part(s) abandoned", item.id, status, failure, later
        )

    # --- looking before retrying ----------------------------------------------------------------

    def _resolve_uncertain(self) -> int:
        now = self._clock.now()
        with session_scope(self._engine) as session:
            items = queue.uncertain_due(session, now, self._gateways)
        return sum(self._look(item, now, duplicate=False) for item in items)

    def _bill_look(self, account_id: str) -> PageSeen:
        """Record a look's reads as X bills them: own posts are owned reads, DM events are not."""

        def seen(endpoint: str, ids: Sequence[str]) -> None:
            posts = endpoint == "user_tweets"
            read = Read(
                account_id=account_id,
                endpoint=endpoint,
                app=self._apps.get(account_id, ""),
                kind="post" if posts else "dm_event",
                resource_ids=ids,
                owned=posts,
            )
            with session_scope(self._engine) as session:
                record_read(session, read, self._prices, self._clock.now())

        return seen

    def _look(self, item: OutboxItem, now: datetime, *, duplicate: bool) -> int:
        """Find out whether `item` landed; mark it sent (1) or decide what comes next (0)."""
        with session_scope(self._engine) as session:
            since = queue.first_attempt_at(session, item.id) or now
        try:
            found = find_landed(
                self._gateways[item.account_id], item, since, self._bill_look(item.account_id)
            )
        except LookInconclusiveError as error:
            self._give_up(item, OutboxStatus.ABANDONED, "unconfirmed", str(error), now)
            return 0
        except ChannelError as error:
            log.warning("outbox item %d: looking for it failed: %s", item.id, error)
            with session_scope(self._engine) as session:
                queue.hold_uncertain(
                    session, item.id, retry_time(error, item.attempts, now, self._rng), str(error)
                )
            return 0
        if found is not None:
            with session_scope(self._engine) as session:
                queue.mark_sent(session, item.id, found, now)
                self._record_write(session, item, CREATED, now)
            log.info("outbox item %d had landed as %s; not sent again", item.id, found)
            return 1
        if duplicate:
            detail = "this account already posted the same text, not for this item"
            self._give_up(item, OutboxStatus.ABANDONED, "duplicate_content", detail, now)
        else:
            with session_scope(self._engine) as session:
                queue.release(session, item.id, None, "not found on the platform", refund=False)
                queue.finish_attempt(session, item.id, "not_landed", now)
        return 0


def _send(gateway: XGateway, item: OutboxItem) -> tuple[str, RateLimit | None]:
    if item.kind is OutboxKind.DM:
        assert item.target is not None
        dm = gateway.send_dm(item.target, item.text)
        return dm.event_id, dm.rate_limit
    post = gateway.create_post(item.text, in_reply_to=item.target)
    return post.id, post.rate_limit


def _uncertain(error: ChannelError) -> bool:
    """Whether the request may have landed: sent but unanswered, or a server error (X has been
    known to create a post and still answer 503)."""
    if isinstance(error, NetworkError):
        return error.request_sent
    return error.retryable and not isinstance(error, RateLimited)


def _refusal_code(error: ChannelError) -> str:
    for kind, code in REFUSALS:
        if isinstance(error, kind):
            return code
    return "refused"
