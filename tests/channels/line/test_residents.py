"""Residents on LINE through the real webhook: a follow queues a welcome in the account's language
(a reply to the follow event), an unfollow marks a bound identity unreachable, and a LINE user
who sends the one-time code from the town hall in chat is bound as that resident's LINE identity,
beside their X one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from jun_engine.channels.line.events import Unfollow
from jun_engine.channels.line.follow import on_unfollow
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import MessageStatus, OutboxKind
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.residents.enrolment import enrol, issue_code
from jun_engine.residents.repository import identity_row, row_by_id, verified_row
from jun_engine.residents.verification import bind
from jun_engine.routing.setup import build_router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import InboundMessageRow, LineReplyTokenRow, OutboxRow
from tests.channels.line.conftest import Served
from tests.emulator.line.clients import admin, friend

REPO = Path(__file__).resolve().parents[3]


def outbox(served: Served) -> list[OutboxRow]:
    with Session(served.engine) as session:
        return list(session.exec(select(OutboxRow)).all())


def test_a_follow_queues_one_welcome_as_a_reply_to_the_follow_event(
    line_emulator: LineEmulator, served: Served
) -> None:
    # Given someone who has not added the account yet
    user = friend(line_emulator, "สมชาย", following=False)
    # When they add it (and LINE delivers the follow twice)
    admin(line_emulator, "POST", "faults", {"spec": "dup=1"})
    follow = admin(line_emulator, "POST", f"users/{user}/follow")
    assert line_emulator.wait_webhooks()
    # Then one welcome is queued: a reply to the follow event, in the account's language (Thai),
    # saying how to link to the register with a one-time code
    (welcome,) = outbox(served)
    assert welcome.channel == Channel.LINE
    assert (welcome.kind, welcome.target) == (OutboxKind.REPLY, follow["webhookEventId"])
    assert welcome.account_id == line_emulator.state.channel.bot_user_id
    assert "รหัสใช้ครั้งเดียว" in welcome.text
    assert "ฝ่ายทะเบียนศาลากลาง" in welcome.text  # Jun's office, as accounts.yaml says it in Thai
    # And the delivery will find the follow's reply token under the event id
    with Session(served.engine) as session:
        token = session.exec(select(LineReplyTokenRow)).one()
        assert session.exec(select(InboundMessageRow)).all() == []  # not a chain message
    assert (token.platform_id, token.token) == (follow["webhookEventId"], follow["replyToken"])


def test_unfollow_marks_a_bound_identity_unreachable_and_a_follow_clears_it(
    line_emulator: LineEmulator, served: Served
) -> None:
    # Given a resident whose LINE identity is bound
    user = friend(line_emulator, "Lola")
    identity = Identity(Channel.LINE, user)
    with session_scope(served.engine) as session:
        issued = enrol(
            session,
            served.config,
            name="Lola García",
            district="Centro",
            now=line_emulator.clock.now(),
            actor="desk",
        )
        resident = row_by_id(session, issued.resident_id)
        bind(session, resident, identity, now=line_emulator.clock.now())
    # When she blocks the account
    admin(line_emulator, "POST", f"users/{user}/unfollow")
    assert line_emulator.wait_webhooks()
    with Session(served.engine) as session:
        row = identity_row(session, identity)
        assert row is not None
        assert row.unreachable_since == line_emulator.clock.now()
    # When she unblocks it a minute later
    line_emulator.step(60)
    admin(line_emulator, "POST", f"users/{user}/follow")
    assert line_emulator.wait_webhooks()
    # Then she is reachable again and welcomed back (no code asked of her)
    with Session(served.engine) as session:
        row = identity_row(session, identity)
        assert row is not None
        assert row.unreachable_since is None
    (welcome,) = outbox(served)
    assert "รหัส" not in welcome.text


def test_a_line_user_sends_the_code_in_chat_and_is_bound_as_a_line_identity(
    line_emulator: LineEmulator, served: Served
) -> None:
    config = served.config
    chain = Chain.build(config, build_router(config, REPO))
    # Given a resident verified on X, who asks the town hall for a code to link LINE as well
    with session_scope(served.engine) as session:
        now = line_emulator.clock.now()
        issued = enrol(session, config, name="Nok", district="Centro", now=now, actor="desk")
        resident = row_by_id(session, issued.resident_id)
        bind(session, resident, Identity(Channel.X, "777001"), now=now)
        issued = issue_code(session, config, issued.resident_id, now=now, actor="desk")
    # When she sends that code in the LINE chat
    user = friend(line_emulator, "Nok")
    sent = admin(line_emulator, "POST", f"users/{user}/text", {"text": f"รหัส {issued.code}"})
    assert line_emulator.wait_webhooks()
    assert process_all(served.engine, line_emulator.clock, config, chain) == 1
    # Then her LINE identity is bound to her, beside her X one, and the code is not kept
    with Session(served.engine) as session:
        on_line = verified_row(session, Identity(Channel.LINE, user))
        on_x = verified_row(session, Identity(Channel.X, "777001"))
        message = session.exec(select(InboundMessageRow)).one()
    assert on_line is not None
    assert on_x is not None
    assert on_line.id == on_x.id == issued.resident_id
    assert message.status == MessageStatus.PROCESSED
    assert message.platform_id == sent["messageId"]
    assert issued.code not in message.text
    assert issued.code not in message.raw
    # And she is told so privately, from the official account, on LINE
    (confirmation,) = outbox(served)
    assert (confirmation.channel, confirmation.private) == (Channel.LINE, True)
    assert confirmation.account_id == line_emulator.state.channel.bot_user_id


def test_reachability_is_the_users_latest_word_on_any_of_the_towns_accounts(
    line_emulator: LineEmulator, served: Served
) -> None:
    # Given a resident bound on LINE who wrote to the town's second account a minute ago
    user = friend(line_emulator, "Lola")
    identity = Identity(Channel.LINE, user)
    now = line_emulator.clock.now()
    with session_scope(served.engine) as session:
        issued = enrol(
            session, served.config, name="Lola García", district="Centro", now=now, actor="desk"
        )
        bind(session, row_by_id(session, issued.resident_id), identity, now=now)
        session.add(
            LineReplyTokenRow(
                account_id="U" + "0" * 32, platform_id="m-1", user_id=user, token="t" * 32,
                received_at=now + timedelta(minutes=1),
            )
        )  # fmt: skip
    # When an older unfollow of the first account arrives (LINE delivered it late)
    with session_scope(served.engine) as session:
        on_unfollow(session, Unfollow(user, "e-1", now))
    # Then she stays reachable: she spoke after it, on another of the town's accounts
    with Session(served.engine) as session:
        row = identity_row(session, identity)
        assert row is not None
        assert row.unreachable_since is None
    # When she blocks an account after that, she is pushed nothing until she follows again
    with session_scope(served.engine) as session:
        on_unfollow(session, Unfollow(user, "e-2", now + timedelta(minutes=2)))
    with Session(served.engine) as session:
        row = identity_row(session, identity)
        assert row is not None
        assert row.unreachable_since == now + timedelta(minutes=2)
