"""The tables' rules hold on both databases: unique keys, checks, foreign keys, aware UTC
timestamps and exact money."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.statuses import (
    ExampleSource,
    OutboxKind,
    Privacy,
    ResidentStatus,
    ScheduledKind,
)
from jun_engine.store.column_types import NaiveDateTimeError
from jun_engine.store.errors import IntegrityViolationError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    ApiCallRow,
    CaseRow,
    DaemonLockRow,
    DeliveryRow,
    InboundMessageRow,
    IncidentRow,
    OutboxRow,
    ResidentIdentityRow,
    ResidentRow,
    ResidentTopicRow,
    RoutingExampleRow,
    ScheduledItemRow,
    VerificationCodeRow,
)

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _save(engine: sa.Engine, *rows: SQLModel) -> None:
    with session_scope(engine) as session:
        for row in rows:
            session.add(row)
            session.flush()


def _resident() -> ResidentRow:
    return ResidentRow(name="Carmen", district="Centro", enrolled_at=AT)


def _identity(resident_id: int, user_id: str, channel: Channel = Channel.X) -> ResidentIdentityRow:
    return ResidentIdentityRow(
        resident_id=resident_id, channel=channel, user_id=user_id, bound_at=AT
    )


def _case(reference: str, satisfaction: int | None = None) -> CaseRow:
    return CaseRow(
        reference=reference,
        department="lighting",
        channel=Channel.X,
        privacy=Privacy.PUBLIC,
        opened_at=AT,
        satisfaction=satisfaction,
    )


def _outbox(key: str, kind: OutboxKind = OutboxKind.POST, private: bool = False) -> OutboxRow:
    return OutboxRow(
        idempotency_key=key,
        channel=Channel.X,
        account_id="1001",
        kind=kind,
        text="hola",
        private=private,
    )


def _notice() -> ScheduledItemRow:
    return ScheduledItemRow(kind=ScheduledKind.NOTICE, text="Corte de agua", run_at=AT)


def _mention(platform_id: str) -> InboundMessageRow:
    return InboundMessageRow(
        channel=Channel.X,
        kind=MessageKind.MENTION,
        platform_id=platform_id,
        account_id="1001",
        author_id="2002",
        text="hola",
        created_at=AT,
    )


UNIQUE_KEYS: dict[str, Callable[[], list[SQLModel]]] = {
    "message_identity": lambda: [_mention("1"), _mention("1")],
    "identity_one_resident_per_account": lambda: [
        _resident(),
        _resident(),
        _identity(1, "2002"),
        _identity(2, "2002"),
    ],
    "identity_one_account_per_channel": lambda: [
        _resident(),
        _identity(1, "2002"),
        _identity(1, "2003"),
    ],
    "case_reference": lambda: [_case("JUN-2026-000001"), _case("JUN-2026-000001")],
    "outbox_idempotency_key": lambda: [_outbox("ack:1"), _outbox("ack:1")],
    "verification_code_hash": lambda: [
        _resident(),
        VerificationCodeRow(resident_id=1, code_hash="h", expires_at=AT),
        VerificationCodeRow(resident_id=1, code_hash="h", expires_at=AT),
    ],
    "delivery_notice_resident": lambda: [
        _resident(),
        _notice(),
        DeliveryRow(notice_id=1, resident_id=1),
        DeliveryRow(notice_id=1, resident_id=1),
    ],
    "one_open_incident_per_key": lambda: [
        IncidentRow(department="lighting", key="#apagón", opened_at=AT),
        IncidentRow(department="lighting", key="#apagón", opened_at=AT),
    ],
}


@pytest.mark.parametrize("rows", UNIQUE_KEYS.values(), ids=UNIQUE_KEYS.keys())
def test_unique_keys_refuse_a_second_row(
    engine: sa.Engine, rows: Callable[[], list[SQLModel]]
) -> None:
    with pytest.raises(IntegrityViolationError):
        _save(engine, *rows())


def test_one_resident_may_have_an_account_on_each_channel(engine: sa.Engine) -> None:
    _save(engine, _resident(), _identity(1, "2002"), _identity(1, "2002", Channel.LINE))


def test_deleting_a_resident_removes_their_identities(engine: sa.Engine) -> None:
    _save(engine, _resident(), _identity(1, "2002"))
    with session_scope(engine) as session:
        session.delete(session.get(ResidentRow, 1))
    with session_scope(engine) as session:
        assert session.exec(select(ResidentIdentityRow)).all() == []


def test_a_closed_incident_frees_its_key(engine: sa.Engine) -> None:
    closed = IncidentRow(department="lighting", key="#apagón", opened_at=AT, closed_at=AT)
    _save(engine, closed, IncidentRow(department="lighting", key="#apagón", opened_at=AT))


CHECKS: dict[str, Callable[[], list[SQLModel]]] = {
    "dm_is_private": lambda: [_outbox("dm:1", kind=OutboxKind.DM, private=False)],
    "satisfaction_1_to_5": lambda: [_case("JUN-2026-000002", satisfaction=6)],
    "name_unless_erased": lambda: [ResidentRow(name=None, enrolled_at=AT)],
    "birth_year_plausible": lambda: [ResidentRow(name="Ana", birth_year=1850, enrolled_at=AT)],
    "resident_topic_needs_a_resident": lambda: [ResidentTopicRow(resident_id=99, topic="water")],
    "identity_needs_a_resident": lambda: [_identity(99, "2002")],
    "delivery_needs_a_notice": lambda: [_resident(), DeliveryRow(notice_id=99, resident_id=1)],
    "daemon_lock_single_row": lambda: [DaemonLockRow(id=2, holder="b", host="h", pid=2)],
}


@pytest.mark.parametrize("rows", CHECKS.values(), ids=CHECKS.keys())
def test_checks_and_foreign_keys_refuse_bad_rows(
    engine: sa.Engine, rows: Callable[[], list[SQLModel]]
) -> None:
    with pytest.raises(IntegrityViolationError):
        _save(engine, *rows())


def test_an_erased_resident_keeps_no_name(engine: sa.Engine) -> None:
    _save(engine, ResidentRow(name=None, status=ResidentStatus.ERASED, enrolled_at=AT))


def test_a_status_outside_its_set_is_refused_by_the_database(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO resident (name, language, status, enrolled_at) "
                "VALUES ('Ana', 'es', 'deleted', :at)"
            ),
            {"at": AT.replace(tzinfo=None) if engine.dialect.name == "sqlite" else AT},
        )


def test_deleting_a_resident_removes_their_topics(engine: sa.Engine) -> None:
    _save(engine, _resident(), ResidentTopicRow(resident_id=1, topic="water"))
    with session_scope(engine) as session:
        session.delete(session.get(ResidentRow, 1))
    with session_scope(engine) as session:
        assert session.exec(select(ResidentTopicRow)).all() == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Madrid")),
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Madrid")),
        datetime(2026, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7))),
    ],
    ids=["utc_microseconds", "madrid_after_dst_start", "madrid_repeated_hour", "bangkok"],
)
def test_aware_datetimes_come_back_as_the_same_instant_in_utc(
    engine: sa.Engine, moment: datetime
) -> None:
    _save(engine, ScheduledItemRow(kind=ScheduledKind.MENU, text="menú", run_at=moment))
    with session_scope(engine) as session:
        stored = session.exec(select(ScheduledItemRow)).one()
    # (PEP 495: a time in a repeated hour never compares equal across zones, so compare in UTC)
    assert stored.run_at == moment.astimezone(UTC)
    assert stored.run_at.utcoffset() == timedelta(0)
    assert stored.created_at.tzinfo is not None


def test_a_naive_datetime_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.StatementError) as caught:
        _save(
            engine, ScheduledItemRow(kind=ScheduledKind.MENU, text="x", run_at=datetime(2026, 3, 2))
        )
    assert isinstance(caught.value.orig, NaiveDateTimeError)


def test_datetimes_order_as_instants(engine: sa.Engine) -> None:
    madrid = ZoneInfo("Europe/Madrid")
    times = [datetime(2026, 3, 2, 10, 0, tzinfo=madrid), datetime(2026, 3, 2, 9, 30, tzinfo=UTC)]
    _save(engine, *(ScheduledItemRow(kind=ScheduledKind.MENU, text="m", run_at=t) for t in times))
    with session_scope(engine) as session:
        ordered = session.exec(select(ScheduledItemRow).order_by(col(ScheduledItemRow.run_at)))
        assert [row.run_at for row in ordered] == sorted(times)


def test_api_costs_add_up_exactly(engine: sa.Engine) -> None:
    costs = [Decimal("0.015"), Decimal("0.2"), Decimal("0.005")] * 100
    calls = (
        ApiCallRow(account_id="1001", endpoint="/2/tweets", method="POST", cost_usd=cost)
        for cost in costs
    )
    _save(engine, *calls)
    with Session(engine) as session:
        total = session.exec(select(func.sum(ApiCallRow.cost_usd))).one()
    assert total == Decimal("22.000000")


def test_deleting_a_case_keeps_its_routing_examples(engine: sa.Engine) -> None:
    _save(
        engine,
        _case("JUN-2026-000003"),
        RoutingExampleRow(
            text="farola", department="lighting", source=ExampleSource.CORRECTION, case_id=1
        ),
    )
    with session_scope(engine) as session:
        session.delete(session.get(CaseRow, 1))
    with session_scope(engine) as session:
        assert [row.case_id for row in session.exec(select(RoutingExampleRow))] == [None]
