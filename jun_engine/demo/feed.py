"""What the dashboard shows, read from the database a few times a second: the newest messages
with their routing (in the order they were written), acknowledgements, staff replies,
escalations and scheduled posts, and the running totals, counted so that they add up: messages
from residents apart from the engine's own, acknowledged cases rather than acknowledgement
messages, today's spend (UTC, as X bills) apart from the run's. Only ids, kinds, departments and
public text: a DM's text is never read out."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.cases.follow import STAFF_REPLY
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import MessageStatus, OutboxStatus
from jun_engine.store.tables import ApiCallRow, CaseEventRow, CaseRow, InboundMessageRow, OutboxRow

ROWS = 30
"""Lines kept per panel (a 50-row terminal shows about this many messages)."""
TEXT_CHARS = 60
"""How much of a public post a panel shows."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a panel: when (town time), and its cells."""

    at: datetime
    cells: tuple[str, ...]


@dataclass(slots=True)
class Totals:
    """The running counts in the header and the progress lines."""

    received: int = 0
    """Requests the town's residents sent (the emulator's count)."""
    codes: int = 0
    """Verification DMs residents sent with their codes."""
    stored: int = 0
    """Messages from people in the database (requests and code DMs)."""
    own: int = 0
    """Posts and DMs of the town's own accounts its other accounts read: stored, ignored."""
    processed: int = 0
    waiting: int = 0
    cases: int = 0
    acks: int = 0
    """Cases acknowledged (a private category's case gets a reply and a DM: one case)."""
    staff_posted: int = 0
    """Replies the town's staff posted in residents' threads (the emulator's count)."""
    staff_replies: int = 0
    """Staff replies the engine recorded on cases."""
    escalations: int = 0
    scheduled: int = 0
    outbox_pending: int = 0
    sent: int = 0
    requests: int = 0
    cost_usd: float = 0.0
    cost_today_usd: float = 0.0
    """Spent on the newest UTC day with requests: the day the spend cap applies to."""
    ledger_usd: float = 0.0


