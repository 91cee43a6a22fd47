"""Fixtures for the scheduler tests: the shipped town, a fixed 'today', the emulator plugin."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jun_engine.config.schema import Config
from jun_engine.emulator.testing import (
    emulator_test_config,
    x_emulator,
    x_emulator_config,
    x_openapi_validator,
)

__all__ = ["x_emulator", "x_emulator_config", "x_openapi_validator"]

MONDAY = date(2026, 3, 2)
"""The tests' today: a school day (Monday 2 March 2026), the emulator's first day too."""
MONDAY_0900 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def config() -> Config:
    """The shipped accounts.yaml (Jun): one school, four districts, topics and age groups."""
    return emulator_test_config()
