"""Each stream's health as `jun-engine status` shows it, kept on its `poll_checkpoint` row."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from jun_engine.channels.results import RateLimit
from jun_engine.domain.statuses import PollStream
from jun_engine.store.repository import CHECKPOINTS
from jun_engine.store.tables import now_utc

ERROR_LENGTH = 500
"""Errors are cut to this many characters (they never quote a message: see domain/errors.py)."""


class StreamRef(Protocol):
    """The stream a poller reads: whose, and which (a channel's own reference to it fits)."""

    @property
    def account_id(self) -> str: ...

    @property
    def stream(self) -> PollStream: ...


def note_success(session: Session, ref: StreamRef, rate_limit: RateLimit | None) -> None:
    """A sweep went through: no failures, not paused, the rate limit X reported."""
    values: dict[str, Any] = {"failures": 0, "paused_until": None, "stopped_at": None}
    values["last_error"] = None
    if rate_limit is not None:
        values["rate_limit_remaining"] = rate_limit.remaining
        values["rate_limit_reset_at"] = rate_limit.reset_at
    _upsert(session, ref, values)


def note_failure(
    session: Session,
    ref: StreamRef,
    error: str,
    failures: int,
    *,
    at: datetime,
    paused_until: datetime | None = None,
    stopped: bool = False,
) -> None:
    """A sweep failed: the error, the count of failures in a row, and what the poller does now."""
    values: dict[str, Any] = {
        "last_error": error[:ERROR_LENGTH],
        "failures": failures,
        "paused_until": paused_until,
        "stopped_at": at if stopped else None,
        "last_poll_at": at,
    }
    _upsert(session, ref, values)


def note_paused(session: Session, ref: StreamRef, until: datetime, reason: str) -> None:
    """The poller holds back until `until` (the daily spend cap): not a failure."""
    _upsert(session, ref, {"paused_until": until, "last_error": reason[:ERROR_LENGTH]})


def _upsert(session: Session, ref: StreamRef, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CHECKPOINTS).values(
        account_id=ref.account_id, stream=ref.stream, updated_at=now_utc(), **values
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "stream"], set_={**values, "updated_at": now_utc()}
        )
    )
