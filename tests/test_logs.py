"""Logs: readable lines or JSON lines, and the body-logging HTTP libraries held at INFO."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Iterator

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler

from jun_engine.logs import CHATTY, QUIET, configure_logging, level_for


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


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's would."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _library_levels() -> Iterator[None]:
    """Put back the library loggers' levels `configure_logging` sets."""
    names = ("apscheduler.executors", "apscheduler.scheduler", *CHATTY, *QUIET)
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_a_terminal_line_carries_its_level_once() -> None:
    out = _Terminal()
    configure_logging(floor=logging.INFO, stream=out)
    logging.getLogger("jun_engine.daemon").info("started: %d account(s)", 2)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "started: 2 account(s)" in text
    assert "INFO:jun_engine.daemon:" not in text
    assert text.count("INFO") == 1


def _run_one_job() -> None:
    """Run one job in a real APScheduler scheduler and return once it has finished."""
    done = threading.Event()
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_listener(lambda _event: done.set(), EVENT_JOB_EXECUTED)
    scheduler.start()
    try:
        scheduler.add_job(lambda: None, id="tick", name="tick")
        assert done.wait(60), "the job did not run within 60 s"
    finally:
        scheduler.shutdown(wait=True)


def test_the_schedulers_routine_lines_are_off_at_the_default_level() -> None:
    out = io.StringIO()
    configure_logging(floor=logging.INFO, stream=out)
    _run_one_job()
    assert "Running job" not in out.getvalue()
    assert "executed successfully" not in out.getvalue()
    logging.getLogger("apscheduler.executors.default").warning("a job raised")
    assert "a job raised" in out.getvalue()


def test_the_schedulers_routine_lines_show_at_debug() -> None:
    out = io.StringIO()
    configure_logging(verbosity=1, floor=logging.INFO, stream=out)
    _run_one_job()
    assert "executed successfully" in out.getvalue()
