"""A pytest plugin: the `x_emulator` fixture, an Emulator whose every response is validated.

Register it with `pytest_plugins = ["jun_engine.emulator.testing"]`. Each test gets a fresh
emulator on a free loopback port, with a clock that stands still until the test steps it. When
openapi-core is importable and X's OpenAPI file is found ($JUN_X_OPENAPI, or
../shared/x-api/openapi-v2.159.json next to the repository), every API response it sent during
the test is validated against the description, and the test fails on any violation.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.emulator.clock import Clock
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.openapi import ResponseValidator, find_spec
from jun_engine.emulator.wire import Exchange

TEST_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Where test clocks start: a Monday morning after the 2026 reply restriction."""

SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "accounts.yaml"


def emulator_test_config() -> Config:
    """The shipped accounts.yaml when present, else a small town built from the schema."""
    if SHIPPED_CONFIG.is_file():
        return load_config(SHIPPED_CONFIG).config
    return Config.model_validate(
        {
            "town": {"name": "Testville", "account": "town"},
            "x": {
                "app": {
                    "consumer_key_env": "T_CK",
                    "consumer_secret_env": "T_CS",
                    "bearer_token_env": "T_BEARER",
                }
            },
            "accounts": {
                "town": {
                    "handle": "TownHall",
                    "user_id": "1001",
                    "dm_access": True,
                    "access_token_env": "T_TOWN_AT",
                    "access_token_secret_env": "T_TOWN_AS",
                },
                "works": {
                    "handle": "TownWorks",
                    "user_id": "1002",
                    "access_token_env": "T_WORKS_AT",
                    "access_token_secret_env": "T_WORKS_AS",
                },
            },
            "departments": {
                "works": {"name": {"en": "Public works"}, "account": "works", "triage": True},
            },
        }
    )


@pytest.fixture(scope="session")
def x_openapi_validator() -> ResponseValidator | None:
    """X's OpenAPI description, loaded once per session (None without openapi-core or file)."""
    spec = find_spec()
    if spec is None or importlib.util.find_spec("openapi_core") is None:
        return None
    return ResponseValidator(spec)


@pytest.fixture(scope="session")
def x_emulator_config() -> Config:
    """The configuration every `x_emulator` is built from."""
    return emulator_test_config()


@pytest.fixture
def x_emulator(
    x_emulator_config: Config, x_openapi_validator: ResponseValidator | None
) -> Iterator[Emulator]:
    """A running emulator with a stepped clock; its responses are validated at teardown."""
    emulator = Emulator(x_emulator_config, seed=0, clock=Clock.stepped(TEST_START))
    seen: list[Exchange] = []
    emulator.observe(seen.append)
    with emulator:
        yield emulator
    if x_openapi_validator is not None:
        problems = [v for e in seen for v in x_openapi_validator.violations(e)]
        fail_on_violations(problems, "X's OpenAPI description")


def fail_on_violations(problems: list[str], description: str) -> None:
    """Fail the test when an emulator's responses broke its API description."""
    if problems:
        pytest.fail(
            f"{len(problems)} emulator response(s) do not match {description}:\n"
            + "\n".join(problems[:20]),
            pytrace=False,
        )
