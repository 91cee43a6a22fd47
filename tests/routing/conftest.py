"""Fixtures of the router tests: the shipped Jun configuration and its day-one router."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jun_engine.config import Config, load_config
from jun_engine.routing.router import Router
from jun_engine.routing.setup import build_router

ROOT = Path(__file__).resolve().parents[2]
MADRID = Path(os.environ.get("JUN_ROUTING_DATA", ROOT.parent / "shared" / "data" / "routing"))


@pytest.fixture(scope="session")
def jun_config() -> Config:
    """The shipped accounts.yaml."""
    return load_config(ROOT / "accounts.yaml").config


@pytest.fixture(scope="session")
def jun_router(jun_config: Config) -> Router:
    """The day-one router: Jun's rules and a model trained on the seed set."""
    return build_router(jun_config, ROOT)


@pytest.fixture(scope="session")
def madrid_dir() -> Path:
    """The Madrid development data; tests that need it skip only if it is absent."""
    if not (MADRID / "madrid_dev.csv").exists():
        pytest.skip(f"no Madrid data at {MADRID} (set JUN_ROUTING_DATA)")
    return MADRID
