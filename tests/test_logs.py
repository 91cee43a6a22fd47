"""Logs: readable lines or JSON lines, and the body-logging HTTP libraries held at INFO."""

from __future__ import annotations

import io
import json
import logging

from jun_engine.logs import configure_logging, level_for


def test_json_lines_carry_time_level_logger_and_message() -> None:
    out = io.StringIO()
    configure_logging(json_lines=True, floor=logging.INFO, stream=out)
    logging.getLogger("jun_engine.test").info("stored %d message(s)", 3)
    entry = json.loads(out.getvalue().splitlines()[-1])
    assert entry["level"] == "info"
    assert entry["logger"] == "jun_engine.test"
    assert entry["message"] == "stored 3 message(s)"


def test_tweepy_and_oauthlib_never_log_bodies_even_at_debug() -> None:
    configure_logging(verbosity=2, stream=io.StringIO())
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("tweepy").level == logging.INFO
    assert logging.getLogger("oauthlib").level == logging.INFO
    assert logging.getLogger("httpx").level == logging.WARNING


def test_levels_for_verbosity() -> None:
    assert level_for(0) == logging.WARNING
    assert level_for(0, floor=logging.INFO) == logging.INFO
    assert level_for(1) == logging.INFO
    assert level_for(1, floor=logging.INFO) == logging.DEBUG
    assert level_for(2) == logging.DEBUG
