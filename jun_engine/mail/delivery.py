"""The weekly report's e-mail, sent at most once across crashes.

Each attempt is recorded and committed before it is made (`mail_status` becomes `sending`,
`mail_attempts` grows), as the outbox records its attempts; its outcome is recorded after:

    unsent ──claim──> sending ──250──────────────────────────> sent
                         │──4xx, no connection (no 250 yet)──> retrying ──(mail_next_at)──> sending
                         │──5xx, login refused, 12 attempts──> failed
                         └──lost mid-message, or a crash─────> unconfirmed  (never resent by itself)

Why at most once: the outbox asks X whether an uncertain post landed before retrying, but SMTP
has no look-up. An attempt that ended without the server's answer to the message (a connection
lost while sending it, or the process killed between the record and the outcome) may have
delivered it, so it is marked `unconfirmed` with a WARNING and shown by `jun-engine web reports`;
a person checks the mailbox and resends with `jun-engine web report --send --again` (the same
Message-ID, so mail readers can tell the copies apart). A failure before the message was sent
(no connection, a 4xx reply, a refused recipient) cannot have delivered it and is retried with
the engine's retry policy (`jun_engine.retry`); a 5xx or a refused login is recorded, not retried.

Only the newest report is e-mailed: configuring an address later sends last week's, not every
report ever made.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from jun_engine.config.schema import Config
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail import smtp
from jun_engine.mail.attempts import INTERRUPTED, STALE_AFTER, judge
from jun_engine.mail.message import report_message
from jun_engine.store.session import session_scope
from jun_engine.store.tables import WeeklyReportRow

log = logging.getLogger(__name__)

RESENDABLE = frozenset({Mail.UNSENT, Mail.RETRYING, Mail.FAILED})
"""What `--send` sends without `--again`: e-mails that surely never arrived."""


@dataclass(frozen=True)
class ReportMailer:
    """Where reports are e-mailed, built once at the edge from accounts.yaml and the
    environment (`report_mailer`)."""

    server: smtp.SmtpServer
    sender: str
    to: tuple[str, ...]
    town: str
    language: str
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)


def report_mailer(config: Config, environ: Mapping[str, str]) -> ReportMailer | None:
    """The mailer accounts.yaml describes (None: reports are not e-mailed); `MissingSecret`
    if its login's variables are unset."""
    email = config.reports.email
    settings = config.mail_server()
    server = smtp.town_server(config, environ)
    if email is None or settings is None or server is None:
        return None
    language = email.language or config.town.default_language
    sender = email.sender or settings.sender
    return ReportMailer(server, sender, tuple(email.to), config.town.name, language)


@dataclass(frozen=True, slots=True)
class MailState:
    """A report's e-mail as recorded, for `jun-engine web reports`."""

    week_start: date
    status: Mail
    attempts: int
    attempted_at: datetime | None
    next_at: datetime | None
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class _Claim:
    week_start: date
    attempt: int
    html: str
    pdf: bytes | None


def send_due_report(engine: Engine, config: Config, now: datetime, mailer: ReportMailer) -> int:
    """The desk's step: e-mail the newest report if it is due; 1 if it was sent."""
    claim = _claim(engine, now, manual=False, again=False)
    return 0 if claim is None else _attempt(engine, mailer, claim, now)


def send_latest(engine: Engine, mailer: ReportMailer, now: datetime, *, again: bool) -> MailState:
    """E-mail the newest report now (by hand), unless it was sent or may have been (`again`
    sends it anyway); its state afterwards. `LookupError` when there is no report."""
    claim = _claim(engine, now, manual=True, again=again)
    if claim is not None:
        _attempt(engine, mailer, claim, now)
    states = mail_states(engine, limit=1)
    if not states:
        raise LookupError("no weekly report has been made yet (`jun-engine web report`)")
    return states[0]


