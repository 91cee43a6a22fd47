"""Verified residents for the scheduler tests: X users in the emulator, rows in the register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentIdentityRow, ResidentRow, ResidentTopicRow

RESIDENTS: sa.Table = ResidentRow.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ResidentIdentityRow.__table__  # type: ignore[attr-defined]
TOPICS: sa.Table = ResidentTopicRow.__table__  # type: ignore[attr-defined]


def enrol_verified(
    engine: Engine,
    emulator: Emulator | None,
    now: datetime,
    *,
    count: int,
    district: str,
    topics: Sequence[str],
    birth_year: int = 1980,
    first: int = 0,
) -> list[tuple[int, str]]:
    """`count` verified residents (with X accounts when an emulator is given); (id, user id)."""
    people, accounts = [], []
    for n in range(first, first + count):
        handle = f"vecino{n}"
        user_id = emulator.sink.add_user(handle, f"Vecino {n}") if emulator else str(10**12 + n)
        people.append(
            {
                "name": f"Vecino {n}",
                "district": district,
                "birth_year": birth_year,
                "language": "es",
                "status": ResidentStatus.VERIFIED,
                "enrolled_at": now,
                "verified_at": now,
            }
        )
        accounts.append(
            {"channel": Channel.X, "user_id": user_id, "handle": handle, "bound_at": now}
        )
    with session_scope(engine) as session:
        ids = session.execute(sa.insert(RESIDENTS).returning(RESIDENTS.c.id), people).all()
        resident_ids = [int(row[0]) for row in ids]
        bound = [a | {"resident_id": rid} for a, rid in zip(accounts, resident_ids, strict=True)]
        session.execute(sa.insert(IDENTITIES), bound)
        opt_ins = [{"resident_id": rid, "topic": topic} for rid in resident_ids for topic in topics]
        if opt_ins:
            session.execute(sa.insert(TOPICS), opt_ins)
    return list(zip(resident_ids, [str(a["user_id"]) for a in accounts], strict=True))
