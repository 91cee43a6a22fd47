"""LINE's channel test fixtures: the LINE emulator (the shipped plugin) posting its signed
webhooks to the engine's own webhook app, served by uvicorn through `LineRuntime` on a
migrated database; the test town's configuration and router."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.channels.line.runtime import LineRuntime
from jun_engine.channels.ports import Wiring
from jun_engine.config.environment import LineCredentials
from jun_engine.config.schema import Config, LineSettings
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.testing import (  # noqa: F401 (fixtures)
    line_emulator,
    line_openapi_validator,
    line_webhook_inbox,
)
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router
from jun_engine.service.outage import OutageWatch
from tests.channels.line.extras import LINE_KEY, town_with_line

MAX_BODY = 20_000
"""A small body limit, so an oversized body is cheap to send."""


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def line_config(line: LineEmulator, port: int, language: str = "th") -> Config:
    """The shipped town with one LINE account: the emulator's channel."""
    base = emulator_test_config()
    section = {
        "webhook": {"host": "127.0.0.1", "port": port, "max_body_bytes": MAX_BODY},
        "accounts": {
            "jun": {
                "channel_id": line.state.channel.channel_id,
                "bot_user_id": line.state.channel.bot_user_id,
                "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
                "language": language,
            }
        },
    }
    return base.model_copy(update={"line": LineSettings.model_validate(section)})


@dataclass
class Served:
    """The engine's webhook, served, and what it was wired with."""

    runtime: LineRuntime
    config: Config
    engine: Engine
    wakes: threading.Event

    @property
    def url(self) -> str:
        host, port = self.runtime.address or ("", 0)
        return f"http://{host}:{port}/line/webhook"


@pytest.fixture
def served(line_emulator: LineEmulator, engine: Engine) -> Iterator[Served]:  # noqa: F811
    """LineRuntime serving the webhook on a free port; the emulator posts to it."""
    config = line_config(line_emulator, free_port())
    channel = line_emulator.state.channel
    runtime = LineRuntime(
        config,
        {"jun": LineCredentials("jun", channel.secret, channel.access_token)},
        line_emulator.base_url,
    )
    wakes = threading.Event()
    wiring = Wiring(engine, line_emulator.clock, wakes.set, OutageWatch(), random.Random(1))
    runtime.begin(wiring, line_emulator.clock.now())
    serving = Served(runtime, config, engine, wakes)
    line_emulator.state.webhook.url = serving.url
    yield serving
    runtime.close()


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[3])


@pytest.fixture
def town_config(line_emulator: LineEmulator) -> Config:  # noqa: F811
    """The shipped town with the emulator's channel as its LINE account (`town_line`), on the
    free plan (rich menu, quota and cast tests)."""
    return town_with_line(line_emulator)


@pytest.fixture
def clients(line_emulator: LineEmulator) -> Iterator[LineClients]:  # noqa: F811
    """line-bot-sdk clients of `town_config`'s LINE account, talking to the emulator."""
    channel = line_emulator.state.channel
    credentials = LineCredentials(LINE_KEY, channel.secret, channel.access_token)
    opened = line_clients(credentials, line_emulator.base_url)
    yield opened
    opened.close()
