"""LINE's quota on the free plan (200 a month) against the emulator: notices are held as it runs
low while an emergency still goes, the warning is logged and shown in `status`, a plan LINE does
not confirm is reported, and the outbox holds a status update while answers still go."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from jun_engine.channels.line.casting import LineCaster
from jun_engine.channels.line.client import LineClients
from jun_engine.channels.line.month import LINE_ZONE
from jun_engine.channels.line.quota import LineQuotaGate, QuotaWatch, record_spend
from jun_engine.cli.app import app
from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CastKind, CastStatus, OutboxKind, OutboxStatus
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.testing import SHIPPED_CONFIG, TEST_START
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.outbox.sender import OutboxSender
from jun_engine.scheduling.alerts import raise_alert
from jun_engine.scheduling.line_casts import cast_progress
from jun_engine.scheduling.notice_queue import queue_due_notices
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.service.report import intake_report
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineCastRow, LineReplyTokenRow, OutboxRow, ScheduledItemRow
from tests.channels.line.extras import LINE_KEY, line_account_of, town_with_line
from tests.channels.line.harness import LineTown
from tests.channels.line.residents import enrol_on_line
from tests.channels.memory import MemoryChannel
from tests.daemon.harness import CONFIG

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_as_the_free_quota_runs_out_notices_wait_and_the_emergency_goes(
    line_emulator: LineEmulator,
    town_config: Config,
    engine: Engine,
    clients: LineClients,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert town_config.line is not None
    now = line_emulator.clock.now()
    enrol_on_line(engine, line_emulator, now, count=40)
    # Given five notices to every friend (40 each) on the free plan (200 a month)
    with session_scope(engine) as session:
        for n in range(5):
            request = NoticeRequest(text=f"Aviso {n}: pleno el jueves.", channels=(Channel.LINE,))
            add_notice(session, town_config, request, now)
    with session_scope(engine) as session:
        queue_due_notices(session, town_config, now)
    send = LineCaster(engine, {LINE_KEY: clients}, town_config.line.accounts, line_emulator.clock)
    # When they are sent
    with caplog.at_level(logging.WARNING):
        assert send.drain_once() == 4
    # Then four went (160 messages) and the fifth waits: the last 40 are kept for more urgent
    # messages, and the town was warned at 80 %
    rows = _casts(engine)
    assert [r.status for r in rows] == [CastStatus.SENT] * 4 + [CastStatus.PENDING]
    assert "LINE quota" in str(rows[4].last_error)
    assert any("160 of this month's 200 messages used" in r.message for r in caplog.records)
    # When an emergency is raised
    with session_scope(engine) as session:
        raise_alert(session, town_config, "Incendio forestal: no salgan de casa.", now)
    assert send.drain_once() == 1
    # Then it went to everyone, using the reserve; the notice still waits
    rows = _casts(engine)
    assert (rows[5].how, rows[5].priority, rows[5].status) == (
        CastKind.BROADCAST,
        Priority.EMERGENCY,
        CastStatus.SENT,
    )
    assert rows[4].status is CastStatus.PENDING
    assert line_emulator.state.quota.used(now) == 200
    assert [e.endpoint for e in line_emulator.state.ledger.page(0, 100)] == ["broadcast"] * 5
    # And `status` shows the month: used, cap, plan and the warning
    with session_scope(engine) as session:
        report = intake_report(session, {}, now, line_accounts=town_config.line.accounts)
    assert report.to_json()["line_quota"] == [
        {
            "account": LINE_KEY,
            "plan": "free",
            "used": 200,
            "cap": 200,
            "reported_limit": 200,
            "reported_at": now.isoformat(),
            "warning": "200 of this month's 200 messages used (warning at 80%): notices are "
            "held first as it runs out",
        }
    ]


def test_a_plan_line_does_not_confirm_is_reported_and_its_limit_kept(
    line_emulator: LineEmulator,
    engine: Engine,
    clients: LineClients,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given accounts.yaml says Light (5,000) but the account dropped to the free plan (200)
    config = town_with_line(line_emulator, plan="light")
    assert config.line is not None
    now = line_emulator.clock.now()
    # When the daily check reads LINE's quota
    watch = QuotaWatch({LINE_KEY: clients}, config.line.accounts)
    with caplog.at_level(logging.WARNING):
        assert watch.housekeep(engine, now) == 1
    # Then the town is warned, and the cap in force is LINE's
    assert any("LINE reports 200 messages a month" in r.message for r in caplog.records)
    with session_scope(engine) as session:
        report = intake_report(session, {}, now, line_accounts=config.line.accounts)
    [quota] = report.line_quota
    assert (quota.cap, quota.reported_limit, quota.plan) == (200, 200, "light")
    assert quota.warning is not None
    assert "plan 'light'" in quota.warning
    # And within the hour LINE is not read again
    assert watch.housekeep(engine, now + timedelta(minutes=30)) == 0


class LineMemory(MemoryChannel):
    """The in-memory channel sending as the town's LINE account."""

    def __init__(self, engine: Engine, line: LineEmulator, account_id: str) -> None:
        super().__init__(engine, line.clock)
        self.account_id = account_id

    def accounts(self) -> frozenset[str]:
        return frozenset({self.account_id})


