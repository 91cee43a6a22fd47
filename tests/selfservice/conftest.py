"""Fixtures for self-service: the shipped town's configuration and the test clock's start."""

from __future__ import annotations

from datetime import datetime

import pytest

from jun_engine.config.schema import Config
from jun_engine.emulator.testing import TEST_START, emulator_test_config


@pytest.fixture(scope="session")
def config() -> Config:
    """The shipped accounts.yaml (Jun, with the health centre's appointment book)."""
    return emulator_test_config()


@pytest.fixture
def now() -> datetime:
    """Monday 2 March 2026, 10:00 in Jun: a school day, the health centre open."""
    return TEST_START
