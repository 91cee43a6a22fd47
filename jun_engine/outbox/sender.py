"""`OutboxSender`: sends due outbox items one at a time, paced per account, exactly once.

It sends through one `Delivery` per channel (`jun_engine.channels.ports`), given to it by the
daemon or the CLI. Each attempt is committed as `sending` (with its attempt row) BEFORE the
channel is called, and as `sent` right after. An item found `sending` later (the process died
mid-call, a timeout after the request left, a 5xx) is never re-sent blindly: the channel confirms
first whether it landed (`Delivery.confirm`), and it is marked sent if it did. Only then is it
tried again.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.ports import (
    Bucket,
    Delivery,
    DeliveryUnknown,
    Limits,
    OutboxItem,
    SpendGate,
)
from jun_engine.clock import Clock
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
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.outbox import queue
from jun_engine.outbox.backoff import look_time, retry_time
from jun_engine.outbox.pacing import Pacer
from jun_engine.outbox.planner import BudgetWatch
from jun_engine.service.outage import OutageWatch
from jun_engine.store.errors import DatabaseError
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""Attempts (rate limits and auth pauses not counted) before an item is abandoned."""
IDLE_SECONDS = 2.0
"""Clock seconds between two looks at the queue when nothing is due and no one rang (`wake`)."""
PAUSE = timedelta(minutes=15)
"""How long an account whose keys the platform refused pauses sending."""
LOOK_SECONDS = 2.0
"""Real seconds between two looks for items left `sending` when none is known to be (another
process may have left one): a wake after each processed message costs no query for them."""
HELD_FOR = timedelta(minutes=10)
"""How long an item a channel's quota gate held waits before the gate is asked again."""

REFUSALS: tuple[tuple[type[ChannelError], str], ...] = (
    (ReplyNotAllowed, "reply_not_allowed"),
    (DmNotPermitted, "dm_not_permitted"),
    (NotFound, "target_not_found"),
    (InvalidRequest, "invalid_request"),
    (Forbidden, "forbidden"),
)
"""Refusals that no retry cures, and the failure code each leaves on the item."""