def test_the_outbox_holds_a_status_update_while_answers_and_emergencies_go(
    line_emulator: LineEmulator, town_config: Config, engine: Engine
) -> None:
    assert town_config.line is not None
    account = line_account_of(town_config)
    town = account.bot_user_id
    now = line_emulator.clock.now()
    # Given 185 of the month's 200 messages spent
    with session_scope(engine) as session:
        record_spend(session, account, 185, now)
        _token(session, town, "msg-stale", now - timedelta(minutes=5))
        _token(session, town, "msg-fresh", now)
        queued = [
            ("status", OutboxKind.DM, "U" + "1" * 32, Priority.ACK),
            ("answer-stale", OutboxKind.REPLY, "msg-stale", Priority.ACK),
            ("answer-fresh", OutboxKind.REPLY, "msg-fresh", Priority.DEFAULT),
            ("emergency", OutboxKind.DM, "U" + "2" * 32, Priority.EMERGENCY),
        ]
        for key, kind, target, priority in queued:
            enqueue(
                session, key=key, account_id=town, kind=kind, text=f"{key} text", target=target,
                priority=priority, channel=Channel.LINE,
            )  # fmt: skip
    channel = LineMemory(engine, line_emulator, town)
    gate = LineQuotaGate(town_config.line.accounts)
    gates = {Channel.LINE: gate}
    sender = OutboxSender(engine, {Channel.LINE: channel}, line_emulator.clock, gates=gates)
    # When the outbox drains
    sender.drain_once()
    # Then the emergency, the answer whose token expired (a push: 5 % kept for emergencies
    # still leaves room) and the free reply went; the status update (10 % kept) waits
    assert [item.key for _, item in channel.sent] == ["emergency", "answer-stale", "answer-fresh"]
    with session_scope(engine) as session:
        held = session.exec(select(OutboxRow).where(OutboxRow.idempotency_key == "status")).one()
    assert held.status is OutboxStatus.PENDING
    assert held.attempts == 0
    assert held.not_before is not None
    assert held.not_before > now
    assert "LINE quota" in str(held.last_error)


def test_a_cases_news_and_survey_wait_where_an_answer_still_goes(
    line_emulator: LineEmulator, town_config: Config, engine: Engine
) -> None:
    assert town_config.line is not None
    town = LineTown(engine, line_emulator)
    lola, aiko = town.resident("Lola"), town.resident("愛子")
    first, second = (town.writes(user, "La farola está fundida") for user in (lola, aiko))
    town.step(120)  # their reply tokens are gone: whatever answers them is a push
    # Given 178 of the month's 200 spent, and, as the case desk queues them on LINE (every one
    # a reply to the report), Lola's case resolved: the news and the survey (Priority.NOTICE);
    # then the department's answer to Aiko (Priority.ACK)
    with session_scope(engine) as session:
        record_spend(session, line_account_of(town_config), 178, town.clock.now())
        queued = [
            ("case:JUN-2026-000001:resolved", first, Priority.NOTICE),
            ("case:JUN-2026-000001:survey", first, Priority.NOTICE),
            ("case:JUN-2026-000002:answer:1", second, Priority.ACK),
        ]
        for key, target, priority in queued:
            enqueue(
                session, key=key, account_id=town.bot, kind=OutboxKind.REPLY, text=key,
                target=target, priority=priority, private=True, channel=Channel.LINE,
            )  # fmt: skip
    gates = {Channel.LINE: LineQuotaGate(town_config.line.accounts)}
    sender = OutboxSender(engine, {Channel.LINE: town.delivery}, town.clock, gates=gates)
    # When the outbox drains
    sender.drain_once()
    # Then the answer went, and the news as far as status updates may go (10 % of the month is
    # kept for answers and emergencies): the survey waits, a status update though a reply
    assert [m["message"]["text"] for m in town.received(aiko)] == ["case:JUN-2026-000002:answer:1"]
    assert [m["message"]["text"] for m in town.received(lola)] == ["case:JUN-2026-000001:resolved"]
    assert [e.endpoint for e in town.ledger()] == ["push", "push"]
    with session_scope(engine) as session:
        survey = session.exec(
            select(OutboxRow).where(OutboxRow.idempotency_key == "case:JUN-2026-000001:survey")
        ).one()
        assert (survey.status, survey.attempts) == (OutboxStatus.PENDING, 0)
        assert "LINE quota: 0 message(s) left for status updates" in str(survey.last_error)


