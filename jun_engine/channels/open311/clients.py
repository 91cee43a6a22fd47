"""The Open311 clients the town issues API keys to. A key is 256 random bits, shown once when
issued and kept only as its SHA-256 (a key that random needs no slow hash: nobody can guess one
from its hash); a revoked key is refused from the next request on."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from jun_engine.store.tables import Open311ClientRow

PREFIX = "o311_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ClientError(ValueError):
    """A client name that cannot be used, said in one sentence."""


@dataclass(frozen=True, slots=True)
class Client:
    """A client as `clients list` shows it (never its key)."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


def hashed(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add(session: Session, name: str, now: datetime) -> str:
    """Issue a key to a new client `name`; the key (its only showing)."""
    if not NAME.match(name):
        raise ClientError(
            f"{name!r} is not a client name: letters, digits, '.', '_' or '-', up to 64"
        )
    if session.exec(select(Open311ClientRow).where(Open311ClientRow.name == name)).first():
        raise ClientError(f"a client named {name!r} exists already (revoke it, or pick a name)")
    key = PREFIX + secrets.token_urlsafe(32)
    session.add(Open311ClientRow(name=name, key_hash=hashed(key), created_at=now))
    session.flush()
    return key


def listed(session: Session) -> list[Client]:
    """Every client, oldest first."""
    rows = session.exec(select(Open311ClientRow).order_by(col(Open311ClientRow.id))).all()
    return [_client(row) for row in rows]


def revoke(session: Session, name: str, now: datetime) -> Client:
    """Revoke `name`'s key (again is a no-op)."""
    row = session.exec(select(Open311ClientRow).where(Open311ClientRow.name == name)).first()
    if row is None:
        raise ClientError(f"no client named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
    return _client(row)


def authenticated(session: Session, key: str) -> Client | None:
    """The live client holding `key`; None for an unknown or revoked key."""
    row = session.exec(
        select(Open311ClientRow).where(Open311ClientRow.key_hash == hashed(key))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    return _client(row)


def _client(row: Open311ClientRow) -> Client:
    assert row.id is not None
    return Client(row.id, row.name, row.created_at, row.revoked_at)
