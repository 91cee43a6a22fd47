"""A burst against the emulator: 200 residents report one power cut within 10 minutes. The desk
groups them into one incident, posts about it once, and answers every resident with one reply
(the short one, naming the incident, once it is known), all within X's write limits: no 429."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.cases.incidents import link_incidents
from jun_engine.channels.x.delivery import gateways_for
from jun_engine.channels.x.gateway import XGateway
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.wire import Exchange
from jun_engine.residents.verification import bind
from jun_engine.routing.router import Router
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, IncidentRow, OutboxRow, ResidentRow
from tests.cases.loop import Loop
from tests.cases.test_incidents import OUTAGE, STREETS

REPORTS = 200
BURST = timedelta(minutes=10)
TURN = timedelta(seconds=15)
"""An engine pass every 15 emulated seconds; 5 reports arrive between two passes."""


@pytest.fixture
def gateways(x_emulator: Emulator, config: Config) -> Iterator[dict[str, XGateway]]:
    built = gateways_for(config, x_emulator.credentials_env(), x_emulator.base_url)
    yield built
    for gateway in built.values():
        gateway.close()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_200_reports_of_one_outage_in_10_minutes_are_one_incident_answered_within_the_limits(
    engine: Engine,
    config: Config,
    router: Router,
    x_emulator: Emulator,
    gateways: dict[str, XGateway],
) -> None:
    statuses: Counter[int] = Counter()
    x_emulator.observe(lambda exchange: _count(statuses, exchange))
    town = config.town_account()
    start = x_emulator.clock.now()
    # Given 200 verified residents
    authors = []
    with session_scope(engine) as session:
        for n in range(REPORTS):
            user = x_emulator.state.add_user(f"vecina_{n}", f"Vecina {n}")
            row = ResidentRow(name=user.name, district="Centro", language="es", enrolled_at=start)
            session.add(row)
            session.flush()
            bind(session, row, Identity(Channel.X, user.id, user.username), now=start)
            authors.append(user.id)
    loop = Loop(engine, config, router, x_emulator, gateways)

    # When they all report the power cut to @AytoJun within 10 minutes, the engine passing every
    # 15 s and the desk linking incidents at each pass, then 30 more minutes of passes
    per_turn = REPORTS * TURN // BURST
    for turn in range(int((BURST + timedelta(minutes=30)) / TURN)):
        for n in range(turn * per_turn, min((turn + 1) * per_turn, REPORTS)):
            text = OUTAGE[n % len(OUTAGE)].format(street=STREETS[n // len(OUTAGE) % len(STREETS)])
            x_emulator.state.create_post(authors[n], f"@{town.handle} {text}")
        x_emulator.step(TURN.total_seconds())
        loop.turn(read_dms=False)
        with session_scope(engine) as session:
            link_incidents(session, config, x_emulator.clock.now())

    with session_scope(engine) as session:
        cases = session.exec(select(CaseRow)).all()
        incidents = session.exec(select(IncidentRow)).all()
        rows = session.exec(select(OutboxRow)).all()
    # Then every report is a case, and all of them one incident
    assert len(cases) == REPORTS
    (incident,) = incidents
    assert Counter(case.incident_id for case in cases) == Counter({incident.id: REPORTS})
    # And the town posted about the incident once, tagging the utility
    posts = [r for r in rows if r.idempotency_key.startswith(f"incident:{incident.id}:")]
    assert sorted(r.idempotency_key for r in posts) == [f"incident:{incident.id}:tag"]
    # And every resident got one reply, sent; once the incident was known, the short one
    replies = [r for r in rows if r.idempotency_key.endswith(":ack")]
    assert len(replies) == REPORTS
    assert {r.status for r in replies} == {OutboxStatus.SENT}
    short = [r for r in replies if r.text.startswith("Ya nos han avisado de esto")]
    assert len(short) >= REPORTS - 2 * config.routing.incident_min_reports - per_turn
    # And X never answered 429, and no account posted more than 100 in any 15 minutes
    assert statuses[429] == 0
    sent = sorted(r.sent_at for r in rows if r.sent_at is not None and r.kind is not OutboxKind.DM)
    window = [b - a for a, b in zip(sent, sent[100:], strict=False)]
    assert all(gap >= timedelta(minutes=15) for gap in window)
    # And everything was out before the 30 minutes were up
    assert max(sent) - start <= BURST + timedelta(minutes=30)


def _count(statuses: Counter[int], exchange: Exchange) -> None:
    statuses[exchange.status] += 1
