"""The case desk's periodic work: escalations, digests, reminders, fallbacks, incidents and the
mayor's weekly report (made, then e-mailed when accounts.yaml says where: `jun_engine.mail`),
and the e-mails to departments the desk recorded (new private cases, digests).

Each job is idempotent (it records what it did: `escalated_at`, a digest's or a reminder's outbox
key), so running it every tick, after a restart or twice in a row sends nothing twice. Each runs
in its own transaction, and one failing does not keep the others from running; a database that
cannot be used (`DatabaseError`) ends the round, for the scheduler's outage backoff to handle.
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
from jun_engine.mail.delivery import ReportMailer, send_due_report
from jun_engine.mail.departments import DepartmentMailer, send_department_mail
from jun_engine.selfservice.appointments import send_reminders
from jun_engine.store.errors import DatabaseError
from jun_engine.store.session import session_scope
from jun_engine.web.report import make_due_weekly_report

log = logging.getLogger(__name__)

Job = Callable[[Session, Config, datetime], int]

JOBS: tuple[tuple[str, Job], ...] = (
    ("escalations", escalate_overdue),
    ("refused replies re-queued", fall_back_refused_answers),
    ("appointment reminders", send_reminders),
    ("daily digests", send_daily_digests),
    ("cases linked to incidents", link_incidents),
    ("weekly reports", make_due_weekly_report),
)


def run_desk(
    engine: Engine,
    config: Config,
    now: datetime,
    failing: set[str] | None = None,
    mailer: ReportMailer | None = None,
    department_mailer: DepartmentMailer | None = None,
) -> dict[str, int]:
    """Run every desk job once at `now`; what each queued (then, with a `department_mailer`,
    e-mail departments what is due, and with a `mailer` the newest weekly report if it is due:
    their own transactions, each attempt recorded first).

    `failing` (kept by the caller between rounds: `DeskJobs`) names the jobs whose last run
    failed: a job that keeps failing is logged with its traceback once, not at every tick.
    """
    steps: list[tuple[str, Callable[[], int]]] = [
        (name, _in_transaction(job, engine, config, now)) for name, job in JOBS
    ]
    if department_mailer is not None:  # before the report: a new case is news, a report is not
        steps.append(
            (
                "department e-mails sent",
                lambda: send_department_mail(engine, config, now, department_mailer),
            )
        )
    if mailer is not None:
        steps.append(
            ("weekly reports e-mailed", lambda: send_due_report(engine, config, now, mailer))
        )
    done: dict[str, int] = {}
    streaks = failing if failing is not None else set()
    for name, step in steps:
        try:
            done[name] = step()
        except DatabaseError:  # the database is out: the daemon's outage, not this job's
            raise
        except Exception:  # the next tick tries again; this job's transaction rolled back
            if name in streaks:
                log.debug("desk job %r failed again", name, exc_info=True)
            else:
                streaks.add(name)
                log.exception("desk job %r failed; it runs again at each tick", name)
            continue
        if name in streaks:
            streaks.discard(name)
            log.warning("desk job %r works again", name)
        if done[name]:
            log.info("desk: %d %s", done[name], name)
    return done


def _in_transaction(job: Job, engine: Engine, config: Config, now: datetime) -> Callable[[], int]:
    def step() -> int:
        with session_scope(engine) as session:
            return job(session, config, now)

    return step


class DeskJobs:
    """The desk's jobs as the daemon's scheduler runs them, remembering which are failing."""

    def __init__(
        self,
        mailer: ReportMailer | None = None,
        department_mailer: DepartmentMailer | None = None,
    ) -> None:
        self._failing: set[str] = set()
        self._mailer = mailer
        self._department_mailer = department_mailer

    def __call__(self, engine: Engine, config: Config, now: datetime) -> dict[str, int]:
        """One round of every job (see `run_desk`)."""
        return run_desk(engine, config, now, self._failing, self._mailer, self._department_mailer)
