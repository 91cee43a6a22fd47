"""Fixtures for the daemon tests: the shipped configuration and a migrated database."""

from __future__ import annotations

import pytest

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.emulator.testing import x_emulator, x_emulator_config, x_openapi_validator
from tests.daemon.harness import CONFIG

__all__ = ["x_emulator", "x_emulator_config", "x_openapi_validator"]


@pytest.fixture(scope="session")
def town_config() -> Config:
    """The shipped accounts.yaml, which the emulator and the daemon both read."""
    return load_config(CONFIG).config


@pytest.fixture
def db(engine: object, db_url: str) -> str:
    """The URL of a database at head (the `engine` fixture migrated it)."""
    return db_url
