"""Fixtures for LINE's tests: the shipped LINE emulator plugin, a town whose LINE account is the
emulator's channel, and line-bot-sdk clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jun_engine.channels.line.client import LineClients, line_clients
from jun_engine.config.environment import LineCredentials
from jun_engine.config.schema import Config, LineAccount, LineSettings
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.testing import (
    line_emulator,
    line_openapi_validator,
    line_webhook_inbox,
)
from jun_engine.emulator.testing import emulator_test_config

__all__ = ["line_emulator", "line_openapi_validator", "line_webhook_inbox"]

LINE_KEY = "town_line"


def town_with_line(emulator: LineEmulator, **account: object) -> Config:
    """The shipped town with one LINE account: the emulator's channel (plan `free` unless
    `account` says otherwise)."""
    channel = emulator.state.channel
    settings = LineSettings.model_validate(
        {
            "accounts": {
                LINE_KEY: {
                    "channel_id": channel.channel_id,
                    "bot_user_id": channel.bot_user_id,
                    "channel_secret_env": "JUN_LINE_CHANNEL_SECRET",
                    "access_token_env": "JUN_LINE_CHANNEL_ACCESS_TOKEN",
                    **account,
                }
            }
        }
    )
    return emulator_test_config().model_copy(update={"line": settings})


def line_account_of(config: Config) -> LineAccount:
    """The town's one LINE account."""
    assert config.line is not None
    return config.line.accounts[LINE_KEY]


@pytest.fixture
def line_config(line_emulator: LineEmulator) -> Config:
    """The shipped town with the emulator's channel as its LINE account, on the free plan."""
    return town_with_line(line_emulator)


@pytest.fixture
def clients(line_emulator: LineEmulator) -> Iterator[LineClients]:
    """line-bot-sdk clients of the town's LINE account, talking to the emulator."""
    channel = line_emulator.state.channel
    credentials = LineCredentials(LINE_KEY, channel.secret, channel.access_token)
    opened = line_clients(credentials, line_emulator.base_url)
    yield opened
    opened.close()
