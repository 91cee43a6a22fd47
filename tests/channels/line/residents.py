"""Verified residents on LINE for the tests: friends of the emulator's account, rows in the
register with a LINE identity and their opt-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.friends import Friend
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ResidentIdentityRow, ResidentRow, ResidentTopicRow

RESIDENTS: sa.Table = ResidentRow.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ResidentIdentityRow.__table__  # type: ignore[attr-defined]
TOPICS: sa.Table = ResidentTopicRow.__table__  # type: ignore[attr-defined]


def enrol_on_line(
    engine: Engine,
    emulator: LineEmulator,
    now: datetime,
    *,
    count: int,
    topics: Sequence[str] = ("water_cuts",),
    district: str = "Centro",
    age: int = 40,
    area: str | None = "jp_40",
) -> list[str]:
    """`count` friends of the account, verified residents with a LINE identity opted in to
    `topics`; returns their LINE user ids."""
    user_ids = []
    people, identities = [], []
    for n in range(count):
        user_id = emulator.state.mint.user_id()
        emulator.residents.add(Friend(user_id, f"Friend {n}", age=age, area=area))
        user_ids.append(user_id)
        people.append(
            {
                "name": f"Vecina {n}",
                "district": district,
                "birth_year": now.year - age,
                "language": "es",
                "status": ResidentStatus.VERIFIED,
                "enrolled_at": now,
                "verified_at": now,
            }
        )
        identities.append({"channel": Channel.LINE, "user_id": user_id, "bound_at": now})
    with session_scope(engine) as session:
        ids = session.execute(sa.insert(RESIDENTS).returning(RESIDENTS.c.id), people).all()
        resident_ids = [int(row[0]) for row in ids]
        bound = [i | {"resident_id": r} for i, r in zip(identities, resident_ids, strict=True)]
        session.execute(sa.insert(IDENTITIES), bound)
        opt_ins = [{"resident_id": r, "topic": t} for r in resident_ids for t in topics]
        if opt_ins:
            session.execute(sa.insert(TOPICS), opt_ins)
    return user_ids


def block(engine: Engine, emulator: LineEmulator, user_id: str, now: datetime) -> None:
    """The resident blocked the account (LINE's unfollow), as the intake records it."""
    emulator.residents.unfollow(user_id)
    with session_scope(engine) as session:
        session.execute(
            sa.update(IDENTITIES)
            .where(IDENTITIES.c.channel == Channel.LINE, IDENTITIES.c.user_id == user_id)
            .values(unreachable_since=now)
        )
