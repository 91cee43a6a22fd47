"""One sweep of one stream: read what is new since the checkpoint, store it, move the checkpoint.

The checkpoint is a watermark: every message with an id at or below it has been read. A sweep
that began at T saw everything created before T minus the overlap (a mention can show up on X
up to a while after it was written; the overlap covers that), so when it is finished the
checkpoint becomes the snowflake id of T minus the overlap (never lower than it was).
Mentions: `since_id` = the checkpoint, 100 a page, following `next_token`; each page is stored
in its own transaction, and the checkpoint moves only with the LAST page of a sweep, so a crash
mid-sweep never skips anything. Each page's transaction also saves the sweep's progress (the
next page's token), so after a crash or a failed page the next turn continues the unfinished
sweep instead of reading the newest pages again: a backlog longer than a restart interval is
still read to its end (before X's 800-mention window drops it).
DMs (no `since_id` on X): newest first until an event at or below the checkpoint, starting with
a small page because most polls find nothing new.
Messages written by the ids in `own_ids` are dropped before storing: the daemon passes the polled
account itself (its own sent DMs come back in its DM events), so a department's DM to the town
account is kept: it is a staff command. Implicit mentions (a reply
in a thread that does not @mention the account) are stored like the others; the processing
stage tells them apart with `InboundMessage.explicitly_mentions`.
A first start without `--backfill` reads nothing: the daemon records every stream's baseline
("now", or `baseline.BACKFILL` for everything X has) before its pollers run (`baseline`); a
reader on a stream without one (a test, a tool) sets it to "now" at its first sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.channels.results import Page, RateLimit
from jun_engine.channels.x import XGateway
from jun_engine.channels.x.billing import Prices, Read, record_read
from jun_engine.channels.x.intake.streams import StreamRef
from jun_engine.clock import Clock
from jun_engine.domain.errors import ChannelError, InvalidRequest
from jun_engine.domain.messages import InboundMessage
from jun_engine.domain.statuses import PollStream
from jun_engine.store.repository import CHECKPOINTS, Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import PollCheckpointRow

log = logging.getLogger(__name__)

TWITTER_EPOCH_MS = 1288834974657
"""X's snowflake epoch: an id is (milliseconds since it) << 22 | worker | sequence."""
OVERLAP = timedelta(seconds=60)
"""How far before the checkpoint each sweep reads again, for mentions that arrive late."""
PAGE_SIZE = 100
FIRST_DM_PAGE = 10
"""Most DM polls find nothing new: a small first page bills fewer already-read events."""
MAX_PAGES = 20
MENTIONS_WINDOW = 800
"""X serves only the newest 800 mentions of an account."""


def snowflake_at(moment: datetime) -> int:
    """The smallest id X could give something created at `moment`."""
    millis = max(int(moment.timestamp() * 1000) - TWITTER_EPOCH_MS, 0)
    return millis << 22


