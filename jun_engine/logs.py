"""Logging for every command: readable by a person by default, JSON lines on request.

What is logged never holds a message's text or a secret: stages log ids and lengths. The HTTP
libraries that would log whole request and response bodies (residents' DMs) are held at INFO
whatever the verbosity. Libraries that log routine work at INFO (APScheduler: two lines per job
run, every few seconds) speak at the default level only when something is wrong; `-v` (DEBUG)
lets them through.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.logging import RichHandler

CHATTY = ("tweepy", "oauthlib", "requests_oauthlib", "urllib3", "httpcore")
"""Libraries that log request and response bodies or headers at DEBUG: never below INFO."""
QUIET = ("httpx", "fontTools")
"""Libraries that log routine work at INFO (every request of the emulator clock's; each table
of a font subset into the weekly PDF): only their warnings."""
ROUTINE = ("apscheduler.executors", "apscheduler.scheduler")
"""Libraries that log each job run ("Running job", "executed successfully") at INFO: their
warnings only, unless the command runs at DEBUG."""
PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def level_for(verbosity: int, floor: int = logging.WARNING) -> int:
    """The root level for `-v` counted `verbosity` times: the floor, INFO, then DEBUG."""
    if verbosity <= 0:
        return floor
    return logging.INFO if verbosity == 1 and floor > logging.INFO else logging.DEBUG


def configure_logging(
    verbosity: int = 0,
    *,
    json_lines: bool = False,
    floor: int = logging.WARNING,
    stream: TextIO | None = None,
) -> None:
    """Set up the root logger once for this process (calling again replaces the setup)."""
    out = stream if stream is not None else sys.stderr
    level = level_for(verbosity, floor)
    handler: logging.Handler
    if json_lines:
        handler = logging.StreamHandler(out)
        handler.setFormatter(JsonLines())
    elif out.isatty():
        handler = RichHandler(console=Console(file=out), show_path=False, rich_tracebacks=False)
        # RichHandler prints the time and level itself: its formatter gives the message alone
        # (without one, basicConfig would prefix every line with "INFO:logger:" a second time).
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(out)
        handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in ROUTINE:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.WARNING)
