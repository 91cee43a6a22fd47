"""A segmented notice to 3,000 residents on the emulator's clock: sent at the DM limit's rate
(15 per 15 minutes) within its share of each day (1,080 of the app's 1,440, the rest kept for
residents), spread over three days, finished when its ETA said, with no 429 and nobody served
twice; an emergency queued half-way goes out before the rest."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jun_engine.channels.x.delivery import XDelivery, gateways_for
from jun_engine.channels.x.limits import X_LIMITS
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.wire import Exchange
from jun_engine.outbox.progress import batch_progress
from jun_engine.outbox.sender import OutboxSender
from jun_engine.scheduling.alerts import raise_alert
from jun_engine.scheduling.notice_queue import dm_prefix
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.scheduling.scheduler import Scheduler
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow
from tests.scheduling.residents import enrol_verified

RESIDENTS = 3_000
OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
STEP = timedelta(seconds=90)
"""A notice's DM waits 90 s after the account's last DM: the sender sends the next one as soon
as the clock reaches it."""


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_notice_to_3000_residents_runs_at_the_dm_limit_with_emergencies_first(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    config = x_emulator_config
    clock = x_emulator.clock
    start = clock.now()
    answers: Counter[int] = Counter()
    x_emulator.observe(lambda exchange: _count(answers, exchange))
    # Given 3,000 verified residents opted in to water cuts, 20 of them in Los Llanos
    enrol_verified(
        engine, x_emulator, start, count=RESIDENTS - 20, district="Centro", topics=["water_cuts"]
    )
    llanos = enrol_verified(
        engine,
        x_emulator,
        start,
        count=20,
        district="Los Llanos",
        topics=["water_cuts"],
        first=RESIDENTS,
    )
    # When a water-cut notice to all of them comes due
    with session_scope(engine) as session:
        notice = add_notice(
            session,
            config,
            NoticeRequest("Corte de agua el jueves de 9:00 a 13:00", dm=True, topic="water_cuts"),
            start,
        )
    Scheduler(engine, config, clock).tick()
    with session_scope(engine) as session:
        promised = batch_progress(session, dm_prefix(notice), start, {Channel.X: X_LIMITS})
    assert promised.total == RESIDENTS
    assert promised.eta is not None
    # 10 notice DMs per 15 minutes (5 of the 15 are kept for answers): 75 hours for 3,000
    assert timedelta(days=3) < promised.eta - start < timedelta(days=3, hours=6)
    with session_scope(engine) as session:
        held = session.execute(sa.select(OUTBOX.c.not_before)).scalars().all()
    utc = start.astimezone(UTC).replace(tzinfo=None)  # SQLite gives UTC back, naive
    days = Counter(0 if t is None else (t.replace(tzinfo=None) - utc).days for t in held)
    assert days == Counter({0: 1_080, 1: 1_080, 2: 840})
    gateways = gateways_for(config, x_emulator.credentials_env(), x_emulator.base_url)
    sender = OutboxSender(engine, {Channel.X: XDelivery(engine, gateways, config, clock)}, clock)
    town = config.town_account().user_id
    alert_at = None
    try:
        while True:
            sender.drain_once()
            sent = _sent(engine)
            if sent[notice] == RESIDENTS:
                break
            if alert_at is None and sent[notice] >= RESIDENTS // 2:
                # And half-way, an emergency for Los Llanos is raised
                alert_at = clock.now()
                with session_scope(engine) as session:
                    raise_alert(
                        session,
                        config,
                        "Rotura de tubería: no beban agua del grifo",
                        alert_at,
                        dm=True,
                        districts=["Los Llanos"],
                    )
            x_emulator.step(STEP.total_seconds())
    finally:
        for gateway in gateways.values():
            gateway.close()
    dms = [e for e in x_emulator.state.dms_sent_by(town) if e.created_at >= start]
    notice_dms = [e for e in dms if e.text.startswith("Corte de agua")]
    alert_dms = [e for e in dms if "Rotura de tubería" in e.text]
    # Then every resident got the notice exactly once, and nobody got it twice
    recipients = Counter(e.recipient_id for e in notice_dms)
    assert len(recipients) == RESIDENTS
    assert max(recipients.values()) == 1
    # And X never answered 429
    assert answers[429] == 0
    # And the limit was used in full: never more than 15 in 15 minutes, and the whole batch
    # took as long as the ETA shown when it was queued said (within 5%)
    times = sorted(e.created_at for e in dms)
    assert all(b - a >= timedelta(minutes=15) for a, b in zip(times, times[15:], strict=False))
    taken = (max(e.created_at for e in notice_dms) - start).total_seconds()
    promised_seconds = (promised.eta - start).total_seconds()
    assert abs(taken - promised_seconds) / promised_seconds <= 0.05
    # And the emergency DMs all went out before any notice DM queued after it was raised
    assert alert_at is not None
    assert len(alert_dms) == len(llanos)
    last_alert = max(int(e.id) for e in alert_dms)
    after_alert = [int(e.id) for e in notice_dms if e.created_at > alert_at]
    assert after_alert
    assert last_alert < min(after_alert)


def _sent(engine: Engine) -> Counter[int]:
    """Sent DMs per notice, from the outbox keys (`notice-dm:<notice>:<resident>`)."""
    with session_scope(engine) as session:
        keys = session.execute(
            sa.select(OUTBOX.c.idempotency_key).where(
                OUTBOX.c.status == OutboxStatus.SENT, OUTBOX.c.kind == OutboxKind.DM
            )
        ).scalars()
        return Counter(int(key.split(":")[1]) for key in keys)


def _count(answers: Counter[int], exchange: Exchange) -> None:
    answers[exchange.status] += 1
