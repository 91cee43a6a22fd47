"""LINE's delivery, through the real line-bot-sdk against the LINE emulator: a fresh reply token
answers for free, a stale one becomes a push with the outbox row's retry key, a 409 on that key
means sent, a failed push is retried with the same key and lands once, a resident who blocked the
account gets nothing, and a reply whose outcome is unknown is never said twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.domain.choices import Choice
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxStatus
from jun_engine.emulator.faults import FaultSpec
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineReplyTokenRow, OutboxRow, ResidentIdentityRow
from tests.channels.line.harness import LineTown
from tests.emulator.line.clients import raw

REPORT = "สวัสดีครับ ไฟถนนหน้าบ้านเลขที่ 12 ดับมาสามคืนแล้ว"
ACK = "เราได้รับเรื่องของคุณแล้ว เลขที่อ้างอิง JUN-26-0001"


@pytest.fixture
def town(engine: Engine, line_emulator: LineEmulator) -> LineTown:
    return LineTown(engine, line_emulator)


def test_a_fresh_token_answers_by_reply_for_free(town: LineTown) -> None:
    # Given a resident's message whose token arrived 10 seconds ago
    user = town.resident()
    message = town.writes(user, REPORT)
    town.step(10)
    item = town.answer(message, ACK, "ack:1", (Choice("5 ★★★★★", data="rate:JUN-26-0001:5"),))
    # When the outbox is drained
    assert town.sender.drain_once() == 1
    # Then LINE replied (free), the token is spent by that item, and the quota meter says 0
    [entry] = town.ledger()
    assert (entry.endpoint, entry.quota_cost, entry.retry_key) == ("reply", 0, None)
    [got] = town.received(user)
    assert got["message"]["text"] == ACK
    assert got["message"]["quickReply"]["items"][0]["action"]["data"] == "rate:JUN-26-0001:5"
    row = town.row(item)
    assert (row.status, row.retry_key) == (OutboxStatus.SENT, None)
    [send] = town.sends()
    assert (send.outbox_id, send.via, send.quota, send.user_id) == (item, "reply", 0, user)
    with Session(town.engine) as session:
        token = session.exec(select(LineReplyTokenRow)).one()
        assert token.used_by == item


def test_a_stale_token_becomes_a_push_with_the_rows_retry_key(town: LineTown) -> None:
    # Given a message answered only after its token went stale (55 s > the 50 s the engine uses)
    user = town.resident()
    message = town.writes(user, REPORT)
    town.step(55)
    item = town.answer(message, ACK, "ack:1")
    # When it is sent
    assert town.sender.drain_once() == 1
    # Then it went as a push carrying the retry key written to its row, costing one message
    row = town.row(item)
    [entry] = town.ledger()
    assert entry.endpoint == "push"
    assert entry.retry_key == row.retry_key is not None
    assert entry.quota_cost == 1
    assert [m["message"]["text"] for m in town.received(user)] == [ACK]
    [send] = town.sends()
    assert (send.via, send.quota) == ("push", 1)


def test_a_token_spent_elsewhere_is_refused_and_the_answer_is_pushed(town: LineTown) -> None:
    # Given a fresh token that something outside the engine already used
    user = town.resident()
    message = town.writes(user, REPORT)
    token = town.token_of(message)
    spent = raw(
        town.line,
        "POST",
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "text", "text": "hola"}]},
    )
    assert spent.status == 200
    item = town.answer(message, ACK, "ack:1")
    # When the engine sends its answer: LINE says "Invalid reply token"
    assert town.sender.drain_once() == 1
    # Then it was pushed instead, once
    assert [e.endpoint for e in town.ledger()] == ["reply", "push"]
    assert town.row(item).status is OutboxStatus.SENT
    assert [m["message"]["text"] for m in town.received(user)] == ["hola", ACK]


def test_a_second_answer_to_one_message_is_pushed(town: LineTown) -> None:
    user = town.resident()
    message = town.writes(user, REPORT)
    town.answer(message, ACK, "ack:1")
    town.answer(message, "ตอบคำถาม", "answer:1")
    assert town.sender.drain_once() == 2
    assert [(e.endpoint, e.quota_cost) for e in town.ledger()] == [("reply", 0), ("push", 1)]


def test_a_409_on_the_retry_key_means_it_was_sent(town: LineTown) -> None:
    # Given a push whose retry key LINE already accepted (the first attempt's answer was lost)
    user = town.resident()
    item = town.dm(user, "แจ้งสถานะ", "status:1")
    key = "0b6a3a5e-6a8e-4c43-9a39-7b2d1c3e9f10"
    with session_scope(town.engine) as session:
        row = session.get(OutboxRow, item)
        assert row is not None
        row.retry_key = key
        session.add(row)
    first = raw(
        town.line,
        "POST",
        "/v2/bot/message/push",
        {"to": user, "messages": [{"type": "text", "text": "แจ้งสถานะ"}]},
        {"X-Line-Retry-Key": key},
    )
    assert first.status == 200
    # When the outbox sends it with the same key
    assert town.sender.drain_once() == 1
    # Then LINE answered 409 and the item is sent, with LINE's accepted request id; one push
    assert town.row(item).status is OutboxStatus.SENT
    assert town.row(item).platform_id == first.headers["x-line-request-id"]
    assert len(town.ledger()) == 1
    assert len(town.received(user)) == 1


@pytest.mark.parametrize(
    "fault",
    [FaultSpec(server_error=1.0), FaultSpec(lost=1.0, lost_status=503)],
    ids=["5xx-nothing-done", "5xx-after-sending"],
)
def test_a_push_answered_5xx_is_retried_with_the_same_key_and_lands_once(
    town: LineTown, fault: FaultSpec
) -> None:
    # Given LINE failing every request with a 503 (before or after carrying it out)
    user = town.resident()
    item = town.dm(user, "แจ้งสถานะ", "status:1")
    town.line.dice.spec = fault
    # When the outbox tries: the 503 leaves the item uncertain, nothing is marked sent
    assert town.sender.drain_once() == 0
    row = town.row(item)
    assert row.status is OutboxStatus.SENDING
    key = row.retry_key
    assert key is not None
    # And LINE recovers, and the sender looks again later
    town.line.dice.spec = FaultSpec()
    town.later()
    assert town.sender.drain_once() == 1
    # Then the retry carried the same key, and the resident has the message exactly once
    assert town.row(item).status is OutboxStatus.SENT
    assert [e.retry_key for e in town.ledger()] == [key]
    assert len(town.received(user)) == 1


def test_a_resident_who_blocked_the_account_is_never_pushed_to(town: LineTown) -> None:
    # Given a resident who unfollowed the town's account after writing
    user = town.resident()
    message = town.writes(user, REPORT)
    with session_scope(town.engine) as session:
        identity = session.exec(
            select(ResidentIdentityRow).where(ResidentIdentityRow.channel == Channel.LINE)
        ).one()
        identity.unreachable_since = town.clock.now()
        session.add(identity)
    reply = town.answer(message, ACK, "ack:1")
    dm = town.dm(user, "แจ้งสถานะ", "status:1")
    # When the outbox is drained
    assert town.sender.drain_once() == 0
    # Then nothing went to LINE and both items failed as unreachable
    assert town.ledger() == []
    for item in (reply, dm):
        assert (town.row(item).status, town.row(item).failure) == (
            OutboxStatus.FAILED,
            "unreachable",
        )


def test_a_reply_lost_while_its_token_lives_is_confirmed_not_repeated(town: LineTown) -> None:
    # Given a reply that LINE carried out but whose answer was lost (a 503 after the work)
    user = town.resident()
    message = town.writes(user, REPORT)
    item = town.answer(message, ACK, "ack:1")
    town.line.dice.spec = FaultSpec(lost=1.0, lost_status=503)
    assert town.sender.drain_once() == 0
    town.line.dice.spec = FaultSpec()
    # When the sender looks again while the token is surely alive
    town.step(10)
    assert town.sender.drain_once() == 1
    # Then the token, refused as spent, proves the reply landed: one reply, no push
    assert [e.endpoint for e in town.ledger()] == ["reply"]
    assert town.row(item).status is OutboxStatus.SENT
    assert len(town.received(user)) == 1


def test_a_reply_of_unknown_fate_after_its_token_may_have_expired_is_never_pushed(
    town: LineTown,
) -> None:
    # Given a reply whose outcome was lost, looked at only after its token may have expired
    user = town.resident()
    message = town.writes(user, REPORT)
    item = town.answer(message, ACK, "ack:1")
    town.line.dice.spec = FaultSpec(lost=1.0, lost_status=503)
    assert town.sender.drain_once() == 0
    town.line.dice.spec = FaultSpec()
    town.step(120)
    # When the sender looks: a 400 could mean spent or expired, a push could say it twice
    town.sender.drain_once()
    # Then it is given up as unconfirmed, and the resident has the one reply that landed
    row = town.row(item)
    assert (row.status, row.failure) == (OutboxStatus.ABANDONED, "unconfirmed")
    assert [e.endpoint for e in town.ledger()] == ["reply"]
    assert len(town.received(user)) == 1


def test_a_long_answer_goes_as_several_text_messages_in_one_request(town: LineTown) -> None:
    user = town.resident()
    message = town.writes(user, REPORT)
    text = "ถนนสายหลักจะปิดซ่อมตั้งแต่วันจันทร์ " * 400  # 14,400 UTF-16 units
    town.answer(message, text, "answer:1")
    assert town.sender.drain_once() == 1
    [entry] = town.ledger()
    assert (entry.endpoint, entry.messages) == ("reply", 3)
    assert "".join(m["message"]["text"] for m in town.received(user)) == text


def test_the_monthly_limit_holds_pushes_without_failing_them(town: LineTown) -> None:
    # Given an account whose month's quota is spent
    user = town.resident()
    town.line.state.quota.charge(200, town.clock.now(), strict=True)
    item = town.dm(user, "แจ้งสถานะ", "status:1")
    # When the outbox tries the push: 429 "You have reached your monthly limit."
    assert town.sender.drain_once() == 0
    # Then nothing was sent, and the item waits (no attempt counted), to go when quota returns
    row = town.row(item)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.not_before is not None
    assert row.not_before - town.clock.now() >= timedelta(minutes=30)
    assert town.ledger() == []
