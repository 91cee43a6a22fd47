"""One sweep of one stream: read what is new since the checkpoint, store it, move the checkpoint.

Mentions: `since_id` = the checkpoint minus an overlap (late arrivals), 100 a page, following
`next_token`; each page is stored in its own transaction, and the checkpoint moves only with the
LAST page of a sweep, so a crash mid-sweep re-reads (storing is idempotent), never skips.
DMs (no `since_id` on X): newest first until an event older than the checkpoint minus the
overlap, starting with a small page because most polls find nothing new.
Messages the engine's own accounts wrote are dropped before storing. Implicit mentions (a reply
in a thread that does not @mention the account) are stored like the others; the processing
stage tells them apart with `InboundMessage.explicitly_mentions`.
A first start without `--backfill` reads nothing: the checkpoint is set to "now".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from jun_engine.channels.results import Page, RateLimit
from jun_engine.channels.x import XGateway
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.messages import InboundMessage
from jun_engine.pipeline.clock import Clock
from jun_engine.pipeline.spend import Prices, Read, record_read
from jun_engine.pipeline.streams import StreamRef
from jun_engine.store.repository import Checkpoint, get_checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import PollStream

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


def rewind(cursor: str, by: timedelta) -> int:
    """The id `by` earlier than `cursor` (at least 1)."""
    return max(int(cursor) - (int(by.total_seconds() * 1000) << 22), 1)


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one sweep did."""

    requests: int = 0
    seen: int = 0
    stored: int = 0
    dropped_own: int = 0
    rate_limit: RateLimit | None = None
    reached_checkpoint: bool = True


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
        with session_scope(self._engine) as session:
            checkpoint = get_checkpoint(session, self.ref.account_id, self.ref.stream)
        cursor = checkpoint.cursor if checkpoint is not None else None
        if cursor is None and not self._backfill:
            return self._start_from_now()
        floor = rewind(cursor, self._overlap) if cursor is not None else None
        if self.ref.stream is PollStream.MENTIONS:
            return self._sweep(floor, cursor, since_paging=True)
        return self._sweep(floor, cursor, since_paging=False)

    def _start_from_now(self) -> Sweep:
        now = self._clock.now()
        # One overlap ahead, so that sweeps read again back to this moment, not before it.
        cursor = str(snowflake_at(now + self._overlap))
        start = Checkpoint(self.ref.account_id, self.ref.stream, cursor, now)
        with session_scope(self._engine) as session:
            store_messages(session, [], start)
        log.info("%s: first start, reading from now on (no backfill)", self.ref)
        return Sweep()

    def _sweep(self, floor: int | None, cursor: str | None, *, since_paging: bool) -> Sweep:
        result = Sweep(reached_checkpoint=floor is None)
        newest = int(cursor) if cursor is not None else 0
        token: str | None = None
        size = PAGE_SIZE if since_paging or floor is None else FIRST_DM_PAGE
        for number in range(1, MAX_PAGES + 1):
            since = str(floor) if since_paging and floor is not None else None
            page = self._read(since, token, size)
            ids = [int(m.platform_id) for m in page.items]
            newest = max([newest, *ids])
            reached = floor is not None and any(i <= floor for i in ids)
            last = page.next_token is None or reached or number == MAX_PAGES
            result = self._store(page, str(newest) if last and newest else None, result)
            result = replace(result, reached_checkpoint=result.reached_checkpoint or reached)
            if last:
                break
            token, size = page.next_token, PAGE_SIZE
        if since_paging and floor is not None and result.seen >= MENTIONS_WINDOW:
            log.warning(
                "%s: %d mentions since the last sweep; X serves only the newest %d, older "
                "ones may be out of reach",
                self.ref,
                result.seen,
                MENTIONS_WINDOW,
            )
        return result

    def _read(self, since: str | None, token: str | None, size: int) -> Page[InboundMessage]:
        try:
            return self._fetch(since, token, size)
        except ChannelError as error:
            self._record(self._read_of([], error.status))
            raise

    def _store(self, page: Page[InboundMessage], cursor: str | None, so_far: Sweep) -> Sweep:
        kept = [m for m in page.items if m.author_id not in self._own]
        now = self._clock.now()
        checkpoint = Checkpoint(self.ref.account_id, self.ref.stream, cursor, now)
        ids = [m.platform_id for m in page.items]
        with session_scope(self._engine) as session:
            record_read(session, self._read_of(ids, 200), self._prices, now)
            stored = store_messages(session, kept, checkpoint)
        return replace(
            so_far,
            requests=so_far.requests + 1,
            seen=so_far.seen + len(page.items),
            stored=so_far.stored + stored,
            dropped_own=so_far.dropped_own + len(page.items) - len(kept),
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
