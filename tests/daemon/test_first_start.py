"""A daemon killed during its very first start: its baseline ("read from now on") was recorded
when it started, so a restart reads everything that arrived in between, on every stream.

The first start runs with a spend cap of 0, which holds every poller before its first sweep:
what a loaded machine does by chance (the process is killed before the pollers ran) made
certain. The emulator's clock stands still unless the test steps it, so which messages are
"after the first start" is exact.
"""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy.engine import Engine

from jun_engine.channels.x.intake.streams import streams_of
from jun_engine.config.loading import load_config
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from tests.daemon.harness import (
    CONFIG,
    SPEND_CAP,
    START,
    daemon_process,
    roomy_config,
    stop_daemon,
    stored_ids,
    wait_until,
)


def capped_run(directory: Path) -> Path:
    """A folder whose accounts.yaml has a spend cap of 0 (the pollers never make a first sweep);
    the log file in it, which `daemon_process` runs with the accounts.yaml beside it."""
    directory.mkdir()
    text = CONFIG.read_text(encoding="utf-8")
    assert SPEND_CAP in text
    capped = text.replace(SPEND_CAP, "daily_spend_cap_usd: 0")
    (directory / "accounts.yaml").write_text(capped, encoding="utf-8")
    return directory / "daemon.log"


def test_a_daemon_killed_in_its_first_start_reads_what_came_after_it_on_every_stream(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    config = load_config(roomy_config(tmp_path)).config
    emulator = Emulator(config, seed=3, clock=Clock.stepped(START))
    log = tmp_path / "daemon.log"
    with emulator:
        lola = emulator.sink.add_user("lola_jun", "Lola")
        emulator.sink.tweet(lola, f"@{config.town_account().handle} antes de empezar")
        emulator.step(1)
        # Given a first start, killed with SIGKILL once it says it has started
        first_log = capped_run(tmp_path / "capped")
        with daemon_process(emulator, db_url, first_log) as first:
            wait_until(lambda: "daemon started" in first_log.read_text("utf-8"), 60, "its start")
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        # When messages arrive on every stream while it is down
        emulator.step(1)
        sent = []
        for ref in streams_of(config):
            account = config.accounts[ref.account_key]
            if ref.stream is PollStream.MENTIONS:
                sent.append(emulator.sink.tweet(lola, f"@{account.handle} farola rota"))
            else:
                sent.append(emulator.sink.dm(lola, account.user_id, f"hola {ref.account_key}"))
        # And it starts again, uncapped
        with daemon_process(emulator, db_url, log) as second:
            # Then every one of them is stored, and nothing from before the first start
            wait_until(
                lambda: set(sent) <= set(stored_ids(engine)),
                90,
                f"the {len(sent)} messages sent after the first start to be stored",
            )
            assert stop_daemon(second) == 0
    # (what the engine's own accounts posted meanwhile, its answers to Lola, may be read by its
    # other accounts: stored and ignored, as designed; how many depends on the machine's speed)
    own = {account.user_id for account in config.accounts.values()}
    assert sorted(stored_ids(engine, excluding_authors=own)) == sorted(sent)
