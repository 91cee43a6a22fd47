"""Enqueueing: inside the caller's transaction, once per key, split into linked parts, and
refusing what must never go out (private text in a public post, a reply without a target)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.domain.choices import Choice, choices_from_json
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.outbox.api import Priority, add_to_pending, enqueue, part_key
from jun_engine.outbox.errors import InvalidOutboxItemError
from jun_engine.store.column_types import storable_text
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow, now_utc

HOSTILE = [
    "🇪🇸👨\u200d👩\u200d👧 Jun",
    "مرحبا بكم في جون \u202e RTL override",
    "control \x00\x01\x07\x1b[31m chars \u200b",
    "ñ" * 10_000,
]


def _rows(session: Session) -> list[OutboxRow]:
    return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


def test_enqueueing_a_key_twice_queues_it_once(session: Session) -> None:
    first = enqueue(session, key="ack:1", account_id="1", kind=OutboxKind.POST, text="Recibido")
    again = enqueue(session, key="ack:1", account_id="1", kind=OutboxKind.POST, text="Otro")

    assert first is not None
    assert again is None
    assert [(r.idempotency_key, r.text) for r in _rows(session)] == [("ack:1", "Recibido")]


def test_a_key_enqueued_in_an_earlier_transaction_is_not_queued_again(engine: Engine) -> None:
    with session_scope(engine) as session:
        enqueue(
            session, key="notice:7:r:1", account_id="1", kind=OutboxKind.DM, target="9", text="a"
        )
    with session_scope(engine) as session:
        again = enqueue(
            session, key="notice:7:r:1", account_id="1", kind=OutboxKind.DM, target="9", text="a"
        )
        assert again is None
        assert len(_rows(session)) == 1


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(engine: Engine) -> None:
    def process_then_fail() -> None:
        with session_scope(engine) as session:
            enqueue(
                session, key="reply:5", account_id="1", kind=OutboxKind.REPLY, target="5", text="x"
            )
            raise RuntimeError("the message could not be processed")

    with pytest.raises(RuntimeError):
        process_then_fail()

    with session_scope(engine) as session:
        assert _rows(session) == []


def test_a_long_post_becomes_a_thread_whose_parts_follow_each_other(session: Session) -> None:
    first = enqueue(
        session,
        key="menu:2026-03-02",
        account_id="1",
        kind=OutboxKind.POST,
        text="Lentejas con verduras y fruta de temporada. " * 20,
        priority=Priority.NOTICE,
    )

    rows = _rows(session)
    assert first == rows[0].id
    assert len(rows) >= 3
    assert [r.part_no for r in rows] == list(range(1, len(rows) + 1))
    assert [r.idempotency_key for r in rows] == [
        part_key("menu:2026-03-02", n) for n in range(1, len(rows) + 1)
    ]
    assert rows[0].kind is OutboxKind.POST
    assert rows[0].thread_parent is None
    assert all(r.kind is OutboxKind.REPLY and r.target is None for r in rows[1:])
    assert [r.thread_parent for r in rows[1:]] == [r.id for r in rows[:-1]]
    assert {r.priority for r in rows} == {Priority.NOTICE}


def test_a_long_dm_becomes_private_parts_to_the_same_recipient(session: Session) -> None:
    enqueue(session, key="dm:1", account_id="1", kind=OutboxKind.DM, target="77", text="z" * 25_000)

    rows = _rows(session)
    assert [len(r.text) for r in rows] == [10_000, 10_000, 5_000]
    assert all(r.kind is OutboxKind.DM and r.target == "77" and r.private for r in rows)
    assert [r.thread_parent for r in rows[1:]] == [r.id for r in rows[:-1]]


def test_a_dm_is_always_private(session: Session) -> None:
    enqueue(session, key="dm:2", account_id="1", kind=OutboxKind.DM, target="77", text="hola")

    assert _rows(session)[0].private is True


def test_an_item_keeps_its_schedule_case_and_priority(session: Session) -> None:
    later = now_utc() + timedelta(hours=2)
    enqueue(
        session,
        key="alert:1",
        account_id="1",
        kind=OutboxKind.POST,
        text="Alerta",
        priority=Priority.EMERGENCY,
        not_before=later,
    )

    row = _rows(session)[0]
    assert (row.priority, row.not_before, row.status) == (100, later, OutboxStatus.PENDING)
    assert row.case_id is None


@pytest.mark.parametrize("text", HOSTILE, ids=["emoji", "rtl", "control", "10000_chars"])
def test_hostile_text_is_stored_exactly(engine: Engine, text: str) -> None:
    """Exactly, but for U+0000, which no PostgreSQL text can hold (the store's one exception)."""
    with session_scope(engine) as session:
        enqueue(session, key="dm:h", account_id="1", kind=OutboxKind.DM, target="2", text=text)
    with session_scope(engine) as session:
        assert "".join(r.text for r in _rows(session)) == storable_text(text)


@pytest.mark.parametrize(
    ("kind", "target", "private", "text", "reason"),
    [
        (OutboxKind.REPLY, None, False, "hola", "needs a target"),
        (OutboxKind.DM, None, True, "hola", "needs a target"),
        (OutboxKind.POST, "5", False, "hola", "has no target"),
        (OutboxKind.POST, None, True, "DNI 12345678Z", "never posted"),
        (OutboxKind.REPLY, "5", True, "DNI 12345678Z", "never posted"),
        (OutboxKind.POST, None, False, "  \n ", "empty"),
    ],
    ids=[
        "reply_no_target",
        "dm_no_recipient",
        "post_with_target",
        "private_post",
        "private_reply",
        "blank",
    ],
)
def test_items_that_must_not_go_out_are_refused_with_a_reason(
    sqlite_session: Session,
    kind: OutboxKind,
    target: str | None,
    private: bool,
    text: str,
    reason: str,
) -> None:
    with pytest.raises(InvalidOutboxItemError, match=reason) as refused:
        enqueue(
            sqlite_session,
            key="bad",
            account_id="1",
            kind=kind,
            target=target,
            text=text,
            private=private,
        )

    assert "DNI" not in str(refused.value)
    assert _rows(sqlite_session) == []


def test_a_private_reply_is_taken_on_a_channel_whose_replies_are_private(
    sqlite_session: Session,
) -> None:
    # Given a LINE answer longer than one request (five messages of 5,000 UTF-16 units)
    text = "ไฟถนนดับ " * 3_000
    first = enqueue(
        sqlite_session,
        key="answer:1",
        account_id="Ubot",
        kind=OutboxKind.REPLY,
        target="msg-1",
        text=text,
        private=True,
        channel=Channel.LINE,
    )
    # Then it is queued privately, every part answering the same message
    rows = _rows(sqlite_session)
    assert first is not None
    assert len(rows) == 2
    assert all(r.kind is OutboxKind.REPLY and r.target == "msg-1" and r.private for r in rows)
    assert "".join(r.text for r in rows) == text


@pytest.mark.parametrize("key", ["k" * 500, "", "notice:1#2"], ids=["long", "empty", "part_mark"])
def test_a_key_that_is_too_long_empty_or_looks_like_a_part_is_refused(
    sqlite_session: Session, key: str
) -> None:
    with pytest.raises(InvalidOutboxItemError):
        enqueue(sqlite_session, key=key, account_id="1", kind=OutboxKind.POST, text="x")


def _line_reply(session: Session, key: str, text: str) -> int | None:
    return enqueue(
        session,
        key=key,
        account_id="Ubot",
        kind=OutboxKind.REPLY,
        text=text,
        target="500000000000001",
        private=True,
        channel=Channel.LINE,
    )


def test_a_question_is_added_under_a_pending_answer_with_its_buttons(session: Session) -> None:
    _line_reply(session, "case:JUN-1:ack", "Recibido: JUN-1")
    buttons = (Choice("Ubicación", ask="location"),)

    added = add_to_pending(session, "case:JUN-1:ack", "¿Dónde está?", buttons)

    assert added
    [row] = _rows(session)
    assert row.text == "Recibido: JUN-1\n\n¿Dónde está?"
    assert choices_from_json(row.choices) == buttons


@pytest.mark.parametrize("status", [OutboxStatus.SENDING, OutboxStatus.SENT])
def test_nothing_is_added_to_an_item_already_on_its_way(
    session: Session, status: OutboxStatus
) -> None:
    _line_reply(session, "case:JUN-1:ack", "Recibido: JUN-1")
    [row] = _rows(session)
    row.status = status
    session.add(row)

    assert not add_to_pending(session, "case:JUN-1:ack", "¿Dónde está?")
    assert _rows(session)[0].text == "Recibido: JUN-1"


def test_nothing_is_added_where_it_would_not_stay_one_part(session: Session) -> None:
    _line_reply(session, "case:JUN-1:ack", "a" * 24_990)

    assert not add_to_pending(session, "case:JUN-1:ack", "b" * 20)
    assert not add_to_pending(session, "case:JUN-2:ack", "no such item")
    assert [r.text for r in _rows(session)] == ["a" * 24_990]
