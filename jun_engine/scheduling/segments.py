"""Who a segmented notice reaches by DM: verified residents opted in to its topic, in its
districts and age groups. Resolved once, when the notice comes due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.store.tables import ResidentIdentityRow, ResidentRow, ResidentTopicRow

RESIDENTS: sa.Table = ResidentRow.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ResidentIdentityRow.__table__  # type: ignore[attr-defined]
TOPICS: sa.Table = ResidentTopicRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Segment:
    """A notice's audience. No topic: residents opted in to any topic (alerts); no districts or
    age groups: everywhere, every age."""

    topic: str | None = None
    districts: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """A resident a notice is DM'd to, and their user id on the notice's channel."""

    resident_id: int
    user_id: str


def recipients(
    session: Session, config: Config, segment: Segment, year: int, channel: Channel
) -> list[Recipient]:
    """The verified residents in `segment` with an account on `channel` that can be reached
    (not blocked: LINE's unfollow), by id; ages count from birth years in `year`."""
    opted_in = sa.select(TOPICS.c.resident_id).where(TOPICS.c.resident_id == RESIDENTS.c.id)
    if segment.topic is not None:
        opted_in = opted_in.where(TOPICS.c.topic == segment.topic)
    query = (
        sa.select(RESIDENTS.c.id, IDENTITIES.c.user_id)
        .join(IDENTITIES, IDENTITIES.c.resident_id == RESIDENTS.c.id)
        .where(
            RESIDENTS.c.status == ResidentStatus.VERIFIED,
            IDENTITIES.c.channel == channel,
            IDENTITIES.c.unreachable_since.is_(None),
            sa.exists(opted_in),
        )
        .order_by(RESIDENTS.c.id)
    )
    if segment.districts:
        query = query.where(RESIDENTS.c.district.in_(segment.districts))
    if segment.age_groups:
        query = query.where(sa.or_(*_birth_years(config, segment.age_groups, year)))
    return [Recipient(int(row[0]), str(row[1])) for row in session.execute(query)]


def _birth_years(config: Config, groups: Sequence[str], year: int) -> list[sa.ColumnElement[bool]]:
    """Age in `year` is `year - birth_year` (birth dates are not kept, only years)."""
    ranges: list[sa.ColumnElement[bool]] = []
    for key in groups:
        group = config.notices.age_groups[key]
        ranges.append(RESIDENTS.c.birth_year.between(year - group.max_age, year - group.min_age))
    return ranges
