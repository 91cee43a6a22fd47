"""The town the rich-menu, quota and cast tests use: the shipped town with the LINE emulator's
channel as its one LINE account (key `town_line`), on the plan a test names."""

from __future__ import annotations

from jun_engine.config.schema import Config, LineAccount, LineSettings
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.testing import emulator_test_config

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
