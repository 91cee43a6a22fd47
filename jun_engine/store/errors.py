"""The store's own exceptions; each builds its message from the facts it is given.

StoreError
 +-- DatabaseUrlError          the --db value is not a database the engine can use
 +-- DatabaseError             the database cannot be used now: unreachable, locked, its disk
 |                             full, read-only (`fault` says which); waiting may cure it
 +-- IntegrityViolationError   a write broke a unique, check or foreign-key constraint
 +-- MigrationError            a revision is unknown or a migration step failed
 +-- SchemaError               the database schema does not match this version
      +-- SchemaBehindError    ... it is older: run `jun-engine db upgrade`
      +-- SchemaAheadError     ... it was migrated by a newer jun-engine
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class StoreError(Exception):
    """Anything the store refuses or cannot do."""


class DatabaseUrlError(StoreError):
    """The database URL is malformed or names a database kind the engine does not support."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot use database {url!r}: {reason}")


class Fault(StrEnum):
    """What is wrong with a database that cannot be used now."""

    UNREACHABLE = "unreachable"
    """The server is down or refuses connections, the file cannot be opened."""
    DISK_FULL = "disk full"
    """No room to grow: the file system (or PostgreSQL's) is full, SQLite's WAL cannot grow."""
    READ_ONLY = "read-only"
    """It can be read but not written: a read-only file system, a standby server."""
    LOCKED = "locked"
    """Another process holds SQLite's write lock longer than the busy timeout."""
    FAILING = "failing"
    """Any other failure of the database itself (an I/O error)."""


_MESSAGES = {
    Fault.UNREACHABLE: "cannot reach the database {url}: {reason}",
    Fault.DISK_FULL: "the database {url} cannot grow, its disk is full: {reason}",
    Fault.READ_ONLY: "the database {url} is read-only: {reason}",
    Fault.LOCKED: "the database {url} is locked by another process: {reason}",
    Fault.FAILING: "the database {url} failed: {reason}",
}


class DatabaseError(StoreError):
    """The database cannot be used now: unreachable (server down, wrong host, missing directory,
    no access), locked, out of disk, read-only. `fault` says which."""

    def __init__(self, url: str, reason: str, fault: Fault = Fault.UNREACHABLE) -> None:
        self.url = url
        self.reason = reason
        self.fault = fault
        super().__init__(_MESSAGES[fault].format(url=url, reason=reason))


class IntegrityViolationError(StoreError):
    """A write broke one of the schema's rules; nothing of the transaction was kept."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the database refused the write, nothing was saved: {reason}")


class MigrationError(StoreError):
    """A migration could not run: a step the database refused."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"migration failed: {reason}")


class RevisionError(MigrationError):
    """The revision asked for is unknown, or cannot be reached from where the database is."""


class SchemaError(StoreError):
    """The database schema is not the one this version of jun-engine was written for."""

    def __init__(self, message: str, current: Sequence[str], needed: Sequence[str]) -> None:
        self.current = tuple(current)
        self.needed = tuple(needed)
        super().__init__(message)


def _revisions(revisions: Sequence[str]) -> str:
    return ", ".join(revisions) if revisions else "empty (no tables)"


class SchemaBehindError(SchemaError):
    """The schema is older than this version needs; `jun-engine db upgrade` brings it up."""

    def __init__(self, current: Sequence[str], needed: Sequence[str]) -> None:
        super().__init__(
            f"database schema is at {_revisions(current)}, this version needs "
            f"{_revisions(needed)}: run `jun-engine db upgrade`",
            current,
            needed,
        )


class SchemaAheadError(SchemaError):
    """The schema carries a revision this version does not know: a newer jun-engine wrote it."""

    def __init__(self, current: Sequence[str], needed: Sequence[str]) -> None:
        super().__init__(
            f"database schema is at {_revisions(current)}, which this version does not know "
            f"(it needs {_revisions(needed)}): upgrade jun-engine, or downgrade the database "
            "with the newer version",
            current,
            needed,
        )
