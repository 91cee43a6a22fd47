"""The mayor's office's weekly report: last week's figures as one self-contained HTML page and a
PDF, kept in the desk (`/reports`). The scheduler makes it: `make_due_weekly_report` is one of
the case desk's periodic jobs (`scheduling/desk_jobs.py`), run at every tick, and makes the report
of the last full week once that week has ended and its report is not in the database yet (the
database is the truth: a restart, a second daemon tick or a catch-up after an outage makes it
once).
`jun-engine web report` remakes it by hand, replacing the week's report, never duplicating it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import StaffRole
from jun_engine.staff.accounts import Staff
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, WeeklyReportRow
from jun_engine.web import i18n
from jun_engine.web.access import Access
from jun_engine.web.analytics import compute, week_of
from jun_engine.web.rendering import environment

log = logging.getLogger(__name__)

REPORTER = Staff(
    id=0, username="weekly-report", role=StaffRole.ADMIN, department=None, session_version=0
)
"""Who the report reads as: aggregates of every department (it never holds a text)."""


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    """One week's report, as stored."""

    week_start: date
    html: str
    pdf: bytes


def last_full_week(now: datetime, config: Config) -> date:
    """The Monday of the last week that has ended at `now`, in the town's zone."""
    return week_of(now, ZoneInfo(config.town.timezone)) - timedelta(weeks=1)


def make_due_weekly_report(session: Session, config: Config, now: datetime) -> int:
    """The desk job: make last week's report if it is not kept yet; 1 if made, else 0."""
    week = last_full_week(now, config)
    if session.get(WeeklyReportRow, week) is not None:
        return 0
    report = build(session, config, week, now)
    session.add(WeeklyReportRow(week_start=week, html=report.html, pdf=report.pdf, created_at=now))
    log.info("weekly report of the week of %s made", week.isoformat())
    return 1


def make_weekly_report(engine: Engine, config: Config, now: datetime) -> str:
    """Make (or remake) the report of the last full week before `now`, store it, return its
    HTML."""
    week = last_full_week(now, config)
    with session_scope(engine) as session:
        report = build(session, config, week, now)
        row = session.get(WeeklyReportRow, week) or WeeklyReportRow(
            week_start=week, html="", created_at=now
        )
        row.html, row.pdf, row.created_at = report.html, report.pdf, now
        session.add(row)
    return report.html


def build(session: Session, config: Config, week_start: date, now: datetime) -> WeeklyReport:
    """The report of the week starting on `week_start` (figures over it and the four before)."""
    # fpdf2 (and Pillow) load here, once a week, not at every daemon or command start.
    from jun_engine.web.pdf_fonts import find_fonts
    from jun_engine.web.report_pdf import Headline, weekly_pdf

    zone = ZoneInfo(config.town.timezone)
    week_end = week_start + timedelta(days=6)
    start_moment = datetime.combine(week_start, datetime.min.time(), zone)
    end_moment = datetime.combine(week_start + timedelta(weeks=1), datetime.min.time(), zone)
    access = Access.of(REPORTER, config)
    language = (
        config.town.default_language if config.town.default_language in i18n.LANGUAGES else "es"
    )
    labels = i18n.Labels(language)
    analytics = compute(session, config, access, end_moment - timedelta(seconds=1), weeks=5)
    opened = session.execute(
        sa.select(sa.func.count()).where(
            col(CaseRow.opened_at) >= start_moment, col(CaseRow.opened_at) < end_moment
        )
    ).scalar_one()
    overdue = session.execute(
        sa.select(sa.func.count()).where(
            col(CaseRow.opened_at) < end_moment,
            col(CaseRow.resolved_at).is_(None),
            col(CaseRow.resolution_due) < end_moment,
        )
    ).scalar_one()
    html = (
        environment(zone)
        .get_template("weekly_report.html")
        .render(
            t=labels,
            lang=language,
            town=config.town.name,
            week_start=week_start.isoformat(),
            week_end=week_end.isoformat(),
            zone=config.town.timezone,
            figures=analytics.figures,
            opened=int(opened),
            overdue=int(overdue),
        )
    )
    headline = Headline(
        labels("weekly_report"),
        config.town.name,
        f"{week_start.isoformat()} - {week_end.isoformat()} ({config.town.timezone})",
        int(opened),
        int(overdue),
    )
    fonts = find_fonts([language, *config.town.languages])
    pdf = weekly_pdf(headline, analytics.figures, week_start.isoformat(), labels, now, fonts)
    return WeeklyReport(week_start, html, pdf)
