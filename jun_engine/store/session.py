"""The unit of work: one session, one transaction, committed whole or rolled back whole."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from jun_engine.store.engine import database_errors
from jun_engine.store.tables import ResidentRow


class HoldingSession(Session):
    """A session that keeps the residents it loads until it closes.

    SQLAlchemy's identity map holds rows weakly: verification reads the resident and lets go
    of it, and self-service and case opening each read it again. For a unit of work as short
    as one message's, keeping it is cheaper (SQLAlchemy's "strong reference" recipe, kept to
    the one table read again and again: a row deleted with a plain DELETE and written anew
    under the same id, as a dialogue is, must not meet its old self in the identity map).
    """


@event.listens_for(HoldingSession, "pending_to_persistent")
@event.listens_for(HoldingSession, "deleted_to_persistent")
@event.listens_for(HoldingSession, "detached_to_persistent")
@event.listens_for(HoldingSession, "loaded_as_persistent")
def _hold(session: OrmSession, instance: Any) -> None:
    if isinstance(instance, ResidentRow):
        session.info.setdefault("held", []).append(instance)


@contextmanager
def session_scope(engine: Engine, *, holding: bool = False) -> Iterator[Session]:
    """A session whose work is committed when the block ends and rolled back if it raises
    (`holding`: a `HoldingSession`, for a short unit of work that reads rows again).

    Driver failures come out as the store's own `DatabaseError` (unreachable, locked) or
    `IntegrityViolationError` (a constraint refused a write); rows stay readable afterwards.
    """
    kind = HoldingSession if holding else Session
    with database_errors(engine), kind(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
