"""The daemon's own /metrics and /healthz, served by a real `jun-engine run --metrics`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from tests.daemon.harness import (
    daemon_process,
    lock_taken,
    running_town,
    stop_daemon,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.slow

LISTENING = re.compile(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")


def _port(log: Path) -> int | None:
    found = LISTENING.search(log.read_text(errors="replace")) if log.exists() else None
    return int(found.group(1)) if found else None


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_daemon_serves_its_metrics_and_health(
    town_config: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    with (
        running_town(town_config, speed=60, rate_per_hour=600) as (emulator, town),
        daemon_process(emulator, db, log, "--no-send", "--metrics", "127.0.0.1:0") as daemon,
    ):
        wait_until(lambda: _port(log) is not None, 60, "the metrics listener")
        wait_until(lambda: lock_taken(engine), 60, "the daemon's lock")
        wait_until(lambda: len(stored_ids(engine)) >= 3, 60, "three messages stored")
        base = f"http://127.0.0.1:{_port(log)}"
        with httpx.Client(base_url=base, timeout=30) as client:
            health = client.get("/healthz")
            metrics = client.get("/metrics")
            missing = client.get("/nothing")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "daemon": "running", "database": "ok"}
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
        received = re.findall(r"^jun_messages_received_total\{[^}]*\} (\d+)", metrics.text, re.M)
        assert sum(int(n) for n in received) >= 3
        for family in ("jun_outbox_backlog", "jun_poll_lag_seconds", "jun_api_spend_usd_today"):
            assert f"# TYPE {family} gauge" in metrics.text
        assert 'jun_poll_lag_seconds{account="' in metrics.text
        assert missing.status_code == 404
        assert town.sent  # the town was writing all along
        assert stop_daemon(daemon) == 0
    with pytest.raises(httpx.ConnectError):  # the listener ended with the daemon
        httpx.get(f"{base}/healthz", timeout=5)


def test_metrics_beyond_loopback_need_a_token(town_config: Config, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jun_engine.cli.app import app as cli
    from tests.daemon.harness import CONFIG

    db = f"sqlite:///{tmp_path / 'jun.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["-c", str(CONFIG), "--db", db, "db", "upgrade"]).exit_code == 0
    refused = runner.invoke(
        cli,
        ["-c", str(CONFIG), "--db", db, "run", "--no-send", "--metrics", "0.0.0.0:0"],
        env={"JUN_METRICS_TOKEN": ""},
    )
    assert refused.exit_code == 2, refused.output
    assert "JUN_METRICS_TOKEN" in refused.output
