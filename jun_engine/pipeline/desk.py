"""The case desk's periodic work: escalations, digests, reminders, fallbacks and incidents.

Each job is idempotent (it records what it did: `escalated_at`, a digest's or a reminder's outbox
key), so running it every tick, after a restart or twice in a row sends nothing twice. Each runs
in its own transaction, and one failing does not keep the others from running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.cases.digest import send_daily_digests
from jun_engine.cases.follow import fall_back_refused_answers
from jun_engine.cases.incidents import link_incidents
from jun_engine.cases.sla import escalate_overdue
from jun_engine.config.schema import Config
from jun_engine.selfservice.appointments import send_reminders
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)

Job = Callable[[Session, Config, datetime], int]

JOBS: tuple[tuple[str, Job], ...] = (
    ("escalations", escalate_overdue),
    ("refused replies re-queued", fall_back_refused_answers),
    ("appointment reminders", send_reminders),
    ("daily digests", send_daily_digests),
    ("cases linked to incidents", link_incidents),
)


def run_desk(engine: Engine, config: Config, now: datetime) -> dict[str, int]:
    """Run every desk job once at `now`; what each queued."""
    done: dict[str, int] = {}
    for name, job in JOBS:
        try:
            with session_scope(engine) as session:
                done[name] = job(session, config, now)
        except Exception:  # the next tick tries again; this job's transaction rolled back
            log.exception("desk job %r failed; it runs again at the next tick", name)
            continue
        if done[name]:
            log.info("desk: %d %s", done[name], name)
    return done
