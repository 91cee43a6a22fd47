"""The LINE emulator's fixtures (the shipped plugin) and the test town's configuration for
LINE's channel tests."""

from pathlib import Path

import pytest

from jun_engine.config.schema import Config
from jun_engine.emulator.line.testing import (  # noqa: F401 (fixtures)
    line_emulator,
    line_openapi_validator,
    line_webhook_inbox,
)
from jun_engine.emulator.testing import emulator_test_config
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router


@pytest.fixture(scope="module")
def config() -> Config:
    return emulator_test_config()


@pytest.fixture(scope="module")
def router(config: Config) -> Router:
    return build_router(config, config_dir=Path(__file__).resolve().parents[3])
