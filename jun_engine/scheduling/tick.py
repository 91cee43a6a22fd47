"""One pass of the scheduler: everything due at the clock's `now`, decided from the database.

Each part runs in its own transaction, so a failing part never holds back the others, and every
decision is idempotent: running a tick twice, or after a crash half-way, queues nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.scheduling.air_watch import AirQualityOutcome, AirQualityWatch
from jun_engine.scheduling.menus import Decision, queue_due_menus
from jun_engine.scheduling.notice_queue import NoticeDecision, queue_due_notices, sync_deliveries
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick decided."""

    now: datetime
    menus: list[Decision] = field(default_factory=list)
    notices: list[NoticeDecision] = field(default_factory=list)
    air_quality: AirQualityOutcome | None = None
    deliveries_settled: int = 0


def run_tick(
    engine: Engine, config: Config, now: datetime, air: AirQualityWatch | None = None
) -> TickReport:
    """Queue what is due at `now`: menus, notices and DM notices, the air-quality warning."""
    with session_scope(engine) as session:
        menus = queue_due_menus(session, config, now)
    with session_scope(engine) as session:
        notices = queue_due_notices(session, config, now)
    with session_scope(engine) as session:
        settled = sync_deliveries(session)
    outcome = air.check(engine, now) if air is not None else None
    report = TickReport(now, menus, notices, outcome, settled)
    if menus or notices:
        log.info("tick at %s: %d menu(s), %d notice(s) decided", now, len(menus), len(notices))
    return report