def mail_states(engine: Engine, limit: int = 8) -> list[MailState]:
    """The newest reports' e-mail states, newest first."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(WeeklyReportRow).order_by(col(WeeklyReportRow.week_start).desc()).limit(limit)
        ).all()
        return [
            MailState(
                row.week_start,
                Mail(row.mail_status),
                row.mail_attempts,
                row.mail_attempted_at,
                row.mail_next_at,
                row.mail_sent_at,
                row.mail_error,
            )
            for row in rows
        ]


def _claim(engine: Engine, now: datetime, *, manual: bool, again: bool) -> _Claim | None:
    """Record an attempt on the newest report if it may be made (committed before it is)."""
    with session_scope(engine) as session:
        row = session.exec(
            select(WeeklyReportRow).order_by(col(WeeklyReportRow.week_start).desc()).limit(1)
        ).first()
        if row is None or not _may_send(row, now, manual=manual, again=again):
            return None
        session.flush()  # an interrupted attempt found just now is recorded as such
        attempt = 1 if manual else row.mail_attempts + 1
        claimed = session.execute(
            sa.update(WeeklyReportRow)
            .where(
                col(WeeklyReportRow.week_start) == row.week_start,
                col(WeeklyReportRow.mail_status) == row.mail_status,
                col(WeeklyReportRow.mail_attempts) == row.mail_attempts,
            )
            .values(
                mail_status=Mail.SENDING,
                mail_attempts=attempt,
                mail_attempted_at=now,
                mail_next_at=None,
            )
        )
        if int(getattr(claimed, "rowcount", 0)) != 1:  # another process claimed it first
            return None
        return _Claim(row.week_start, attempt, row.html, row.pdf)


def _may_send(row: WeeklyReportRow, now: datetime, *, manual: bool, again: bool) -> bool:
    status = Mail(row.mail_status)
    if status is Mail.SENDING:
        if row.mail_attempted_at is not None and now - row.mail_attempted_at < STALE_AFTER:
            return False  # an attempt in flight, or one just interrupted: never two at once
        _interrupted(row)
        return manual and again
    if manual:
        return again or status in RESENDABLE
    if status is Mail.RETRYING:
        return row.mail_next_at is None or row.mail_next_at <= now
    return status is Mail.UNSENT


def _interrupted(row: WeeklyReportRow) -> None:
    row.mail_status = Mail.UNCONFIRMED
    row.mail_error = INTERRUPTED
    log.warning(
        "weekly report of the week of %s: an e-mail attempt was interrupted and may have "
        "arrived; it is NOT resent (SMTP cannot tell). Check the mailbox; "
        "`jun-engine web report --send --again` resends it",
        row.week_start.isoformat(),
    )


def _attempt(engine: Engine, mailer: ReportMailer, claim: _Claim, now: datetime) -> int:
    message = report_message(
        town=mailer.town,
        language=mailer.language,
        week_start=claim.week_start,
        html=claim.html,
        pdf=claim.pdf,
        sender=mailer.sender,
        to=list(mailer.to),
        now=now,
    )
    try:
        refused = smtp.send(mailer.server, message, mailer.sender, mailer.to)
    except ChannelError as error:
        _record(engine, claim, **_failure(claim, error, now, mailer.rng))
        return 0
    note = f"refused for: {', '.join(refused)}" if refused else None
    _record(engine, claim, mail_status=Mail.SENT, mail_sent_at=now, mail_error=note)
    log.info(
        "weekly report of the week of %s e-mailed to %d address(es)",
        claim.week_start.isoformat(),
        len(mailer.to) - len(refused),
    )
    if refused:
        log.warning("the weekly report's e-mail was refused for %d address(es)", len(refused))
    return 1


def _failure(
    claim: _Claim, error: ChannelError, now: datetime, rng: random.Random
) -> dict[str, object]:
    week = claim.week_start.isoformat()
    verdict = judge(error, claim.attempt, now, rng)
    if verdict.status is Mail.UNCONFIRMED:
        log.warning(
            "weekly report of the week of %s: %s; it may have arrived and is NOT resent "
            "(SMTP cannot tell). Check the mailbox; `jun-engine web report --send --again` "
            "resends it",
            week,
            error,
        )
        return {"mail_status": Mail.UNCONFIRMED, "mail_error": str(error)}
    if verdict.status is Mail.RETRYING:
        log.warning(
            "weekly report of the week of %s not e-mailed (attempt %d): %s; trying again at %s",
            week,
            claim.attempt,
            error,
            verdict.next_at.isoformat() if verdict.next_at else "once due",
        )
        return {
            "mail_status": Mail.RETRYING,
            "mail_next_at": verdict.next_at,
            "mail_error": str(error),
        }
    log.error(
        "weekly report of the week of %s not e-mailed, given up after %d attempt(s): %s",
        week,
        claim.attempt,
        error,
    )
    return {"mail_status": Mail.FAILED, "mail_error": str(error)}


def _record(engine: Engine, claim: _Claim, **values: object) -> None:
    """The attempt's outcome, unless a later attempt has been claimed since."""
    with session_scope(engine) as session:
        session.execute(
            sa.update(WeeklyReportRow)
            .where(
                col(WeeklyReportRow.week_start) == claim.week_start,
                col(WeeklyReportRow.mail_attempts) == claim.attempt,
            )
            .values(**values)
        )
