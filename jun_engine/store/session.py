"""The unit of work: one session, one transaction, committed whole or rolled back whole."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.store.engine import database_errors


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the block ends and rolled back if it raises.

    Driver failures come out as the store's own `DatabaseError` (unreachable, locked) or
    `IntegrityViolationError` (a constraint refused a write); rows stay readable afterwards.
    """
    with database_errors(engine), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
