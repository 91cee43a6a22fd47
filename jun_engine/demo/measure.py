"""Measuring a finished run: the database's record and the emulator's, side by side.

What the town sent (`SimulatedTown.sent`) is the truth of what arrived; what the engine stored,
opened and queued is in the database; what actually went out is in the emulator. Duplicate and
missing acknowledgements are counted on the emulator's side: the outbox says what the engine
meant to send once, the emulator shows how many times it reached X.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from jun_engine.cases.follow import STAFF_REPLY
from jun_engine.cases.opening import privacy_of
from jun_engine.config.schema import Config
from jun_engine.demo.leaks import leaking, vocabulary
from jun_engine.demo.line_side import LineSide
from jun_engine.demo.record import XRecord
from jun_engine.demo.stats import percentile, rounded
from jun_engine.demo.summary import DemoSummary, judged
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import MessageStatus, OutboxStatus, Privacy, ResidentStatus
from jun_engine.emulator.town import SentMessage, StaffReply
from jun_engine.selfservice.metrics import self_service_counts
from jun_engine.store.tables import (
    ApiCallRow,
    CaseEventRow,
    CaseRow,
    InboundMessageRow,
    OutboxRow,
    ResidentRow,
    SelfServiceAnswerRow,
)

SCHEDULED_PREFIXES = ("menu:", "notice:", "air:")
ACK_SUFFIXES = (":ack", ":ack-dm")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything a run leaves behind besides its database."""

    config: Config
    seed: int
    speed: float
    duration_s: float
    quiet_s: float
    started_at: datetime
    ended_at: datetime
    interrupted: bool
    sent: tuple[SentMessage, ...]
    staff_replies: tuple[StaffReply, ...]
    code_dm_ids: tuple[str, ...]
    verified_residents: frozenset[str]
    """X user ids of the residents the demo verified: their messages must reach a department."""
    record: XRecord
    line: LineSide | None = None
    """The run's LINE side, when it ran one."""


@dataclass(frozen=True, slots=True)
class Acks:
    """Acknowledgements as X shows them: cases acknowledged, sent-but-absent, seen twice."""

    acknowledged: int
    missing: int
    duplicates: int
    latencies: list[float]


def measure(engine: Engine, evidence: Evidence) -> DemoSummary:
    """The judged summary of a finished run."""
    with Session(engine) as session:
        return judged(_summary(session, evidence))


def _summary(session: Session, ev: Evidence) -> DemoSummary:
    x = Channel.X
    rows = session.exec(select(InboundMessageRow).where(col(InboundMessageRow.channel) == x)).all()
    cases = session.exec(select(CaseRow).where(col(CaseRow.channel) == x)).all()
    outbox = session.exec(select(OutboxRow).where(col(OutboxRow.channel) == x)).all()
    by_id = {row.id: row for row in rows}
    copies = Counter(row.platform_id for row in rows)
    wanted = {m.platform_id for m in ev.sent} | set(ev.code_dm_ids)
    truth = {m.platform_id: m.department for m in ev.sent}
    acks = _acks(outbox, cases, by_id, ev.record)
    answered = _answer_latencies(cases, by_id)
    self_service = self_service_counts(session)
    reached = {c.department for c in cases} | _self_served(session, by_id, truth)
    abandoned = [r for r in outbox if r.status is OutboxStatus.ABANDONED]
    requests, cost = _api_calls(session)
    stored = _stored(rows, wanted, {a.user_id for a in ev.config.accounts.values()})
    staff = _staff(session, ev.staff_replies, by_id, cases)
    real = _real_seconds(ev.speed)
    return DemoSummary(
        seed=ev.seed,
        speed=ev.speed,
        duration_s=round(ev.duration_s, 1),
        quiet_s=round(ev.quiet_s, 1),
        town_hours=round((ev.ended_at - ev.started_at).total_seconds() / 3600, 2),
        interrupted=ev.interrupted,
        messages_received=len(ev.sent),
        verification_dms=len(ev.code_dm_ids),
        messages_stored=stored.wanted,
        duplicates=sum(n - 1 for n in copies.values()),
        lost=len(wanted - set(copies)),
        unprocessed=sum(r.status is MessageStatus.NEW for r in rows),
        waiting_verification=sum(r.status is MessageStatus.WAITING_VERIFICATION for r in rows),
        residents_verified=_residents(session, ResidentStatus.VERIFIED),
        residents_enrolled=_residents(session, None),
        cases_opened=len(cases),
        acknowledgements=acks.acknowledged,
        acknowledgements_missing=acks.missing,
        duplicate_acknowledgements=acks.duplicates,
        private_leaks=_leaks(ev),
        staff_replies=len(ev.staff_replies),
        staff_replies_recorded=staff.recorded,
        escalations=sum(":escalate:" in r.idempotency_key and _sent(r) for r in outbox),
        scheduled_posts=sum(
            r.idempotency_key.startswith(SCHEDULED_PREFIXES) and _sent(r) for r in outbox
        ),
        posts_made=len(ev.record.engine_posts),
        dms_made=len(ev.record.engine_dms),
        outbox_abandoned=len(abandoned),
        api_requests=requests,
        api_requests_emulator=ev.record.ledger_requests,
        api_cost_usd=round(cost, 4),
        api_cost_usd_emulator=round(ev.record.ledger_usd, 4),
        ack_latency_p50_s=rounded(percentile(acks.latencies, 0.5)),
        ack_latency_p95_s=rounded(percentile(acks.latencies, 0.95)),
        answer_latency_p50_s=rounded(percentile(answered, 0.5)),
        answer_latency_p95_s=rounded(percentile(answered, 0.95)),
        routing_accuracy=_accuracy(cases, by_id, truth),
        self_service_answered=self_service.answered,
        self_service_share=round(self_service.share, 3),
        cases_by_department=dict(sorted(Counter(c.department for c in cases).items())),
        received_by_department=dict(sorted(Counter(m.department for m in ev.sent).items())),
        departments_reached=sorted(reached),
        departments_missed=sorted(_addressed(ev) - reached),
        abandoned_by_reason=dict(Counter(r.failure or "unknown" for r in abandoned)),
        messages_stored_total=len(rows),
        engine_own_messages=stored.own,
        other_messages_stored=stored.other,
        acknowledgement_messages=sum(_is_ack(r) and _sent(r) for r in outbox),
        staff_replies_no_case=staff.no_case,
        staff_replies_not_recorded=staff.not_recorded,
        daily_spend_cap_usd=ev.config.x.daily_spend_cap_usd,
        api_cost_by_day=_cost_by_day(session),
        ack_latency_p50_real_s=real(percentile(acks.latencies, 0.5)),
        ack_latency_p95_real_s=real(percentile(acks.latencies, 0.95)),
        answer_latency_p50_real_s=real(percentile(answered, 0.5)),
        answer_latency_p95_real_s=real(percentile(answered, 0.95)),
        channels=_channels(session, ev, rows, cases, acks),
    )


