"""Departments' e-mails, sent at most once across crashes, as the weekly report's is (`delivery`).

The case desk records each one as a `department_mail` row in the transaction that causes it
(`cases.department_mail`: a new private case, the day's digest). The desk's step sends them:

    unsent ──claim──> sending ──250──────────────────────────> sent
                         │──4xx, no connection (no 250 yet)──> retrying ──(next_at)──> sending
                         │──5xx, login refused, 12 attempts──> failed
                         └──lost mid-message, or a crash─────> unconfirmed  (never resent by itself)

A claim is committed before the SMTP conversation starts (`sending`, `attempts` grown, a new
Message-ID); its outcome is recorded after (`mail.attempts.judge`). A `sending` row older than
`STALE_AFTER` was interrupted (its process died) and becomes `unconfirmed` with a WARNING: it may
have arrived, and SMTP has no look-up. Nothing is resent by hand either: the case is on the web
desk and in the department's next digest.

Batching: every case e-mail of a department that is due at one step goes in ONE e-mail (a burst
of police tips is one message in the inbox, one SMTP conversation, one claim). It is safe: only
`unsent` and `retrying` rows are claimed, none of which can have arrived, so combining them
repeats nothing; an attempt's outcome is recorded on every row it carried (they share its
Message-ID). It costs no delay: a row waits for the next step (a few seconds) either way. A
digest goes alone, one a day.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, or_, select

from jun_engine.cases.texts import localized, say
from jun_engine.config.schema import Config
from jun_engine.domain.errors import ChannelError
from jun_engine.domain.statuses import DepartmentMailKind
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail import smtp
from jun_engine.mail.attempts import INTERRUPTED, STALE_AFTER, judge
from jun_engine.mail.message import department_message
from jun_engine.store.session import session_scope
from jun_engine.store.tables import DepartmentMailRow

log = logging.getLogger(__name__)

Row = DepartmentMailRow


@dataclass(frozen=True)
class DepartmentMailer:
    """The town's SMTP server and From address, built once at the edge (`department_mailer`)."""

    server: smtp.SmtpServer
    sender: str
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class _Claim:
    department: str
    message_id: str
    attempt: int
    rows: tuple[Row, ...]


def department_mailer(config: Config, environ: Mapping[str, str]) -> DepartmentMailer | None:
    """The mailer for departments' e-mails (None: no department has addresses); `MissingSecret`
    if the server's login variables are unset."""
    settings = config.mail_server()
    if not config.emailed_departments() or settings is None:
        return None
    server = smtp.town_server(config, environ)
    return None if server is None else DepartmentMailer(server, settings.sender)


def send_department_mail(
    engine: Engine, config: Config, now: datetime, mailer: DepartmentMailer
) -> int:
    """The desk's step: mark interrupted attempts unconfirmed, then send every department
    e-mail that is due (each department's case e-mails in one); how many e-mails were sent."""
    _interrupted(engine, now)
    sent = 0
    for department, ids in _due(engine, config, now):
        claim = _claim(engine, department, ids, now, mailer.sender)
        if claim is not None:
            sent += _attempt(engine, config, mailer, claim, now)
    return sent


