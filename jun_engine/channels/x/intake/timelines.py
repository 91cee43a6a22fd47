"""Following the department accounts' own timelines, to see staff answer residents in their threads.

Staff answer from their own accounts, by hand in the X app, in the resident's thread. A department
account's posts are read with `since_id` (its own posts: owned reads), and the cases desk
(`cases.follow.follow_department_posts`) records the ones that answer a case; the read's cost,
what was recorded and the checkpoint commit together, like a mentions sweep. The checkpoint
trails "now" by `REREAD_WINDOW`, so a post that could not be attributed yet is read again. A
`TimelineReader` has the reader interface the `Poller` drives, so budget, retry and health are
the same.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.engine import Engine

from jun_engine.cases.follow import follow_department_posts
from jun_engine.channels.results import Page, Post
from jun_engine.channels.x import XGateway
from jun_engine.channels.x.billing import Prices, Read, record_read
from jun_engine.channels.x.intake.streams import StreamRef
from jun_engine.channels.x.intake.sweep import MAX_PAGES, PAGE_SIZE, Sweep, snowflake_at
from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.domain.errors import ChannelError
from jun_engine.store.repository import Checkpoint, get_checkpoint, store_messages
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)

REREAD_WINDOW = timedelta(minutes=30)
"""Each sweep reads a department's posts of the last half hour again (owned reads, billed once a
day): a staff reply posted before its case was opened, or the engine's own post seen before the
sender recorded its id, is judged again on a later sweep instead of being passed over for good.
Recording is idempotent (one `staff_reply` event per post)."""


class TimelineReader:
    """Reads one department account's new posts and hands them to the cases desk."""

    def __init__(
        self,
        ref: StreamRef,
        gateway: XGateway,
        engine: Engine,
        clock: Clock,
        prices: Prices,
        config: Config,
    ) -> None:
        self.ref = ref
        self._gateway = gateway
        self._engine = engine
        self._clock = clock
        self._prices = prices
        self._config = config

    def sweep(self) -> Sweep:
        """Read the posts since the checkpoint; record staff replies; move the checkpoint."""
        with session_scope(self._engine) as session:
            checkpoint = get_checkpoint(session, self.ref.account_id, self.ref.stream)
        cursor = checkpoint.cursor if checkpoint is not None else None
        if cursor is None:
            return self._start_from_now()
        posts, pages = self._read_since(cursor)
        now = self._clock.now()
        mark = max(int(cursor), snowflake_at(now - REREAD_WINDOW))
        with session_scope(self._engine) as session:
            for page in pages:
                record_read(session, self._read_of(page.items, 200), self._prices, now)
            recorded = follow_department_posts(session, posts, self._config, now)
            store_messages(session, [], self._checkpoint(str(mark)))
        if recorded:
            log.info("%s: %d staff repl(ies) recorded", self.ref, recorded)
        return Sweep(
            requests=len(pages),
            seen=len(posts),
            stored=recorded,
            rate_limit=pages[-1].rate_limit if pages else None,
            finished=True,
        )

    def _read_since(self, cursor: str) -> tuple[list[Post], list[Page[Post]]]:
        posts: list[Post] = []
        pages: list[Page[Post]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            try:
                page = self._gateway.user_posts(
                    self.ref.account_id,
                    since_id=cursor,
                    pagination_token=token,
                    max_results=PAGE_SIZE,
                )
            except ChannelError as error:
                with session_scope(self._engine) as session:
                    record_read(
                        session, self._read_of((), error.status), self._prices, self._clock.now()
                    )
                raise
            pages.append(page)
            posts.extend(page.items)
            token = page.next_token
            if token is None:
                break
        return posts, pages

    def _start_from_now(self) -> Sweep:
        cursor = str(snowflake_at(self._clock.now()))
        with session_scope(self._engine) as session:
            store_messages(session, [], self._checkpoint(cursor))
        log.info("%s: first start, following from now on", self.ref)
        return Sweep(finished=True)

    def _checkpoint(self, cursor: str) -> Checkpoint:
        return Checkpoint(self.ref.account_id, self.ref.stream, cursor, self._clock.now())

    def _read_of(self, posts: tuple[Post, ...] | list[Post], status: int | None) -> Read:
        return Read(
            account_id=self.ref.account_id,
            endpoint="user_tweets",
            app=self.ref.app,
            kind="post",
            resource_ids=[p.id for p in posts],
            owned=True,
            status_code=status,
        )
