"""A process that drains the outbox's LINE items through the real LINE delivery, for the crash
test to kill: `python -m tests.channels.line.drain DB_URL API_URL BOT_USER_ID` with the channel's
secret and token in JUN_LINE_CHANNEL_SECRET and JUN_LINE_CHANNEL_ACCESS_TOKEN. Exit 0 once
nothing is waiting."""

from __future__ import annotations

import os
import sys
import threading

from jun_engine.channels.line.client import line_clients
from jun_engine.channels.line.delivery import LineDelivery
from jun_engine.clock import SystemClock
from jun_engine.config.environment import LineCredentials
from jun_engine.domain.messages import Channel
from jun_engine.outbox.sender import OutboxSender
from jun_engine.store.engine import create_engine_from_url


def main(db_url: str, api_url: str, bot: str) -> int:
    """Drain until empty."""
    credentials = LineCredentials(
        "town",
        os.environ["JUN_LINE_CHANNEL_SECRET"],
        os.environ["JUN_LINE_CHANNEL_ACCESS_TOKEN"],
    )
    engine = create_engine_from_url(db_url)
    clock = SystemClock()
    delivery = LineDelivery(engine, {bot: line_clients(credentials, api_url)}, clock)
    sender = OutboxSender(engine, {Channel.LINE: delivery}, clock, idle_seconds=0.2)
    done = sender.drain_until_empty(threading.Event())
    delivery.close()
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