def _channels(
    session: Session,
    ev: Evidence,
    rows: Sequence[InboundMessageRow],
    cases: Sequence[CaseRow],
    acks: Acks,
) -> dict[str, dict[str, Any]]:
    """The figures of each channel the run used (X's repeat the top level's)."""
    wanted = {m.platform_id for m in ev.sent} | set(ev.code_dm_ids)
    copies = Counter(row.platform_id for row in rows)
    out: dict[str, dict[str, Any]] = {
        "x": {
            "messages_received": len(ev.sent),
            "messages_stored": len(wanted & set(copies)),
            "cases": len(cases),
            "acknowledgements": acks.acknowledged,
            "duplicates": sum(n - 1 for n in copies.values()),
            "lost": len(wanted - set(copies)),
            "private_leaks": _leaks(ev),
        }
    }
    if ev.line is not None:
        public = [post.text for post in ev.record.engine_posts]
        out["line"] = ev.line.figures(session, public).as_json()
    return out


def _acks(
    outbox: Sequence[OutboxRow],
    cases: Sequence[CaseRow],
    messages: dict[int | None, InboundMessageRow],
    record: XRecord,
) -> Acks:
    on_x = Counter(
        [(p.author_id, p.in_reply_to_id, p.text) for p in record.engine_posts]
        + [(e.sender_id, e.recipient_id, e.text) for e in record.engine_dms]
    )
    first_seen: dict[tuple[str, str | None, str], datetime] = {}
    for post in reversed(record.engine_posts):
        first_seen[(post.author_id, post.in_reply_to_id, post.text)] = post.created_at
    for dm in reversed(record.engine_dms):
        first_seen[(dm.sender_id, dm.recipient_id, dm.text)] = dm.created_at
    seen_for: dict[int, list[datetime]] = {}
    missing = duplicates = 0
    for row in outbox:
        if row.case_id is None or not _is_ack(row):
            continue
        key = (row.account_id, row.target, row.text)
        duplicates += max(on_x[key] - 1, 0)
        if key in first_seen:
            seen_for.setdefault(row.case_id, []).append(first_seen[key])
        elif row.status is OutboxStatus.SENT:
            missing += 1
    latencies = []
    for case in cases:
        message = messages.get(case.message_id)
        if case.id in seen_for and message is not None:
            latencies.append((min(seen_for[case.id]) - message.created_at).total_seconds())
    return Acks(len(seen_for), missing, duplicates, latencies)


