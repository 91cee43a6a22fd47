"""Notices on LINE against the emulator, through line-bot-sdk: a segmented notice as multicasts
of 500 (each resident once, blocked ones skipped), a crash after a multicast landed (409: sent,
not twice), an emergency broadcast ahead of queued notices, a narrowcast followed to its end."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from linebot.v3.messaging import MulticastRequest, TextMessage
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from jun_engine.channels.line.casting import CastLoop, LineCaster
from jun_engine.channels.line.client import LineClients
from jun_engine.channels.line.quota import record_spend
from jun_engine.channels.ports import PollLoop
from jun_engine.cli.app import app
from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CastKind, CastStatus
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.scheduling.air_watch import AirQualityWatch
from jun_engine.scheduling.alerts import raise_alert
from jun_engine.scheduling.notice_queue import queue_due_notices
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.store.session import session_scope
from jun_engine.store.tables import LineCastRow
from tests.channels.line.extras import LINE_KEY, line_account_of, town_with_line
from tests.channels.line.residents import block, enrol_on_line
from tests.scheduling.open_meteo import Answer, forecast_body, open_meteo_stub

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def caster(
    engine: Engine, emulator: LineEmulator, config: Config, clients: LineClients
) -> LineCaster:
    assert config.line is not None
    return LineCaster(engine, {LINE_KEY: clients}, config.line.accounts, emulator.clock)


def notify(engine: Engine, config: Config, now: datetime, request: NoticeRequest) -> int:
    """Add a notice due now and let the scheduler queue it; returns its id."""
    with session_scope(engine) as session:
        notice_id = add_notice(session, config, request, now)
    with session_scope(engine) as session:
        queue_due_notices(session, config, now)
    return notice_id


def casts(engine: Engine) -> list[LineCastRow]:
    with session_scope(engine) as session:
        rows = list(session.exec(select(LineCastRow).order_by(col(LineCastRow.id))).all())
        for row in rows:
            session.expunge(row)
    return rows


def sent_endpoints(emulator: LineEmulator) -> list[str]:
    return [entry.endpoint for entry in emulator.state.ledger.page(0, 1_000)]


def received(emulator: LineEmulator, user_id: str) -> int:
    friend = emulator.state.friends.get(user_id)
    assert friend is not None
    return len(friend.received)


WATER_CUT = NoticeRequest(
    text="Corte de agua mañana de 9:00 a 12:00.",
    dm=True,
    topic="water_cuts",
    channels=(Channel.LINE,),
)


def test_a_segmented_notice_to_1200_residents_is_three_multicasts_each_resident_once(
    line_emulator: LineEmulator, engine: Engine, clients: LineClients
) -> None:
    line_emulator.state.quota.set_plan("standard")
    config = town_with_line(line_emulator, plan="standard")
    now = line_emulator.clock.now()
    # Given 1,202 residents on LINE opted in to water cuts, two of whom blocked the account,
    # and 30 who did not opt in
    opted_in = enrol_on_line(engine, line_emulator, now, count=1_202)
    for user_id in opted_in[:2]:
        block(engine, line_emulator, user_id, now)
    others = enrol_on_line(engine, line_emulator, now, count=30, topics=())
    # When a water-cut notice to them comes due and the casts are sent
    notice_id = notify(engine, config, now, WATER_CUT)
    assert caster(engine, line_emulator, config, clients).drain_once() == 3
    # Then three multicasts of 500, 500 and 200 went out, each with its own retry key
    rows = casts(engine)
    assert [(r.how, len(r.recipients.splitlines()), r.status) for r in rows] == [
        (CastKind.MULTICAST, 500, CastStatus.SENT),
        (CastKind.MULTICAST, 500, CastStatus.SENT),
        (CastKind.MULTICAST, 200, CastStatus.SENT),
    ]
    assert all(r.notice_id == notice_id for r in rows)
    assert len({r.retry_key for r in rows}) == 3
    entries = line_emulator.state.ledger.page(0, 100)
    assert [(e.endpoint, e.delivered) for e in entries] == [("multicast", 500)] * 2 + [
        ("multicast", 200)
    ]
    # And every reachable resident got it exactly once; the blocked and the others nothing
    assert Counter(received(line_emulator, u) for u in opted_in[2:]) == {1: 1_200}
    assert [received(line_emulator, u) for u in opted_in[:2] + others] == [0] * 32


def test_a_multicast_that_landed_before_a_crash_is_not_sent_again(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=3)
    notify(engine, town_config, now, WATER_CUT)
    [queued] = casts(engine)
    # Given a caster that claimed the multicast, sent it, and died before recording it
    with session_scope(engine) as session:
        row = session.get(LineCastRow, queued.id)
        assert row is not None
        row.status, row.attempts, row.first_attempt_at = CastStatus.SENDING, 1, now
    landed = clients.messaging.multicast_with_http_info(
        MulticastRequest(to=people, messages=[TextMessage(text=queued.text)]),
        x_line_retry_key=queued.retry_key,
    )
    first_request = landed.headers["x-line-request-id"]
    # When the daemon starts again and its caster runs
    assert caster(engine, line_emulator, town_config, clients).drain_once() == 1
    # Then LINE answered the same retry key with 409, and the cast is recorded as that send
    [row] = casts(engine)
    assert row.status is CastStatus.SENT
    assert row.request_id == first_request
    assert row.attempts == 2
    # And nobody got it twice
    assert sent_endpoints(line_emulator) == ["multicast"]
    assert [received(line_emulator, u) for u in people] == [1, 1, 1]


def test_an_emergency_broadcast_goes_before_queued_notices(
    line_emulator: LineEmulator, engine: Engine, clients: LineClients
) -> None:
    line_emulator.state.quota.set_plan("standard")
    config = town_with_line(line_emulator, plan="standard")
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=600)
    # Given a water-cut notice queued as two multicasts, not sent yet
    notify(engine, config, now, WATER_CUT)
    # When an emergency is raised
    with session_scope(engine) as session:
        raise_alert(session, config, "Riada en el río: no crucen el puente.", now)
    assert caster(engine, line_emulator, config, clients).drain_once() == 3
    # Then its broadcast went first, then the notice
    assert sent_endpoints(line_emulator) == ["broadcast", "multicast", "multicast"]
    assert Counter(received(line_emulator, u) for u in people) == {2: 600}
    first = line_emulator.state.friends.get(people[0])
    assert first is not None
    assert "AVISO URGENTE" in str(first.received[0])


def test_a_broadcasts_reach_is_what_line_counted_for_it_alone(
    line_emulator: LineEmulator, engine: Engine, clients: LineClients
) -> None:
    config = town_with_line(line_emulator)
    now = line_emulator.clock.now()
    enrol_on_line(engine, line_emulator, now, count=4)
    # Given 150 of the month's messages spent from LINE's console since the engine last read it
    line_emulator.state.quota.charge(150, now)
    # When an emergency is broadcast to the account's four friends
    with session_scope(engine) as session:
        raise_alert(session, config, "Riada en el río: no crucen el puente.", now)
    assert caster(engine, line_emulator, config, clients).drain_once() == 1
    # Then its reach is the four LINE counted for it, not the console's messages as well
    [row] = casts(engine)
    assert (row.how, row.delivered) == (CastKind.BROADCAST, 4)


def test_a_notice_to_an_age_band_is_a_narrowcast_followed_to_its_end(
    line_emulator: LineEmulator, engine: Engine, clients: LineClients
) -> None:
    config = town_with_line(line_emulator, area="jp_40")
    now = line_emulator.clock.now()
    seniors = enrol_on_line(engine, line_emulator, now, count=12, age=70)
    younger = enrol_on_line(engine, line_emulator, now, count=8, age=30)
    elsewhere = enrol_on_line(engine, line_emulator, now, count=5, age=70, area="jp_13")
    request = NoticeRequest(
        text="Vacunación de la gripe para mayores.", age_groups=("seniors",),
        channels=(Channel.LINE,),
    )  # fmt: skip
    notify(engine, config, now, request)
    send = caster(engine, line_emulator, config, clients)
    # When the narrowcast is sent, LINE accepts it and it is followed
    assert send.drain_once() == 1
    [row] = casts(engine)
    assert row.how is CastKind.NARROWCAST
    assert row.status is CastStatus.ACCEPTED
    assert row.progress == "waiting"
    line_emulator.step(3)
    send.drain_once()
    # Then its end is recorded: the seniors of the area reached, nobody else
    [row] = casts(engine)
    assert row.status is CastStatus.SENT
    assert row.progress == "succeeded"
    assert row.delivered == 12
    assert [received(line_emulator, u) for u in seniors] == [1] * 12
    assert [received(line_emulator, u) for u in younger + elsewhere] == [0] * 13


def test_a_pm25_warning_is_broadcast_on_line_too(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=4)
    # Given Open-Meteo forecasts PM2.5 at 40 µg/m³ today (threshold 25)
    smog = {"pm2_5": [40.0] * 24, "pm10": [10.0] * 24, "nitrogen_dioxide": [8.0] * 24}
    smog["ozone"] = [60.0] * 24
    with open_meteo_stub() as stub, httpx.Client() as http:
        stub.answer = Answer(body=forecast_body(now.date(), smog))
        settings = town_config.air_quality.model_copy(update={"api_url": stub.url})
        config = town_config.model_copy(update={"air_quality": settings})
        # When the day's check runs after the posting time
        outcome = AirQualityWatch(config, http).check(engine, now)
    assert outcome is not None
    assert [e.pollutant for e in outcome.exceeded] == ["pm2_5"]
    assert caster(engine, line_emulator, config, clients).drain_once() == 1
    # Then the warning was broadcast to every friend of the LINE account, besides X's post
    [row] = casts(engine)
    assert row.key == f"air:{now.date().isoformat()}:line:{LINE_KEY}"
    assert row.how is CastKind.BROADCAST
    assert [received(line_emulator, u) for u in people] == [1] * 4
    assert "PM2,5: 40 µg/m³" in row.text


def test_the_caster_runs_as_one_of_the_daemons_loops(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    loop: PollLoop = CastLoop(caster(engine, line_emulator, town_config, clients))
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=2)
    notify(engine, town_config, now, WATER_CUT)
    # When the daemon turns it once (`run --once`), then runs it until told to stop
    assert loop.turn() == 1
    stop = threading.Event()
    stop.set()
    loop.run(stop)
    # Then the notice went once, and the loop reports no stored messages and no stop of its own
    assert [received(line_emulator, u) for u in people] == [1, 1]
    assert (loop.ref, loop.stored, loop.stopped) == ("LINE casts", 0, False)


def test_a_multicast_whose_answer_was_lost_is_retried_with_its_key_and_not_sent_twice(
    line_emulator: LineEmulator, town_config: Config, engine: Engine, clients: LineClients
) -> None:
    now = line_emulator.clock.now()
    people = enrol_on_line(engine, line_emulator, now, count=3)
    notify(engine, town_config, now, WATER_CUT)
    send = caster(engine, line_emulator, town_config, clients)
    faults = f"{line_emulator.base_url}/_emulator/line/faults"
    # Given LINE carries the multicast out but its answer is lost (a 503 comes back)
    httpx.post(faults, json={"spec": "lost=1:5xx"}).raise_for_status()
    assert send.drain_once() == 0
    [row] = casts(engine)
    assert row.status is CastStatus.PENDING
    assert "503" in str(row.last_error)
    # When the answers come back and the retry is due
    httpx.post(faults, json={"spec": ""}).raise_for_status()
    line_emulator.step(60)
    assert send.drain_once() == 1
    # Then the retry carried the same key, LINE answered 409, and it counts as the first send
    [row] = casts(engine)
    assert row.status is CastStatus.SENT
    assert row.attempts == 2
    assert [e.endpoint for e in line_emulator.state.ledger.page(0, 10)] == ["multicast"]
    assert row.request_id == line_emulator.state.ledger.page(0, 10)[0].request_id
    assert [received(line_emulator, u) for u in people] == [1, 1, 1]


def test_a_clerk_sends_a_notice_on_line_and_follows_it(
    line_emulator: LineEmulator, engine: Engine, db_url: str, clients: LineClients, tmp_path: Path
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
    config = load_config(config_file).config
    people = enrol_on_line(engine, line_emulator, line_emulator.clock.now(), count=3)

    def jun(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["-c", str(config_file), "--db", db_url, *args])
        return result.exit_code, result.stdout, result.stderr

    # When a clerk adds a segmented notice on LINE
    code, out, err = jun(
        "notices", "add", "Corte de agua el jueves", "--channel", "line", "--dm",
        "--topic", "water_cuts", "--json",
    )  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["channels"] == ["line"]
    # And the scheduler queues it and the caster sends it
    with session_scope(engine) as session:
        queue_due_notices(session, config, datetime.now(UTC))
    assert caster(engine, line_emulator, config, clients).drain_once() == 1
    # Then `notices status` follows it on LINE, and `notices list` says where it goes
    code, out, err = jun("notices", "status", str(added["id"]), "--json")
    assert code == 0, err
    [progress] = json.loads(out)
    assert progress["line"] == {
        "casts": 1,
        "sent": 1,
        "waiting": 0,
        "failed": 0,
        "reached": 3,
        "why": None,
    }
    assert [received(line_emulator, u) for u in people] == [1, 1, 1]
    code, out, err = jun("notices", "list", "--all", "--json")
    assert [n["channels"] for n in json.loads(out)] == [["line"]]
    # And an age group LINE cannot express is refused with one line and exit 2
    code, out, err = jun("notices", "add", "Hola", "--channel", "line", "--age-group", "youth")
    assert code == 2
    assert "does not fit LINE's 5-year bands" in err


def test_an_alert_dry_run_says_what_goes_out_on_line_and_what_it_costs(
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

    def dry_run(*extra: str) -> tuple[int, str]:
        args = ["-c", str(config_file), "--db", db_url, "alert", "Riada", "--dry-run", *extra]
        result = CliRunner().invoke(app, args)
        return result.exit_code, result.stdout

    # Given an account that has never broadcast: its reach is not known yet
    code, out = dry_run()
    assert code == 0
    assert f"a LINE broadcast from {LINE_KEY} to every friend (cost unknown" in out
    # When its last broadcast reached 120 friends and 150 of the month's 200 are spent
    with session_scope(engine) as session:
        session.add(
            LineCastRow(
                key="earlier", account_id=channel.bot_user_id, how=CastKind.BROADCAST,
                text="Pleno", retry_key="0" * 36, status=CastStatus.SENT, delivered=120,
            )
        )  # fmt: skip
        account = line_account_of(town_with_line(line_emulator))
        record_spend(session, account, 150, datetime.now(UTC))  # the command runs on this clock
    code, out = dry_run()
    # Then the dry run names the broadcast, whom it reaches and what it costs, and queues nothing
    assert code == 0
    assert (
        f"a LINE broadcast from {LINE_KEY} to about 120 friend(s) (120 quota message(s); this "
        "month 150 of 200 used)"
    ) in " ".join(out.split())
    code, out = dry_run("--json")
    assert json.loads(out)["line"] == [
        {
            "account": LINE_KEY, "how": "broadcast", "reach": 120, "quota_cost": 120,
            "quota_used": 150, "quota_cap": 200,
        }
    ]  # fmt: skip
    assert [r.key for r in casts(engine)] == ["earlier"]