def time_of(snowflake: int) -> datetime:
    """When an id was made."""
    return datetime.fromtimestamp(((snowflake >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one sweep did."""

    requests: int = 0
    seen: int = 0
    stored: int = 0
    dropped_own: int = 0
    rate_limit: RateLimit | None = None
    finished: bool = False
    """Read down to the checkpoint; False when a long backlog is continued next turn."""

    def __add__(self, other: Sweep) -> Sweep:
        return Sweep(
            requests=self.requests + other.requests,
            seen=self.seen + other.seen,
            stored=self.stored + other.stored,
            dropped_own=self.dropped_own + other.dropped_own,
            rate_limit=other.rate_limit or self.rate_limit,
            finished=other.finished,
        )


@dataclass(frozen=True, slots=True)
class SweepState:
    """Where a stream's reading stands: its cursor, and an unfinished sweep's token and top."""

    cursor: str | None
    resume_token: str | None
    resume_top: str | None


def _save_resume(session: Session, ref: StreamRef, token: str | None, top: str | None) -> None:
    session.execute(
        sa.update(CHECKPOINTS)
        .where(CHECKPOINTS.c.account_id == ref.account_id, CHECKPOINTS.c.stream == ref.stream)
        .values(resume_token=token, resume_top=top)
    )


Fetch = Callable[[str | None, str | None, int], Page[InboundMessage]]
"""Read one page: (since_id, pagination token, page size) -> page."""


def fetcher(gateway: XGateway, ref: StreamRef) -> Fetch:
    """How `ref`'s pages are read through its account's gateway."""
    if ref.stream is PollStream.MENTIONS:
        return lambda since, token, size: gateway.mentions(
            ref.account_id, since_id=since, pagination_token=token, max_results=size
        )
    return lambda _since, token, size: gateway.dm_events(pagination_token=token, max_results=size)


class StreamReader:
    """Sweeps one stream of one account through its gateway into the store."""

    def __init__(
        self,
        ref: StreamRef,
        fetch: Fetch,
        engine: Engine,
        clock: Clock,
        prices: Prices,
        own_ids: frozenset[str],
        *,
        backfill: bool = False,
        overlap: timedelta = OVERLAP,
    ) -> None:
        self.ref = ref
        self._fetch = fetch
        self._engine = engine
        self._clock = clock
        self._prices = prices
        self._own = own_ids
        self._backfill = backfill
        self._overlap = overlap

    def sweep(self) -> Sweep:
        """Read everything new, store it page by page, move the checkpoint with the last page."""
        state = self._state()
        if state.cursor is None and state.resume_token is None and not self._backfill:
            return self._start_from_now()
        result = Sweep()
        if state.resume_token is not None:
            result = self._continue(state)
            if not result.finished:
                return result
            state = self._state()
        return result + self._pages(state, token=None)

    def _continue(self, state: SweepState) -> Sweep:
        """Finish the sweep a crash or a failure left midway, from its page token."""
        try:
            return self._pages(state, token=state.resume_token)
        except InvalidRequest:
            log.warning("%s: the unfinished sweep cannot be continued; starting over", self.ref)
            with session_scope(self._engine) as session:
                _save_resume(session, self.ref, None, None)
            return Sweep(finished=True)

    def _state(self) -> SweepState:
        with session_scope(self._engine) as session:
            row = session.get(PollCheckpointRow, (self.ref.account_id, self.ref.stream))
        if row is None:
            return SweepState(None, None, None)
        return SweepState(row.cursor, row.resume_token, row.resume_top)

    def _start_from_now(self) -> Sweep:
        now = self._clock.now()
        cursor = str(snowflake_at(now))
        start = Checkpoint(self.ref.account_id, self.ref.stream, cursor, now)
        with session_scope(self._engine) as session:
            store_messages(session, [], start)
        log.info("%s: first start, reading from now on (no backfill)", self.ref)
        return Sweep(finished=True)

    def _pages(self, state: SweepState, token: str | None) -> Sweep:
        """Page from `token` (None: the newest) down to the checkpoint."""
        mentions = self.ref.stream is PollStream.MENTIONS
        floor = int(state.cursor or 0) or None  # no floor: a backfill reads what X still has
        since = str(floor) if mentions and floor is not None else None
        # What the checkpoint becomes once this sweep is finished: everything created an overlap
        # before it began was visible to it, late arrivals included (see `watermark`).
        mark = int(state.resume_top) if state.resume_top else self.watermark(floor)
        size = PAGE_SIZE if mentions or floor is None or token else FIRST_DM_PAGE
        result = Sweep()
        for _ in range(MAX_PAGES):
            page = self._read(since, token, size)
            reached = floor is not None and any(int(m.platform_id) <= floor for m in page.items)
            if page.next_token is None or reached:
                result = self._store(page, floor, str(mark), None, result)
                self._warn_if_out_of_reach(mentions, floor, result)
                return replace(result, finished=True)
            result = self._store(page, floor, None, (page.next_token, str(mark)), result)
            if page.rate_limit is not None and page.rate_limit.exhausted:
                return result  # the window is spent: go on from the saved token after its reset
            token, size = page.next_token, PAGE_SIZE
        return result  # a long backlog: the next turn continues from the saved token

    def watermark(self, floor: int | None) -> int:
        """The id below which a sweep starting now sees everything: now minus the overlap."""
        return max(floor or 0, snowflake_at(self._clock.now() - self._overlap))

    def _warn_if_out_of_reach(self, mentions: bool, floor: int | None, result: Sweep) -> None:
        if mentions and floor is not None and result.seen >= MENTIONS_WINDOW:
            log.warning(
                "%s: %d mentions in one sweep; X serves only the newest %d, older ones may be "
                "out of reach",
                self.ref,
                result.seen,
                MENTIONS_WINDOW,
            )

    def _read(self, since: str | None, token: str | None, size: int) -> Page[InboundMessage]:
        try:
            return self._fetch(since, token, size)
        except ChannelError as error:
            self._record(self._read_of([], error.status))
            raise

    def _store(
        self,
        page: Page[InboundMessage],
        floor: int | None,
        cursor: str | None,
        resume: tuple[str, str] | None,
        so_far: Sweep,
    ) -> Sweep:
        """One transaction: the request's cost, the page's new messages, the sweep's progress.

        A page that reaches the checkpoint also holds items at or below it: those were covered
        by an earlier sweep (or lie before the first start's baseline) and are not stored.
        """
        new = [m for m in page.items if floor is None or int(m.platform_id) > floor]
        kept = [m for m in new if m.author_id not in self._own]
        now = self._clock.now()
        checkpoint = Checkpoint(self.ref.account_id, self.ref.stream, cursor, now)
        ids = [m.platform_id for m in page.items]
        with session_scope(self._engine) as session:
            record_read(session, self._read_of(ids, 200), self._prices, now)
            stored = store_messages(session, kept, checkpoint)
            _save_resume(session, self.ref, *(resume or (None, None)))
        return replace(
            so_far,
            requests=so_far.requests + 1,
            seen=so_far.seen + len(page.items),
            stored=so_far.stored + stored,
            dropped_own=so_far.dropped_own + len(new) - len(kept),
            rate_limit=page.rate_limit or so_far.rate_limit,
        )

    def _record(self, read: Read) -> None:
        with session_scope(self._engine) as session:
            record_read(session, read, self._prices, self._clock.now())

    def _read_of(self, ids: list[str], status: int | None) -> Read:
        mentions = self.ref.stream is PollStream.MENTIONS
        return Read(
            account_id=self.ref.account_id,
            endpoint="mentions" if mentions else "dm_events",
            app=self.ref.app,
            kind="post" if mentions else "dm_event",
            resource_ids=ids,
            owned=mentions,
            status_code=status,
        )