def _token(session: Session, account_id: str, platform_id: str, at: datetime) -> None:
    session.add(
        LineReplyTokenRow(
            account_id=account_id, platform_id=platform_id, user_id="U" + "3" * 32,
            token=f"token-{platform_id}", received_at=at,
        )
    )  # fmt: skip


def _casts(engine: Engine) -> list[LineCastRow]:
    with session_scope(engine) as session:
        rows = list(session.exec(select(LineCastRow).order_by(col(LineCastRow.id))).all())
        for row in rows:
            session.expunge(row)
    return rows


def test_jun_engine_status_prints_each_line_accounts_month(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    # Given a town with a LINE account on the free plan that spent 170 messages this month
    config_file = tmp_path / "accounts.yaml"
    config_file.write_text(CONFIG.read_text(encoding="utf-8") + LINE_SECTION, encoding="utf-8")
    town = load_config(config_file).config
    assert town.line is not None
    with session_scope(engine) as session:
        record_spend(session, town.line.accounts["hatyai"], 170, TEST_START)
    # When `jun-engine status` runs
    result = CliRunner().invoke(app, ["-c", str(config_file), "--db", db_url, "status"])
    # Then it shows the month's use of the cap, the plan and the warning
    assert result.exit_code == 0, result.output
    assert "LINE hatyai: 170 / 200 messages this month (plan free)" in result.output
    assert "WARNING: 170 of this month's 200 messages used (warning at 80%)" in result.output


LINE_SECTION = """
line:
  accounts:
    hatyai:
      channel_id: "1650000001"
      bot_user_id: Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      channel_secret_env: JUN_LINE_SECRET
      access_token_env: JUN_LINE_TOKEN
      plan: free
"""


def test_an_emergency_the_quota_cannot_carry_to_everyone_reaches_as_many_as_it_can(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    assert town_config.line is not None
    now = line_emulator.clock.now()
    friends = enrol_on_line(engine, line_emulator, now, count=40)
    # Given 180 of the free plan's 200 messages already spent (from LINE's own console)
    line_emulator.state.quota.charge(180, now)
    send = LineCaster(engine, {LINE_KEY: clients}, town_config.line.accounts, line_emulator.clock)
    # When an emergency is raised: LINE refuses a broadcast to all 40 friends
    with session_scope(engine) as session:
        raise_alert(session, town_config, "Riada: suban a los pisos altos.", now)
    send.drain_once()
    send.drain_once()
    line_emulator.step(3)
    send.drain_once()
    # Then it went as a narrowcast to as many friends as the quota still allowed
    [row] = _casts(engine)
    assert (row.how, row.status, row.delivered) == (CastKind.NARROWCAST, CastStatus.SENT, 20)
    assert line_emulator.state.quota.used(now) == 200
    reached = [line_emulator.state.friends.get(u) for u in friends]
    assert sum(len(f.received) for f in reached if f is not None) == 20


WATER_CUT = NoticeRequest(
    text="Corte de agua el jueves de 9:00 a 12:00.",
    dm=True,
    topic="water_cuts",
    channels=(Channel.LINE,),
)


def test_a_multicast_goes_as_far_as_the_quota_allows_and_the_rest_next_month(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    assert town_config.line is not None
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=150)
    # Given 100 of the free plan's 200 messages already spent this month
    with session_scope(engine) as session:
        record_spend(session, line_account_of(town_config), 100, now)
    # When a water-cut notice to the 150, valid for weeks, comes due and is sent
    request = replace(WATER_CUT, until=now + timedelta(days=40))
    with session_scope(engine) as session:
        notice_id = add_notice(session, town_config, request, now)
    with session_scope(engine) as session:
        queue_due_notices(session, town_config, now)
    send = LineCaster(engine, {LINE_KEY: clients}, town_config.line.accounts, line_emulator.clock)
    assert send.drain_once() == 1
    # Then the 60 the quota has room for (200 - 100 spent - 40 kept for urgent ones) got it,
    # and the other 90 wait in a cast of their own, saying why
    first, rest = _casts(engine)
    assert (len(first.recipients.splitlines()), first.status) == (60, CastStatus.SENT)
    assert (len(rest.recipients.splitlines()), rest.status) == (90, CastStatus.PENDING)
    assert rest.notice_id == notice_id
    assert rest.retry_key != first.retry_key
    assert "LINE quota" in str(rest.last_error)
    assert Counter(_received(line_emulator, u) for u in people) == {1: 60, 0: 90}
    with session_scope(engine) as session:
        progress = cast_progress(session, notice_id)
    assert (progress.sent, progress.waiting, progress.reached) == (1, 1, 60)
    assert "LINE quota" in str(progress.why)
    # When LINE's month turns (Japan's calendar) and the caster runs again
    line_emulator.step((datetime(2026, 4, 1, 1, tzinfo=LINE_ZONE) - now).total_seconds())
    assert send.drain_once() == 1
    # Then the rest went: everyone got it once
    assert [r.status for r in _casts(engine)] == [CastStatus.SENT] * 2
    assert Counter(_received(line_emulator, u) for u in people) == {1: 150}


def test_a_broadcast_that_no_month_could_carry_fails_saying_why(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    assert town_config.line is not None
    now = line_emulator.clock.now()
    account = line_account_of(town_config)
    # Given the account's last broadcast reached 300 friends, more than the 160 a month the
    # free plan leaves for notices
    with session_scope(engine) as session:
        session.add(
            LineCastRow(
                key="earlier", account_id=account.bot_user_id, how=CastKind.BROADCAST,
                text="Pleno", retry_key="0" * 36, status=CastStatus.SENT, delivered=300,
            )
        )  # fmt: skip
    # When a notice to every friend comes due
    with session_scope(engine) as session:
        request = NoticeRequest(text="Pleno el jueves.", channels=(Channel.LINE,))
        notice_id = add_notice(session, town_config, request, now)
        queue_due_notices(session, town_config, now)
    send = LineCaster(engine, {LINE_KEY: clients}, town_config.line.accounts, line_emulator.clock)
    assert send.drain_once() == 0
    # Then it is not held forever: it failed, and `notices status` says why
    [_, cast] = _casts(engine)
    assert cast.status is CastStatus.FAILED
    with session_scope(engine) as session:
        progress = cast_progress(session, notice_id)
    assert progress.failed == 1
    assert "300 message(s) needed" in str(progress.why)
    assert "at most 160 of the 200 a month" in str(progress.why)
    assert "never go out in one month" in str(progress.why)
    assert line_emulator.state.ledger.page(0, 10) == []


def test_notices_add_refuses_a_line_notice_no_month_could_carry(
    line_emulator: LineEmulator, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    channel = line_emulator.state.channel
    config_file = tmp_path / "accounts.yaml"
    config_file.write_text(
        SHIPPED_CONFIG.read_text(encoding="utf-8")
        + f"""
line:
  accounts:
    {LINE_KEY}:
      channel_id: "{channel.channel_id}"
      bot_user_id: {channel.bot_user_id}
      channel_secret_env: JUN_LINE_CHANNEL_SECRET
      access_token_env: JUN_LINE_CHANNEL_ACCESS_TOKEN
""",
        encoding="utf-8",
    )
    # Given 170 residents opted in on LINE, on the free plan (notices: at most 160 a month)
    enrol_on_line(engine, line_emulator, line_emulator.clock.now(), count=170)
    add = ["notices", "add", "Corte de agua", "--channel", "line", "--dm", "--topic", "water_cuts"]
    # When a clerk adds a water-cut notice to them
    result = CliRunner().invoke(app, ["-c", str(config_file), "--db", db_url, *add])
    # Then it is refused with one line saying why and what to do, and nothing is scheduled
    assert result.exit_code == 2, result.output
    assert "170 message(s) needed" in result.stderr
    assert "narrow it" in result.stderr
    with session_scope(engine) as session:
        assert session.exec(select(ScheduledItemRow)).all() == []
    # And on X alone the same notice is not LINE's business
    on_x = CliRunner().invoke(app, ["-c", str(config_file), "--db", db_url, *add[:3], *add[5:]])
    assert "LINE" not in on_x.stderr


def _received(emulator: LineEmulator, user_id: str) -> int:
    friend = emulator.state.friends.get(user_id)
    assert friend is not None
    return len(friend.received)
