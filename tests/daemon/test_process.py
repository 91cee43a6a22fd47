"""The daemon as a process: one per database, a stream refused by X stops alone, and status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from tests.daemon.harness import (
    CONFIG,
    REPO,
    daemon_process,
    lock_taken,
    running_town,
    stop_daemon,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.slow


def status_json(db: str) -> Any:
    """What `jun-engine status --json` prints, parsed."""
    command = [sys.executable, "-m", "jun_engine", "-c", str(CONFIG), "--db", db]
    done = subprocess.run(
        [*command, "status", "--json"], capture_output=True, check=True, cwd=REPO, timeout=60
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_second_daemon_on_the_same_database_is_refused_with_exit_4(
    town_config: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    with (
        running_town(town_config, speed=60, rate_per_hour=60) as (emulator, _town),
        daemon_process(emulator, db, tmp_path / "first.log", "--no-send") as first,
    ):
        wait_until(lambda: lock_taken(engine), 60, "the first daemon's lock")
        with daemon_process(emulator, db, tmp_path / "second.log", "--no-send") as second:
            assert second.wait(timeout=60) == 4
        assert stop_daemon(first) == 0
    assert "another jun-engine daemon" in (tmp_path / "second.log").read_text()
    assert not lock_taken(engine)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_401_on_one_department_stops_its_stream_while_the_others_run(
    town_config: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    with running_town(town_config, speed=60, rate_per_hour=600) as (emulator, town):
        # Given the public works account's token was revoked
        revoked = {town_config.accounts["public_works"].access_token_env: "1-revoked"}
        with daemon_process(
            emulator, db, log, "--backfill", "--no-send", overrides=revoked
        ) as daemon:
            # When the town keeps writing
            wait_until(lambda: len(town.sent) >= 60, 60, "60 messages from the town")
            town_dms = {m.platform_id for m in town.sent if m.route == "dm"}
            wait_until(lambda: town_dms <= set(stored_ids(engine)), 45, "the town's DMs stored")
            status = status_json(db)
            code = stop_daemon(daemon)
    # Then public works' stream is stopped, loudly, and every other stream is fine
    streams = {(s["account"], s["stream"]): s for s in status["streams"]}
    assert streams[("public_works", "mentions")]["state"] == "stopped"
    assert "authentication failed" in streams[("public_works", "mentions")]["last_error"]
    assert streams[("town", "mentions")]["state"] == "ok"
    assert code == 0
    text = log.read_text(errors="replace")
    assert "public_works/mentions: stopped" in text
