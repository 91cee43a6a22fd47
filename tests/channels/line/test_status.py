"""Status on LINE, through the production chain, case desk and outbox sender with the real LINE
delivery against the emulator: a resident links their LINE account, reports, hears the
acknowledgement (a free reply), the move to another department, the department's signed answer
and the resolution (pushes, the tokens long gone), is asked to rate 1-5 with quick replies, and
taps a rating: it is recorded, the case closes, and the thanks go back as a free reply."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.cases import actions
from jun_engine.cases.texts import localized
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CaseStatus, OutboxStatus
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.residents.enrolment import enrol
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow
from tests.channels.line.harness import LineDesk
from tests.emulator.line.clients import friend

REQUEST = "ไฟถนนหน้าบ้านเลขที่ 12 ดับมาสามคืนแล้ว มืดมาก"
STAFF_ANSWER = "พรุ่งนี้เช้าทีมไฟฟ้าจะไปเปลี่ยนหลอดให้"


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
