"""The real daemon process against the simulated town: every message stored exactly once,
a clean stop on SIGTERM, and the engine's cost estimate equal to the emulator's ledger."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from tests.daemon.harness import (
    cost_lines,
    daemon_process,
    engine_spend,
    running_town,
    stop_daemon,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.slow


def test_every_message_of_the_town_is_stored_once_and_the_cost_matches_the_ledger(
    town_config: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    # Given a town writing ~10 messages an emulated minute, at 60 emulated seconds per second
    with running_town(town_config, speed=60, rate_per_hour=600) as (emulator, town):
        # When the daemon runs (reading from its first start on, history included)
        with daemon_process(emulator, db, log, "--backfill", "--no-send") as daemon:
            wait_until(lambda: len(town.sent) >= 150, 60, "150 messages from the town")
            sent = {m.platform_id for m in town.sent}
            wait_until(lambda: sent <= set(stored_ids(engine)), 45, "every sent message stored")
            code = stop_daemon(daemon)
        ledger = emulator.ledger.total_usd()
        lines = cost_lines(engine, emulator)
        sent_by_the_end = {m.platform_id for m in town.sent}
    # Then it stopped cleanly with its one-line summary
    text = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, text[-3000:]
    assert "stopped:" in text
    # And each message is stored exactly once, and nothing but the town's messages
    stored = Counter(stored_ids(engine))
    assert set(stored.values()) == {1}
    assert sent <= set(stored) <= sent_by_the_end
    # And the engine's estimate of the run's cost is the emulator's bill (reads only: with
    # --no-send nothing is written, and no outbox lookup reads what the pollers bill)
    assert engine_spend(engine) == pytest.approx(ledger, abs=1e-6), "\n".join(lines)
    # And no message text made it into the logs
    assert not any(m.text in text for m in town.sent if len(m.text) > 20)