@dataclass(slots=True)
class Feed:
    """The panels' newest lines and the totals; `read()` brings them up to date."""

    engine: Engine
    config: Config
    handles: Callable[[str], str | None] = lambda _user_id: None
    """The handle of an X user id, where the caller knows it (the demo asks the emulator)."""
    totals: Totals = field(default_factory=Totals)
    incoming: deque[tuple[int, Line]] = field(default_factory=lambda: deque(maxlen=ROWS))
    acks: deque[Line] = field(default_factory=lambda: deque(maxlen=ROWS))
    staff: deque[Line] = field(default_factory=lambda: deque(maxlen=ROWS))
    escalations: deque[Line] = field(default_factory=lambda: deque(maxlen=ROWS))
    scheduled: deque[Line] = field(default_factory=lambda: deque(maxlen=ROWS))
    _last_message: int = 0
    _last_event: int = 0
    _sent_seen: set[int] = field(default_factory=set)
    _acked: set[str] = field(default_factory=set)
    _routing: dict[int, tuple[str, str]] = field(default_factory=dict)
    _statuses: dict[int, MessageStatus] = field(default_factory=dict)

    def read(
        self, received: int, ledger_usd: float, *, codes: int = 0, staff_posted: int = 0
    ) -> None:
        """Catch up with the database; the town's counts and the ledger come from the emulator."""
        with Session(self.engine) as session:
            self._read_messages(session)
            self._read_statuses(session)
            self._read_cases(session)
            self._read_sent(session)
            self._read_events(session)
            self._read_totals(session)
        self.totals.received = received
        self.totals.codes = codes
        self.totals.staff_posted = staff_posted
        self.totals.ledger_usd = ledger_usd

    def routing_of(self, message_id: int) -> tuple[str, str] | None:
        """(department, case reference) of a message, once its case is open."""
        return self._routing.get(message_id)

    def status_of(self, message_id: int) -> MessageStatus | None:
        """A shown message's status as last read."""
        return self._statuses.get(message_id)

    # --- readers -------------------------------------------------------------------------------

    def _read_messages(self, session: Session) -> None:
        rows = session.exec(
            select(InboundMessageRow)
            .where(col(InboundMessageRow.id) > self._last_message)
            .order_by(col(InboundMessageRow.id))
        ).all()
        if not rows:
            return
        own = self._own_accounts()
        for row in rows:
            assert row.id is not None
            self._last_message = row.id
            if row.author_id not in own:  # the engine's own posts and DMs are counted, not shown
                self.incoming.append((row.id, Line(row.created_at, self._message_cells(row))))
        # The streams are polled apart (mentions, each account's DMs): keep the time order.
        ordered = sorted(self.incoming, key=lambda item: (item[1].at, item[0]))
        self.incoming = deque(ordered[-ROWS:], maxlen=ROWS)

    def _message_cells(self, row: InboundMessageRow) -> tuple[str, ...]:
        handles = {a.user_id: a.handle for a in self.config.accounts.values()}
        to = "@" + handles.get(row.account_id, row.account_id)
        author = "@" + (row.author_handle or self.handles(row.author_id) or row.author_id)
        if row.kind is MessageKind.DM:
            return ("DM", author, to, "(private)")
        return ("mention", author, to, public_excerpt(row.text))

    def _read_statuses(self, session: Session) -> None:
        ids = [i for i, _ in self.incoming]
        rows = session.exec(
            select(InboundMessageRow.id, InboundMessageRow.status).where(
                col(InboundMessageRow.id).in_(ids)
            )
        ).all()
        self._statuses = {int(i): MessageStatus(status) for i, status in rows if i is not None}

    def _read_cases(self, session: Session) -> None:
        known = set(self._routing)
        ids = [i for i, _ in self.incoming if i not in known]
        if not ids:
            return
        rows = session.exec(
            select(CaseRow.message_id, CaseRow.department, CaseRow.reference).where(
                col(CaseRow.message_id).in_(ids)
            )
        ).all()
        for message_id, department, reference in rows:
            if message_id is not None:
                self._routing[message_id] = (department, reference)

    def _read_sent(self, session: Session) -> None:
        rows = session.exec(
            select(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.SENT, col(OutboxRow.id).not_in(self._sent_seen))
            .order_by(col(OutboxRow.sent_at))
        ).all()
        for row in rows:
            assert row.id is not None
            self._sent_seen.add(row.id)
            self._file(row)

    def _file(self, row: OutboxRow) -> None:
        key, at = row.idempotency_key, row.sent_at or row.created_at
        reference = key.split(":")[1] if key.startswith("case:") else ""
        if key.startswith("case:") and key.endswith((":ack", ":ack-dm")):
            self._acked.add(reference)
            self.totals.acks = len(self._acked)
            self.acks.append(Line(at, (reference, row.kind.value, self._handle(row.account_id))))
        elif ":escalate:" in key:
            self.totals.escalations += 1
            self.escalations.append(Line(at, (reference, key.rsplit(":", 1)[-1])))
        elif key.startswith(("menu:", "notice:", "air:")):
            self.totals.scheduled += 1
            text = "(DM)" if row.private else public_excerpt(row.text)
            self.scheduled.append(Line(at, (key.split(":")[0], text)))

    def _read_events(self, session: Session) -> None:
        rows = session.exec(
            select(CaseEventRow, CaseRow.reference, CaseRow.department)
            .join(CaseRow, col(CaseRow.id) == col(CaseEventRow.case_id))
            .where(col(CaseEventRow.id) > self._last_event, CaseEventRow.kind == STAFF_REPLY)
            .order_by(col(CaseEventRow.id))
        ).all()
        for event, reference, department in rows:
            assert event.id is not None
            self._last_event = max(self._last_event, event.id)
            self.totals.staff_replies += 1
            self.staff.append(Line(event.at, (reference, department)))

    def _own_accounts(self) -> set[str]:
        return {account.user_id for account in self.config.accounts.values()}

    def _read_totals(self, session: Session) -> None:
        t = self.totals
        own = col(InboundMessageRow.author_id).in_(self._own_accounts())
        people = sa.not_(own)
        t.own = _count(session, InboundMessageRow, own)
        t.stored = _count(session, InboundMessageRow, people)
        t.processed = _count(
            session,
            InboundMessageRow,
            sa.and_(people, col(InboundMessageRow.status) != MessageStatus.NEW),
        )
        t.waiting = _count(
            session,
            InboundMessageRow,
            col(InboundMessageRow.status) == MessageStatus.WAITING_VERIFICATION,
        )
        t.cases = _count(session, CaseRow, sa.true())
        t.outbox_pending = _count(
            session,
            OutboxRow,
            col(OutboxRow.status).in_(
                [OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED]
            ),
        )
        t.sent = len(self._sent_seen)
        count, usd = session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(ApiCallRow.cost_usd), 0))
        ).one()
        t.requests, t.cost_usd = int(count), float(usd)
        t.cost_today_usd = _spent_on_newest_day(session)

    def _handle(self, account_id: str) -> str:
        for account in self.config.accounts.values():
            if account.user_id == account_id:
                return "@" + account.handle
        return account_id


def public_excerpt(text: str, limit: int = TEXT_CHARS) -> str:
    """A public post on one line, control characters out, cut at `limit` characters."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _spent_on_newest_day(session: Session) -> float:
    newest = session.exec(select(sa.func.max(ApiCallRow.at))).one()
    if newest is None:
        return 0.0
    start = datetime.combine(newest.astimezone(UTC).date(), time(0), tzinfo=UTC)
    usd = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ApiCallRow.cost_usd), 0)).where(
            col(ApiCallRow.at) >= start
        )
    ).scalar_one()
    return float(usd)


def _count(session: Session, table: type, condition: sa.ColumnElement[bool]) -> int:
    return int(
        session.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar_one()
    )
