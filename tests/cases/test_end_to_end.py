"""End to end against the emulator's simulated town, with the real outbox sender: every verified
request becomes a case, every resident gets exactly one acknowledgement on X, staff replies in
threads close the loop, and unanswered cases go overdue and escalate on the emulator's clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.cases.sla import missed_target
from jun_engine.channels.x.delivery import gateways_for
from jun_engine.channels.x.gateway import XGateway
from jun_engine.config.schema import Config
from jun_engine.domain.cases import OPEN_STATUSES
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import CaseStatus, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.town import SimulatedTown
from jun_engine.residents.verification import bind
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseEventRow, CaseRow, InboundMessageRow, OutboxRow, ResidentRow
from tests.cases.loop import Loop


@pytest.fixture
def gateways(x_emulator: Emulator, config: Config) -> Iterator[dict[str, XGateway]]:
    built = gateways_for(config, x_emulator.credentials_env(), x_emulator.base_url)
    yield built
    for gateway in built.values():
        gateway.close()


def on_x(emulator: Emulator, what: str, **query: str) -> list[dict[str, str]]:
    response = httpx.get(f"{emulator.base_url}/_emulator/{what}", params=query)
    response.raise_for_status()
    return response.json()[what]  # type: ignore[no-any-return]


@pytest.mark.slow
def test_the_simulated_town_is_served_end_to_end(
    engine: Engine,
    config: Config,
    router: Router,
    x_emulator: Emulator,
    gateways: dict[str, XGateway],
) -> None:
    # Given a town of verified residents writing about 8 requests an hour, staff answering some
    town = SimulatedTown(
        config,
        seed=7,
        rate_per_hour=8,
        verified_share=1.0,
        population=25,
        emergency_share=0.0,
        hostile_share=0.1,
        reply_share=0.6,
        reply_delay=(timedelta(minutes=5), timedelta(minutes=40)),
        outage_after=None,
    )
    x_emulator.attach_town(town)
    x_emulator.advance_town()
    with session_scope(engine) as session:
        for resident in town.residents:
            row = ResidentRow(
                name=resident.name,
                district="Centro",
                language=resident.language,
                enrolled_at=x_emulator.clock.now(),
            )
            session.add(row)
            session.flush()
            account = Identity(Channel.X, resident.user_id, resident.handle)
            bind(session, row, account, now=x_emulator.clock.now())
    loop = Loop(engine, config, router, x_emulator, gateways)

    # When the engine runs for two emulated hours, a pass a minute (DMs every 2 minutes)
    for minute in range(120):
        x_emulator.step(60)
        loop.turn(read_dms=minute % 2 == 0)
    for _ in range(4):  # then two more hours in half-hour passes: unanswered cases go overdue
        x_emulator.step(1800)
        loop.turn()
    escalated_at = x_emulator.clock.now()  # the desk's last look at what is overdue
    sent, staff_replies = list(town.sent), list(town.staff_replies)  # what the engine has read
    for _ in range(6):  # and the last escalations go out, at the town account's DM pace
        x_emulator.clock.step(timedelta(minutes=15))
        loop.sender.drain_once()

    assert len(sent) >= 8
    with session_scope(engine) as session:
        cases = session.exec(select(CaseRow)).all()
        by_platform = {m.platform_id: m for m in session.exec(select(InboundMessageRow)).all()}
        case_of = {c.message_id: c for c in cases}
        # Then every request became exactly one case, most at the department it meant
        opened = [case_of[by_platform[s.platform_id].id] for s in sent]
        assert len(cases) == len(sent)
        right = sum(c.department == s.department for c, s in zip(opened, sent, strict=True))
        assert right / len(sent) >= 0.7
        # And every acknowledgement was sent exactly once
        acks = [
            r for r in session.exec(select(OutboxRow)).all() if r.idempotency_key.endswith(":ack")
        ]
        assert Counter(r.case_id for r in acks) == Counter(c.id for c in cases)
        assert {r.status for r in acks} == {OutboxStatus.SENT}
        # And staff replies seen on the departments' timelines are on their cases
        recorded = session.exec(
            select(CaseEventRow).where(CaseEventRow.kind == "staff_reply")
        ).all()
        assert {e.ref for e in recorded} == {r.post_id for r in staff_replies}
        resolved = {c.id for c in cases if c.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)}
        assert len(resolved) == sum(r.resolved for r in staff_replies)
        # And the cases nobody answered in time escalated, their DMs sent on the emulator's clock
        overdue = [c for c in cases if c.status in OPEN_STATUSES and missed_target(c, escalated_at)]
        escalations = [
            r for r in session.exec(select(OutboxRow)).all() if ":escalate:" in r.idempotency_key
        ]
        assert overdue
        assert {r.case_id for r in escalations} >= {c.id for c in overdue}
        assert {r.status for r in escalations} == {OutboxStatus.SENT}
    # And on X, each resident's message got exactly one acknowledgement with its reference
    engine_ids = {a.user_id for a in config.accounts.values()}
    posts = [p for a in engine_ids for p in on_x(x_emulator, "posts", author=a)]
    dms = [d for a in engine_ids for d in on_x(x_emulator, "dms", sender=a)]
    for case in cases:
        found = [p for p in posts if case.reference in p["text"]]
        found += [
            d
            for d in dms
            if case.reference in d["text"] and d.get("recipient_id") == case.author_id
        ]
        acknowledgements = [x for x in found if "survey" not in x["text"]]
        assert acknowledgements, case.reference