class OutboxSender:
    """Drains the outbox of every account of its deliveries (one `Delivery` per channel)."""

    def __init__(
        self,
        engine: Engine,
        deliveries: Mapping[Channel, Delivery],
        clock: Clock,
        *,
        pacer: Pacer | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        idle_seconds: float = IDLE_SECONDS,
        outage: OutageWatch | None = None,
        gates: Mapping[Channel, SpendGate] | None = None,
    ) -> None:
        self._engine = engine
        self._deliveries = dict(deliveries)
        self._gates = dict(gates or {})
        self._senders = {c: d.accounts() for c, d in self._deliveries.items()}
        self._clock = clock
        self.pacer = pacer or Pacer(limits_of(self._deliveries))
        self._budget = BudgetWatch(self.pacer.limits)
        self._max_attempts = max_attempts
        self._idle_seconds = idle_seconds
        self._rng = random.Random()  # noqa: S311 (jitter, not secrets)
        self._outage = outage or OutageWatch()
        self._bell = threading.Event()
        self._looked_at = -LOOK_SECONDS
        self._maybe_uncertain = True
        """Whether an item may be left `sending` (a process that died, an attempt whose
        outcome is unknown): only then is a pass's first query a look for them."""

    def wake(self) -> None:
        """Something was queued (the processor committed an answer): look now rather than
        after the idle wait."""
        self._bell.set()

    def run(self, stop: threading.Event) -> None:
        """Send whatever is due until `stop` is set, waiting on the clock in between.

        While the database cannot be used the sender backs off (real seconds, see
        `service.outage`): an item whose send was not recorded stays `sending`, and its channel
        confirms whether it landed before it is ever tried again.
        """
        accounts = sum(len(a) for a in self._senders.values())
        log.info("outbox sender started for %d account(s)", accounts)
        self._ring_on(stop)
        failures = 0
        while not stop.is_set():
            self._bell.clear()  # a ring from here on is seen after this pass
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
            self._clock.sleep(self._idle_seconds, self._bell)
        log.info("outbox sender stopped")

    def _ring_on(self, stop: threading.Event) -> None:
        """Ring the bell when `stop` is set, so the idle wait ends at once."""

        def watch() -> None:
            stop.wait()
            self._bell.set()

        threading.Thread(target=watch, name="jun-sender-stop", daemon=True).start()

    def drain_once(self) -> int:
        """Resolve uncertain items, then send everything due now; returns how many were sent."""
        sent = self._resolve_uncertain()
        while (item := self._claim_next()) is not None:
            try:
                sent += self._deliver(item)
            except BaseException:
                self._maybe_uncertain = True  # claimed, and left `sending`
                raise
        return sent

    def waiting(self) -> int:
        """How many items of this sender's accounts are still pending or being sent."""
        with session_scope(self._engine) as session:
            return queue.waiting_count(session, self._senders)

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
        excluded: set[tuple[Channel, str, Bucket]] = set()
        with session_scope(self._engine) as session:
            while (item := queue.next_due(session, now, self._senders, excluded)) is not None:
                refusal = self._refusal(item, now)
                if refusal is not None:
                    log.warning("outbox item %d not sent: %s", item.id, refusal[1])
                    queue.give_up(session, item.id, *refusal)
                elif self.pacer.available_at(
                    session, item.channel, item.account_id, item.bucket, now, item.priority
                ):
                    excluded.add((item.channel, item.account_id, item.bucket))
                elif (held := self._held(session, item, now)) is not None:
                    queue.defer(session, item.id, now + HELD_FOR, held)
                elif queue.claim(session, item, now):
                    return replace(item, attempts=item.attempts + 1)
        return None

    def _held(self, session: Session, item: OutboxItem, now: datetime) -> str | None:
        """Why the channel's quota gate holds `item` for now (LINE's monthly messages), if so."""
        gate = self._gates.get(item.channel)
        held = None if gate is None else gate.holds(session, item, now)
        if held is not None:
            log.info("outbox item %d held for %s: %s", item.id, HELD_FOR, held)
        return held

    def _refusal(self, item: OutboxItem, now: datetime) -> tuple[OutboxStatus, str, str] | None:
        """Why `item` must not be sent at all (status, failure code, message), if so."""
        if item.expires_at is not None and item.expires_at <= now:
            return OutboxStatus.ABANDONED, "expired", "its moment passed before it could be sent"
        refused = self._deliveries[item.channel].refusal(item)
        if refused is not None:
            return OutboxStatus.FAILED, *refused
        if item.attempts >= self._max_attempts:
            reason = f"gave up after {item.attempts} attempts"
            return OutboxStatus.ABANDONED, "too_many_attempts", reason
        return None

    # --- sending --------------------------------------------------------------------------------

    def _deliver(self, item: OutboxItem) -> int:
        delivery = self._deliveries[item.channel]
        # The claim may have waited (a busy database, a loaded machine, an emulated clock far
        # faster than real time): whether its moment has passed is decided now, just before
        # the channel is called.
        now = self._clock.now()
        if item.expires_at is not None and item.expires_at <= now:
            failure = "its moment passed before it could be sent"
            self._give_up(item, OutboxStatus.ABANDONED, "expired", failure, now)
            return 0
        try:
            receipt = delivery.send(item)
        except ChannelError as error:
            self._after_error(item, error)
            return 0
        self.pacer.observe(item.channel, item.account_id, item.bucket, receipt.rate_limit)
        with session_scope(self._engine) as session:
            now = self._clock.now()
            queue.mark_sent(session, item.id, receipt.platform_id, now)
            self._charge(session, item, None, now)
            if item.bucket is Bucket.DMS:
                self._budget.check(session, item.channel, now)
        log.info(
            "outbox item %d sent: %s %s from %s, part %d, %d chars, id %s",
            item.id,
            item.channel.value,
            item.kind.value,
            item.account_id,
            item.part_no,
            len(item.text),
            receipt.platform_id,
        )
        return 1

    def _charge(
        self, session: Session, item: OutboxItem, error: ChannelError | None, now: datetime
    ) -> None:
        """Record the send's price in the same transaction as its outcome (cost == ledger)."""
        self._deliveries[item.channel].charge(session, item, error, now)

    def _after_error(self, item: OutboxItem, error: ChannelError) -> None:
        now = self._clock.now()
        with session_scope(self._engine) as session:
            self._charge(session, item, error, now)
        log.warning("outbox item %d: attempt %d failed: %s", item.id, item.attempts, error)
        if isinstance(error, DuplicateContent):
            self._look(item, now, duplicate=True)
        elif isinstance(error, RateLimited):
            self._rate_limited(item, error, now)
        elif isinstance(error, AuthError):
            self.pacer.hold(item.channel, item.account_id, Bucket.POSTS, now + PAUSE)
            self.pacer.hold(item.channel, item.account_id, Bucket.DMS, now + PAUSE)
            self._release(item, now + PAUSE, error, refund=True, outcome="auth_error")
        elif _uncertain(error):
            look_at = look_time(item.attempts, now, self._rng)
            self._maybe_uncertain = True
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
        account = None if error.usage_capped else item.account_id
        self.pacer.hold(item.channel, account, item.bucket, until)
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

    # --- confirming before retrying -------------------------------------------------------------

    def _resolve_uncertain(self) -> int:
        if not self._maybe_uncertain and time.monotonic() - self._looked_at < LOOK_SECONDS:
            return 0
        self._looked_at = time.monotonic()
        now = self._clock.now()
        with session_scope(self._engine) as session:
            items = queue.uncertain_due(session, now, self._senders)
            self._maybe_uncertain = queue.sending_count(session, self._senders) > 0
        return sum(self._look(item, now, duplicate=False) for item in items)

    def _look(self, item: OutboxItem, now: datetime, *, duplicate: bool) -> int:
        """Find out whether `item` landed; mark it sent (1) or decide what comes next (0)."""
        with session_scope(self._engine) as session:
            since = queue.first_attempt_at(session, item.id) or now
        try:
            found = self._deliveries[item.channel].confirm(item, since)
        except DeliveryUnknown as error:
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
                self._charge(session, item, None, now)
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


def limits_of(deliveries: Mapping[Channel, Delivery]) -> dict[Channel, Limits]:
    """Each channel's write limits, as its delivery states them."""
    return {channel: delivery.limits for channel, delivery in deliveries.items()}


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