def _answer_latencies(
    cases: Sequence[CaseRow], messages: dict[int | None, InboundMessageRow]
) -> list[float]:
    found = []
    for case in cases:
        message = messages.get(case.message_id)
        if case.first_response_at is not None and message is not None:
            found.append((case.first_response_at - message.created_at).total_seconds())
    return found


@dataclass(frozen=True, slots=True)
class Stored:
    """The inbound table's distinct messages, by who wrote them."""

    wanted: int
    """Of what the town's residents sent (requests and code DMs)."""
    own: int
    """Of the town's own accounts, read by its other accounts (ignored by design)."""
    other: int


def _stored(rows: Sequence[InboundMessageRow], wanted: set[str], own_accounts: set[str]) -> Stored:
    first = {row.platform_id: row for row in rows}.values()  # duplicates are counted apart
    own = sum(row.author_id in own_accounts for row in first)
    residents = sum(row.platform_id in wanted for row in first)
    return Stored(residents, own, len(first) - own - residents)


@dataclass(frozen=True, slots=True)
class StaffFigures:
    """The town's staff replies, by what became of them."""

    recorded: int
    no_case: int
    not_recorded: int


def _staff(
    session: Session,
    replies: Sequence[StaffReply],
    messages: dict[int | None, InboundMessageRow],
    cases: Sequence[CaseRow],
) -> StaffFigures:
    """Which staff replies the engine recorded on a case, which answered a message with no case
    (nothing to record them on), and which it missed."""
    recorded_refs = set(
        session.exec(select(CaseEventRow.ref).where(col(CaseEventRow.kind) == STAFF_REPLY)).all()
    )
    with_case = {messages[c.message_id].platform_id for c in cases if c.message_id in messages}
    recorded = sum(r.post_id in recorded_refs for r in replies)
    no_case = sum(
        r.post_id not in recorded_refs and r.in_reply_to_id not in with_case for r in replies
    )
    return StaffFigures(recorded, no_case, len(replies) - recorded - no_case)


def _cost_by_day(session: Session) -> dict[str, float]:
    """The estimate per UTC day (X bills, and the spend cap applies, per UTC day)."""
    days: dict[str, float] = {}
    for call in session.exec(select(ApiCallRow)).all():
        day = call.at.astimezone(UTC).date().isoformat()
        days[day] = days.get(day, 0.0) + float(call.cost_usd)
    return {day: round(usd, 4) for day, usd in sorted(days.items())}


def _real_seconds(speed: float) -> Callable[[float | None], float | None]:
    """Town seconds to real seconds at `speed`, rounded for the summary."""
    return lambda town: rounded(None if town is None else town / speed, 2)


def _is_ack(row: OutboxRow) -> bool:
    return row.idempotency_key.endswith(ACK_SUFFIXES)


def _leaks(ev: Evidence) -> int:
    private = [dm.text for dm in ev.record.people_dms]
    for message in ev.sent:
        if message.department not in ev.config.departments:
            continue
        privacy = privacy_of(ev.config, message.department, message.category, MessageKind.MENTION)
        if message.route == "mention" and privacy is Privacy.PRIVATE:
            private.append(message.text)
    public = [post.text for post in ev.record.engine_posts]
    return len(leaking(public, private, vocabulary(ev.config)))


def _addressed(ev: Evidence) -> set[str]:
    """The departments verified residents wrote to (the others' messages wait, as they should)."""
    return {
        m.department
        for m in ev.sent
        if m.resident_id in ev.verified_residents and m.department in ev.config.departments
    }


def _self_served(
    session: Session, messages: dict[int | None, InboundMessageRow], truth: dict[str, str]
) -> set[str]:
    ids = session.exec(select(SelfServiceAnswerRow.message_id)).all()
    platform = [messages[i].platform_id for i in ids if i in messages]
    return {truth[p] for p in platform if p in truth}


def _accuracy(
    cases: Sequence[CaseRow], messages: dict[int | None, InboundMessageRow], truth: dict[str, str]
) -> float | None:
    judged_cases = [
        (case.department, truth[message.platform_id])
        for case in cases
        if (message := messages.get(case.message_id)) is not None and message.platform_id in truth
    ]
    if not judged_cases:
        return None
    return round(sum(got == meant for got, meant in judged_cases) / len(judged_cases), 3)


def _api_calls(session: Session) -> tuple[int, float]:
    count, usd = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(ApiCallRow.cost_usd), 0))
    ).one()
    return int(count), float(usd)


def _residents(session: Session, status: ResidentStatus | None) -> int:
    condition = sa.true() if status is None else col(ResidentRow.status) == status
    return _count(session, condition, ResidentRow)


def _count(session: Session, condition: sa.ColumnElement[bool], table: type) -> int:
    statement = sa.select(sa.func.count()).select_from(table).where(condition)
    return int(session.execute(statement).scalar_one())


def _sent(row: OutboxRow) -> bool:
    return row.status is OutboxStatus.SENT
