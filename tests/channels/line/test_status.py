"""Status on LINE, through the production chain, case desk and outbox sender with the real LINE
delivery against the emulator: a resident links their LINE account, reports, hears the
acknowledgement (a free reply), the move to another department, the department's signed answer
and the resolution (pushes, the tokens long gone), is asked to rate 1-5 with quick replies, and
taps a rating: it is recorded, the case closes, and the thanks go back as a free reply."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.cases import actions
from jun_engine.cases.texts import localized
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import CaseStatus, OutboxStatus, PollStream
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.pipeline.chain import Chain
from jun_engine.pipeline.process import process_all
from jun_engine.residents.enrolment import enrol
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, LineReplyTokenRow, OutboxRow
from tests.channels.line.harness import LineTown
from tests.emulator.line.clients import admin, friend

REQUEST = "ไฟถนนหน้าบ้านเลขที่ 12 ดับมาสามคืนแล้ว มืดมาก"
STAFF_ANSWER = "พรุ่งนี้เช้าทีมไฟฟ้าจะไปเปลี่ยนหลอดให้"


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[3])


class LineDesk(LineTown):
    """The LINE town with the production chain: what residents write is stored as LINE's
    intake stores it (the message and its reply token in one transaction) and processed."""

    def __init__(self, engine: Engine, line: LineEmulator, config: Config, router: Router):
        super().__init__(engine, line)
        self.config = config
        self.chain = Chain.build(config, router)

    def says(self, user_id: str, text: str) -> None:
        sent = admin(self.line, "POST", f"users/{user_id}/text", {"text": text})
        self._store(user_id, sent, text, None)

    def taps(self, user_id: str, data: str, label: str) -> None:
        sent = admin(self.line, "POST", f"users/{user_id}/postback", {"data": data})
        self._store(user_id, sent, label, data)

    def _store(self, user_id: str, sent: dict[str, str], text: str, action: str | None) -> None:
        platform_id = sent.get("messageId") or sent["webhookEventId"]
        message = InboundMessage(
            channel=Channel.LINE,
            kind=MessageKind.DM,
            platform_id=platform_id,
            account_id=self.bot,
            author_id=user_id,
            text=text,
            created_at=self.clock.now(),
            conversation_id=user_id,
            action=action,
        )
        marker = Checkpoint(self.bot, PollStream.DMS, platform_id, self.clock.now())
        with session_scope(self.engine) as session:
            store_messages(session, [message], marker)
            session.add(
                LineReplyTokenRow(
                    account_id=self.bot,
                    platform_id=platform_id,
                    user_id=user_id,
                    token=sent["replyToken"],
                    received_at=self.clock.now(),
                )
            )

    def turn(self) -> int:
        """Process what came in and send what is due, two seconds later."""
        self.step(2)
        process_all(self.engine, self.clock, self.config, self.chain)
        return self.sender.drain_once()

    def case(self, session: Session) -> CaseRow:
        return session.exec(select(CaseRow)).one()


def test_a_resident_hears_every_step_of_their_case_on_line_and_rates_it(
    engine: Engine, line_emulator: LineEmulator, config: Config, router: Router
) -> None:
    desk = LineDesk(engine, line_emulator, config, router)
    user = friend(line_emulator, "สมชาย ใจดี", language="th")
    with session_scope(engine) as session:
        issued = enrol(
            session,
            config,
            name="สมชาย ใจดี",
            district="Centro",
            now=desk.clock.now(),
            actor="desk",
            language="th",
        )
    # Given a resident who linked their LINE account with the town hall's one-time code
    desk.says(user, issued.code)
    desk.turn()
    # When they report a dark street
    desk.says(user, REQUEST)
    desk.turn()
    with Session(engine) as session:
        case = desk.case(session)
        reference = case.reference
        assert (case.channel, case.status) == (Channel.LINE, CaseStatus.ACKNOWLEDGED)
    # Then the verification and the acknowledgement were free replies
    assert [(e.endpoint, e.quota_cost) for e in desk.ledger()] == [("reply", 0), ("reply", 0)]

    # When staff move the case, answer it, and resolve it, minutes later
    desk.step(600)
    department = next(d for d in config.departments if d != case.department)
    with session_scope(engine) as session:
        now = desk.clock.now()
        case = desk.case(session)
        actions.reroute(session, case, department, None, actor="web:ana", config=config, now=now)
        actions.answer(session, case, STAFF_ANSWER, actor="web:ana", config=config, now=now)
        actions.resolve(session, case, actor="web:ana", config=config, now=now)
    desk.turn()
    # Then the resident heard each in their chat, as pushes (the token had expired)
    texts = [m["message"]["text"] for m in desk.received(user)]
    name = localized(config.departments[department].name, "th", config)
    moved, answered, resolved, survey = texts[2:]
    assert reference in moved
    assert name in moved
    assert answered.startswith(STAFF_ANSWER)
    assert answered.endswith(f"— {name} ({reference})")
    assert reference in resolved
    assert reference in survey
    assert [e.endpoint for e in desk.ledger()[2:]] == ["push"] * 4
    # And the survey offers five quick-reply buttons that send the rating back
    [last] = [m for m in desk.received(user) if m["message"]["text"] == survey]
    items = last["message"]["quickReply"]["items"]
    datas = [item["action"]["data"] for item in items]
    assert datas == [f"rate:{reference}:{n}" for n in range(1, 6)]

    # When the resident taps 4
    desk.taps(user, f"rate:{reference}:4", items[3]["action"]["label"])
    desk.turn()
    # Then the rating is on the case, which closes, and the thanks were a free reply
    with Session(engine) as session:
        case = desk.case(session)
        assert (case.satisfaction, case.status) == (4, CaseStatus.CLOSED)
        rows = session.exec(select(OutboxRow).where(OutboxRow.channel == Channel.LINE)).all()
    assert (desk.ledger()[-1].endpoint, desk.ledger()[-1].quota_cost) == ("reply", 0)
    assert "4/5" in desk.received(user)[-1]["message"]["text"]
    # And every LINE item was sent once, privately; the quota spent is the four pushes
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.private for row in rows)
    assert sum(send.quota for send in desk.sends()) == 4
    assert len(desk.ledger()) == len(rows) == 7
