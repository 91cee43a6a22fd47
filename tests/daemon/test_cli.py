"""`jun-engine run` refuses to start with words and an exit code; `jun-engine status` reports."""

from __future__ import annotations

import json
import signal
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from jun_engine.channels.x.billing import Prices, Read, record_read
from jun_engine.channels.x.intake.streams import streams_of
from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind, PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import TEST_START
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.service import health
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from tests.daemon.harness import (
    CONFIG,
    daemon_process,
    lock_taken,
    running_town,
    stored_ids,
    wait_until,
)


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env or {})
    return result.exit_code, result.output


def test_run_refuses_an_invalid_accounts_yaml_with_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "accounts.yaml"
    broken.write_text("version: 1\ntown: {name: Jun}\n", encoding="utf-8")
    code, output = invoke("-c", str(broken), "--db", str(tmp_path / "j.db"), "run")
    assert code == ExitCode.USAGE
    assert "not valid; nothing started" in output


def test_run_refuses_a_database_whose_schema_is_not_current_with_exit_3(tmp_path: Path) -> None:
    code, output = invoke("-c", str(CONFIG), "--db", str(tmp_path / "empty.db"), "run")
    assert code == ExitCode.DATABASE
    assert "jun-engine db upgrade" in output


def test_run_names_the_missing_secrets_with_exit_2(engine: Engine, db_url: str) -> None:
    code, output = invoke("-c", str(CONFIG), "--db", db_url, "run")
    assert code == ExitCode.USAGE
    assert "JUN_X_TOWN_ACCESS_TOKEN" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_status_shows_each_stream_in_a_table_and_as_json(engine: Engine, db_url: str) -> None:
    from jun_engine.config.loading import load_config

    config = load_config(CONFIG).config
    town = next(r for r in streams_of(config) if r.account_key == "town")
    with session_scope(engine) as session:
        store_messages(
            session, [], Checkpoint(town.account_id, PollStream.MENTIONS, "1", TEST_START)
        )
        health.note_failure(session, town, "server error 503", 2, at=TEST_START)
        read = Read(town.account_id, "mentions", "APP", "post", ["7", "8"], owned=True)
        record_read(session, read, Prices.of(config), TEST_START)
    code, table = invoke("-c", str(CONFIG), "--db", db_url, "status")
    assert code == ExitCode.OK
    assert "town" in table
    assert "retrying" in table
    assert "3.75 s (300 per 15 min per account, 80% of it)" in table
    code, text = invoke("-c", str(CONFIG), "--db", db_url, "status", "--json")
    report = json.loads(text)
    assert report["daemon"]["running"] is False
    assert report["spend_today_usd"] == "0.002000"
    (stream,) = report["streams"]
    assert (stream["account"], stream["stream"], stream["failures"]) == ("town", "mentions", 2)
    assert stream["poll_every_s"] == 3.75
    assert stream["poll_reason"] == "300 per 15 min per account, 80% of it"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_run_once_makes_one_pass_and_exits_0(
    x_emulator: Emulator, engine: Engine, db_url: str
) -> None:
    env = x_emulator.credentials_env()
    args = ("-c", str(CONFIG), "--db", db_url, "run", "--once", "--no-send")
    # Given a first pass, which starts every stream from now
    assert invoke(*args, env=env)[0] == ExitCode.OK
    lola = x_emulator.sink.add_user("lola", "Lola")
    mention = x_emulator.sink.tweet(lola, "@AytoJun hay un bache en la calle Real")
    x_emulator.step(30)
    # When a second pass runs
    code, output = invoke(*args, env=env)
    # Then the new mention is stored and processed, and the pass said so in one line
    assert code == ExitCode.OK
    assert "one pass done: 1 message(s) stored (x 1); 1 processed" in output
    assert stored_ids(engine) == [mention]


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_run_stopped_by_ctrl_c_exits_130_and_by_sigterm_0(
    town_config: Config, engine: Engine, db: str, tmp_path: Path, stop: int, code: int
) -> None:
    log = tmp_path / "daemon.log"
    # Given a daemon that has started (it holds the database's lock)
    with (
        running_town(town_config, speed=60, rate_per_hour=0) as (emulator, _town),
        daemon_process(emulator, db, log, "--no-send") as daemon,
    ):
        wait_until(lambda: lock_taken(engine), 60, "the daemon to start")
        # When it gets Ctrl-C (SIGINT) or a service manager's SIGTERM
        daemon.send_signal(stop)
        exit_code = daemon.wait(timeout=60)
    # Then it stopped cleanly either way, and says which with the README's exit codes
    text = log.read_text(encoding="utf-8", errors="replace")
    assert exit_code == code, text[-3000:]
    assert "stopped:" in text
    assert not lock_taken(engine)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_status_shows_what_waits_to_be_sent_with_its_eta_and_the_days_budget(
    engine: Engine, db_url: str
) -> None:
    from jun_engine.config.loading import load_config

    config = load_config(CONFIG).config
    town = config.accounts["town"].user_id
    # Given 17 DMs waiting on the town account (15 per 15 minutes)
    with session_scope(engine) as session:
        for n in range(17):
            enqueue(
                session,
                key=f"case:{n}:ack",
                account_id=town,
                kind=OutboxKind.DM,
                target="9000000001",
                text=f"aviso {n}",
                priority=Priority.ACK,
            )
    # Then status shows them by account with when the last goes, and the day's DM budget
    code, table = invoke("-c", str(CONFIG), "--db", db_url, "status")
    assert code == ExitCode.OK
    assert "all out by" in table
    assert "budget: x dms: 0 of 1,440 used in the last 24 h, 1,440 left, 17 waiting" in table
    code, text = invoke("-c", str(CONFIG), "--db", db_url, "status", "--json")
    report = json.loads(text)
    (queue,) = report["queues"]
    assert (queue["account"], queue["quota"], queue["waiting"]) == ("town", "dms", 17)
    last = datetime.fromisoformat(queue["last_at"]) - datetime.fromisoformat(queue["next_at"])
    assert last == timedelta(minutes=15)
    (budget,) = report["budgets"]
    assert (budget["used"], budget["waiting"], budget["running_out"]) == (0, 17, False)
