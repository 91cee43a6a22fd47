"""The processing stage: each stored message handled exactly once, in the order it was sent, one
transaction each.

A message is claimed while its status is NEW, passed through the stages, and marked in the same
transaction as everything the stages wrote (a resident bound, a reply queued in the outbox): a
crash before the commit leaves it NEW to be processed again, never half done, never twice.
What happens to a message is the `Stage` the worker is given: in the daemon, the whole chain of
`pipeline.chain` (staff commands, verification, self-service, survey, routing and case opening).
The stored row is turned into the domain message here, once: the stages never see table rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.clock import Clock
from jun_engine.config.schema import Config
from jun_engine.domain.messages import InboundMessage, MessageKind
from jun_engine.domain.statuses import MessageStatus, PollStream
from jun_engine.pipeline.turn import Outcome, Turn
from jun_engine.service.outage import OutageWatch
from jun_engine.store.errors import DatabaseError, StoreError
from jun_engine.store.repository import CHECKPOINTS, MESSAGES, message_from_row
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, now_utc

log = logging.getLogger(__name__)

Stage = Callable[[InboundMessage, Turn], Outcome]
"""What processing one claimed message means (`pipeline.chain.Chain`): what became of it."""
IDLE_WAIT_SECONDS = 0.5
"""Real seconds the worker waits for a wake-up before looking for new messages anyway."""


def process_next(engine: Engine, clock: Clock, config: Config, stage: Stage) -> int | None:
    """Process the oldest NEW message; its id, or None when there is none."""
    with session_scope(engine, holding=True) as session:
        now = clock.now()
        row = _claim(session, now)
        if row is None:
            return None
        process_claimed(session, row, config, now, stage)
        return row.id


def process_all(engine: Engine, clock: Clock, config: Config, stage: Stage) -> int:
    """Process every NEW message; how many."""
    count = 0
    while process_next(engine, clock, config, stage) is not None:
        count += 1
    return count


def process_claimed(
    session: Session, row: InboundMessageRow, config: Config, now: datetime, stage: Stage
) -> Outcome:
    """Run a claimed row's domain message through `stage` in `session`, and mark the row with
    the status it ends in; what became of it (not committed: the caller's transaction)."""
    assert row.id is not None
    outcome = stage(message_from_row(row), Turn(session, config, now, row.id))
    row.status = outcome.status
    row.processed_at = now
    session.add(row)
    log.debug("message %s (%s) -> %s by %s", row.id, row.kind.value, row.status.value, outcome.by)
    return outcome


def set_aside_oldest(engine: Engine) -> int | None:
    """Mark the oldest NEW message IGNORED (a stage failed on it); its id, logged for a person."""
    with session_scope(engine) as session:
        row = _claim(session, now_utc())
        if row is None:
            return None
        row.status = MessageStatus.IGNORED
        session.add(row)
        log.error("message %s set aside after a processing failure", row.id)
        return row.id


def _claim(session: Session, now: datetime) -> InboundMessageRow | None:
    # Write first: the transaction takes the write lock at once (SQLite waits its busy timeout
    # instead of failing to upgrade a read), and PostgreSQL locks the row against a second worker.
    claimed = session.execute(_CLAIM, {"claimed_at": now}).scalar_one_or_none()
    return None if claimed is None else session.get(InboundMessageRow, claimed)


def _next_in_sent_order() -> sa.ScalarSelect[int]:
    """The NEW message sent first, among those no unfinished sweep can still precede.

    Each resident's messages are handled in the order they were sent ("quiero cita" before its
    "2"), whatever order the pages brought them in: by the time they were written, then by row
    id (rows of one page are stored oldest first). While a sweep of a stream is midway (its
    newer pages stored, its older ones not yet), that stream's messages wait for the rest.
    """
    stream = sa.case(
        (MESSAGES.c.kind == MessageKind.MENTION, PollStream.MENTIONS.value),
        else_=PollStream.DMS.value,
    )
    sweep_midway = (
        sa.select(CHECKPOINTS.c.account_id)
        .where(
            CHECKPOINTS.c.account_id == MESSAGES.c.account_id,
            CHECKPOINTS.c.stream == stream,
            CHECKPOINTS.c.resume_token.is_not(None),
        )
        .exists()
    )
    return (
        sa.select(MESSAGES.c.id)
        .where(MESSAGES.c.status == MessageStatus.NEW, ~sweep_midway)
        .order_by(MESSAGES.c.created_at, MESSAGES.c.id)
        .limit(1)
        .scalar_subquery()
    )


_CLAIM = (
    sa.update(MESSAGES)
    .where(MESSAGES.c.id == _next_in_sent_order(), MESSAGES.c.status == MessageStatus.NEW)
    .values(processed_at=sa.bindparam("claimed_at", type_=MESSAGES.c.processed_at.type))
    .returning(MESSAGES.c.id)
)
"""The claim, built once: it runs before every message and once more when none is left."""


class Processor:
    """The worker thread: processes messages as they come, until stopped between two of them."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        config: Config,
        stage: Stage,
        outage: OutageWatch | None = None,
        on_processed: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._on_processed = on_processed
        self._clock = clock
        self.config = config
        self.stage = stage
        self._outage = outage or OutageWatch()
        self._wake = threading.Event()
        self.processed = 0

    def wake(self) -> None:
        """New messages were stored: look now rather than at the next idle check."""
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Process until `stop`; a message in hand is always finished and committed first.

        While the database cannot be used, nothing is claimed: the message in hand was rolled
        back and stays `new`, and the worker waits (backing off) before trying again.
        """
        while not stop.is_set():
            self._wake.clear()
            try:
                done = self._next()
            except DatabaseError as error:
                stop.wait(self._outage.failed("processor", error).seconds)
                continue
            except StoreError as error:  # a write refused (a constraint): try again shortly
                log.warning("processing paused: %s", error)
                stop.wait(1.0)
                continue
            self._outage.succeeded("processor")
            if done is not None:
                self.processed += 1
                if self._on_processed is not None:
                    self._on_processed()  # committed: what it queued may be sent now
                continue
            self._wake.wait(IDLE_WAIT_SECONDS)

    def _next(self) -> int | None:
        """Process one message; the id processed or set aside, None when there was none."""
        try:
            return process_next(self._engine, self._clock, self.config, self.stage)
        except StoreError:
            raise
        except Exception:  # a stage's bug must not stop the queue behind one message
            log.exception("processing a message failed; it is set aside as ignored")
            return set_aside_oldest(self._engine)