def _due(engine: Engine, config: Config, now: datetime) -> list[tuple[str, list[int]]]:
    """The ids of what is due, grouped as it is sent: each department's case e-mails together,
    each digest alone. A department no longer e-mailed keeps its rows unsent."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Row)
            .where(_due_by(now))
            .order_by(col(Row.department), col(Row.kind), col(Row.id))
        ).all()
    emailed = config.emailed_departments()
    groups: list[tuple[str, list[int]]] = []
    for (department, kind), batch in groupby(rows, key=lambda row: (row.department, row.kind)):
        ids = [row.id for row in batch if row.id is not None]
        if department not in emailed:
            continue
        if kind is DepartmentMailKind.CASE:
            groups.append((department, ids))
        else:
            groups.extend((department, [one]) for one in ids)
    return groups


def _claim(
    engine: Engine, department: str, ids: Sequence[int], now: datetime, sender: str
) -> _Claim | None:
    """Record an attempt on the rows `ids` that are still due (committed before it is made);
    rows another process claimed first are left to it."""
    message_id = make_msgid("department-mail", sender.rpartition("@")[2])
    with session_scope(engine) as session:
        session.execute(
            sa.update(Row)
            .where(col(Row.id).in_(ids), _due_by(now))
            .values(
                status=Mail.SENDING,
                attempts=col(Row.attempts) + 1,
                attempted_at=now,
                next_at=None,
                message_id=message_id,
            )
        )
        rows = session.exec(
            select(Row).where(col(Row.message_id) == message_id).order_by(col(Row.id))
        ).all()
    if not rows:
        return None
    attempt = max(row.attempts for row in rows)
    return _Claim(department, message_id, attempt, tuple(rows))


def _due_by(now: datetime) -> sa.ColumnElement[bool]:
    """Rows that surely never arrived and may be tried at `now`: unsent, or retrying and due."""
    return or_(
        col(Row.status) == Mail.UNSENT,
        sa.and_(
            col(Row.status) == Mail.RETRYING,
            or_(col(Row.next_at).is_(None), col(Row.next_at) <= now),
        ),
    )


def _attempt(
    engine: Engine, config: Config, mailer: DepartmentMailer, claim: _Claim, now: datetime
) -> int:
    to = config.departments[claim.department].email
    message = department_message(
        subject=_subject(config, claim),
        body=_body(config, claim),
        language=config.town.default_language,
        sender=mailer.sender,
        to=to,
        now=now,
        message_id=claim.message_id,
    )
    try:
        refused = smtp.send(mailer.server, message, mailer.sender, to)
    except ChannelError as error:
        _failed(engine, claim, error, now, mailer.rng)
        return 0
    note = f"refused for: {', '.join(refused)}" if refused else None
    _record(engine, claim, status=Mail.SENT, sent_at=now, error=note)
    log.info(
        "e-mailed %s %s to %d address(es)",
        claim.department,
        _what(claim),
        len(to) - len(refused),
    )
    if refused:
        log.warning("%s's e-mail was refused for %d address(es)", claim.department, len(refused))
    return 1


def _subject(config: Config, claim: _Claim) -> str:
    if len(claim.rows) == 1:
        return claim.rows[0].subject
    language = config.town.default_language
    dept = config.departments[claim.department]
    return say(
        config,
        "mail_cases_subject",
        language,
        count=len(claim.rows),
        town=config.town.name,
        department=localized(dept.name, language, config),
    )


def _body(config: Config, claim: _Claim) -> str:
    footer = say(config, "mail_footer", config.town.default_language)
    return "\n\n".join([*(row.body for row in claim.rows), footer]) + "\n"


def _what(claim: _Claim) -> str:
    if claim.rows[0].kind is DepartmentMailKind.DIGEST:
        return "its daily digest"
    return f"{len(claim.rows)} new private case(s)"


def _failed(
    engine: Engine, claim: _Claim, error: ChannelError, now: datetime, rng: random.Random
) -> None:
    verdict = judge(error, claim.attempt, now, rng)
    what = f"{claim.department}'s e-mail ({_what(claim)})"
    if verdict.status is Mail.UNCONFIRMED:
        log.warning(
            "%s: %s; it may have arrived and is NOT resent (SMTP cannot tell); "
            "the web desk and the next digest have the case(s)",
            what,
            error,
        )
    elif verdict.status is Mail.RETRYING:
        at = verdict.next_at.isoformat() if verdict.next_at else "once due"
        log.warning(
            "%s not sent (attempt %d): %s; trying again at %s", what, claim.attempt, error, at
        )
    else:
        log.error("%s not sent, given up after %d attempt(s): %s", what, claim.attempt, error)
    _record(engine, claim, status=verdict.status, next_at=verdict.next_at, error=str(error))


def _record(engine: Engine, claim: _Claim, **values: object) -> None:
    """The attempt's outcome on every row it carried, unless they are no longer its own."""
    with session_scope(engine) as session:
        session.execute(
            sa.update(Row)
            .where(col(Row.message_id) == claim.message_id, col(Row.status) == Mail.SENDING)
            .values(**values)
        )


def _interrupted(engine: Engine, now: datetime) -> None:
    """Attempts whose process died: `unconfirmed`, with a WARNING, never resent by themselves."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Row)
            .where(col(Row.status) == Mail.SENDING, col(Row.attempted_at) < now - STALE_AFTER)
            .order_by(col(Row.department), col(Row.message_id))
        ).all()
        for row in rows:
            row.status, row.error = Mail.UNCONFIRMED, INTERRUPTED
            session.add(row)
    for key, batch in groupby(rows, key=lambda row: (row.department, row.message_id)):
        log.warning(
            "%s's e-mail %s (%d row(s)) was interrupted and may have arrived; it is NOT resent "
            "(SMTP cannot tell): the web desk and the next digest have the case(s)",
            key[0],
            key[1],
            len(list(batch)),
        )
