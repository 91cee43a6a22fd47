"""Whether the database can take the daemon's writes, found by reading alone (`jun-engine status`).

SQLite: a read-only file system, or a file system with less room than a transaction needs (the
WAL could not grow). PostgreSQL: a read-only server (a standby, or `default_transaction_read_only`);
PostgreSQL's own disk cannot be seen from a client, so a full one shows as a daemon whose heartbeat
has stopped.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.store.engine import (
    DISK_RESERVE_BYTES,
    database_errors,
    read_only_file_system,
    sqlite_path,
)
from jun_engine.store.errors import Fault


@dataclass(frozen=True, slots=True)
class Condition:
    """What stops the database from taking writes (None: nothing seen), and in words."""

    fault: Fault | None
    detail: str

    @property
    def ok(self) -> bool:
        """Whether the daemon could write to the database."""
        return self.fault is None


def condition_of(engine: Engine) -> Condition:
    """The database's condition; raises the store's errors if it cannot even be read."""
    path = sqlite_path(engine.url)
    if path is None:
        return _postgres_condition(engine)
    if read_only_file_system(path):
        return Condition(Fault.READ_ONLY, f"{path.parent} is on a file system mounted read-only")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return Condition(Fault.READ_ONLY, f"{path} or its directory is not writable by this user")
    free = shutil.disk_usage(path.parent).free
    if free < DISK_RESERVE_BYTES:
        return Condition(
            Fault.DISK_FULL,
            f"{free // 1024} KiB free beside {path}: the database and its WAL cannot grow",
        )
    return Condition(None, f"{free // (1024 * 1024)} MiB free beside {path}")


def _postgres_condition(engine: Engine) -> Condition:
    with database_errors(engine), engine.connect() as connection:
        read_only, standby = connection.execute(
            sa.text("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
        ).one()
    if standby:
        return Condition(Fault.READ_ONLY, "the server is a standby (in recovery)")
    if read_only == "on":
        return Condition(Fault.READ_ONLY, "the server's transactions are read-only")
    return Condition(None, "the server takes writes")
