"""Where each stream starts reading: its baseline, recorded once, durably, when the daemon starts.

A stream the daemon has never read gets a checkpoint at its start, before any poller runs and in
one transaction for every stream: "from now on" (the snowflake id of now), or, with `--backfill`,
`BACKFILL` (everything X still has, for mentions and DMs). A stream that has a checkpoint keeps
it. So a daemon killed during its first start, before its pollers ran, leaves the baseline
behind, and the restart reads everything that arrived in between instead of starting from a new
"now". A stream added to accounts.yaml later gets its baseline at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.channels.x.intake.streams import StreamRef
from jun_engine.channels.x.intake.sweep import snowflake_at
from jun_engine.domain.statuses import PollStream
from jun_engine.store.repository import CHECKPOINTS
from jun_engine.store.session import session_scope
from jun_engine.store.tables import PollCheckpointRow, now_utc

log = logging.getLogger(__name__)

BACKFILL = "0"
"""The baseline of a backfilled stream: every id is above it, so a sweep reads what X still has."""

BACKFILLED = frozenset({PollStream.MENTIONS, PollStream.DMS})
"""The streams `--backfill` applies to (a department's own timeline always starts from now)."""


def record_baselines(
    engine: Engine, refs: Iterable[StreamRef], now: datetime, *, backfill: bool = False
) -> list[StreamRef]:
    """Give every stream without a checkpoint its baseline, in one transaction; the new ones."""
    with session_scope(engine) as session:
        known = {(row.account_id, row.stream) for row in session.exec(select(PollCheckpointRow))}
        new = [ref for ref in refs if (ref.account_id, ref.stream) not in known]
        for ref in new:
            _insert_if_missing(session, ref, _baseline(ref, now, backfill))
    if new:
        how = "everything X still has" if backfill else "from now on"
        names = ", ".join(str(ref) for ref in new)
        log.info("first start of %d stream(s), reading %s: %s", len(new), how, names)
    return new


def _baseline(ref: StreamRef, now: datetime, backfill: bool) -> str:
    if backfill and ref.stream in BACKFILLED:
        return BACKFILL
    return str(snowflake_at(now))


def _insert_if_missing(session: Session, ref: StreamRef, cursor: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(CHECKPOINTS)
        .values(account_id=ref.account_id, stream=ref.stream, cursor=cursor, updated_at=now_utc())
        .on_conflict_do_nothing(index_elements=["account_id", "stream"])
    )
    session.execute(statement)
