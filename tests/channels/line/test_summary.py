"""The daemon's line at exit on a LINE town: messages LINE's webhook stored (no poller stores
them) are counted per channel from the database, and LINE's sends and quota are named as LINE's,
not as X requests; on every database."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from jun_engine.channels.line.runtime import LineRuntime
from jun_engine.config.environment import LineCredentials
from jun_engine.daemon import Daemon
from jun_engine.domain.messages import Channel
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.service.summary import Spend, Summary
from jun_engine.store.tables import LineSendRow
from tests.channels.line.conftest import free_port, line_config
from tests.emulator.line.clients import admin, friend


@pytest.fixture
def daemon(line_emulator: LineEmulator, engine: Engine) -> Iterator[Daemon]:
    """The daemon running only the town's LINE account (the emulator's channel)."""
    config = line_config(line_emulator, free_port())
    channel = line_emulator.state.channel
    runtime = LineRuntime(
        config,
        {"jun": LineCredentials("jun", channel.secret, channel.access_token)},
        line_emulator.base_url,
    )
    made = Daemon(
        config, engine, [runtime], line_emulator.clock, schedule=False, rng=random.Random(0)
    )
    yield made
    runtime.close()


def test_webhook_messages_and_line_sends_are_counted_as_lines(
    daemon: Daemon, line_emulator: LineEmulator, engine: Engine
) -> None:
    # Given the daemon's first pass, which serves the webhook
    first = daemon.run_once()
    assert first.stored == {}
    assert first.x is None
    assert first.line == Spend()
    host, port = daemon.channels[0].address or ("", 0)  # type: ignore[attr-defined]
    line_emulator.state.webhook.url = f"http://{host}:{port}/line/webhook"
    # When two people write to the town on LINE (the webhook stores it; no poller runs)
    for name in ("Somchai", "Malee"):
        admin(line_emulator, "POST", f"users/{friend(line_emulator, name)}/text", {"text": "hi"})
    assert line_emulator.wait_webhooks()
    # Then the run so far counts them as LINE's, from the database
    so_far = daemon.summary()
    assert so_far.stored == {Channel.LINE: 2}
    assert so_far.text().startswith("stopped: 2 message(s) stored (line 2); ")
    # And a pass that answers them names LINE's sends and quota, and no X request
    second = daemon.run_once()
    with Session(engine) as session:
        sends, quota = session.exec(
            select(func.count(), func.coalesce(func.sum(LineSendRow.quota), 0))
        ).one()
    assert sends > 0
    assert second.stored == {}  # stored before this pass began
    assert second.processed == 2
    assert second.line == Spend(requests=sends, quota=quota)
    text = second.text()
    assert f"LINE: {sends} send(s), {quota} of the quota" in text
    assert "X:" not in text


def test_the_line_is_short_and_names_each_channel() -> None:
    summary = Summary(
        stored={Channel.X: 9, Channel.LINE: 5},
        processed=14,
        sent=11,
        uptime_seconds=12.34,
        x=Spend(requests=52, usd=Decimal("0.1234")),
        line=Spend(requests=6, quota=3),
    )
    assert summary.text() == (
        "stopped: 14 message(s) stored (x 9, line 5); 14 processed, 11 outbox item(s) sent; "
        "X: 52 request(s), $0.1234; LINE: 6 send(s), 3 of the quota; up 12.3 s"
    )
