"""Where the run is shown: rich's live dashboard on a terminal, one plain progress line every few
seconds elsewhere (CI, a pipe), and an SVG capture of the dashboard for the docs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Protocol
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.live import Live

from jun_engine.demo.dashboard import REFRESH_PER_SECOND, Dashboard, Moment, render
from jun_engine.demo.feed import Feed

PROGRESS_EVERY_SECONDS = 5.0
SVG_SIZE = (170, 46)
"""Columns and rows of the captured dashboard."""


class View(Protocol):
    """Something that shows the run as it goes."""

    def show(self, feed: Feed, moment: Moment) -> None:
        """Show the state at `moment` (called about four times a second)."""
        ...

    def close(self) -> None:
        """The run is over: leave the terminal as it was."""
        ...


class LiveView:
    """The rich dashboard, redrawn in place."""

    def __init__(self, console: Console, town_name: str) -> None:
        self._town = town_name
        self._live = Live(
            console=console, refresh_per_second=REFRESH_PER_SECOND, auto_refresh=False, screen=False
        )
        self._live.start()

    def show(self, feed: Feed, moment: Moment) -> None:
        """Redraw the dashboard."""
        self._live.update(Dashboard(feed, moment, self._town), refresh=True)

    def close(self) -> None:
        """Stop redrawing (the last frame stays on screen)."""
        self._live.stop()


class ProgressLines:
    """A plain line every `every` seconds of real time, for logs and pipes."""

    def __init__(self, out: IO[str], every: float = PROGRESS_EVERY_SECONDS) -> None:
        self._out = out
        self._every = every
        self._next = 0.0

    def show(self, feed: Feed, moment: Moment) -> None:
        """Print a line if one is due."""
        if moment.elapsed < self._next:
            return
        self._next = moment.elapsed + self._every
        print(progress_line(feed, moment), file=self._out, flush=True)

    def close(self) -> None:
        """Nothing to undo."""


def progress_line(feed: Feed, moment: Moment) -> str:
    """One line: real and town time (the town's zone), then the totals, as the header has them."""
    t = feed.totals
    local = moment.town_now.astimezone(ZoneInfo(feed.config.town.timezone))
    return (
        f"[{moment.elapsed:4.0f} s] town {local:%a %H:%M %Z} | received {t.received} "
        f"+ {t.codes} codes, stored {t.stored} (+{t.own} own) processed {t.processed} | "
        f"cases {t.cases} acknowledged {t.acks} | staff replies {t.staff_posted}, "
        f"{t.staff_replies} on cases | escalations {t.escalations} scheduled {t.scheduled} | "
        f"sent {t.sent} waiting {t.outbox_pending} | API {t.requests} requests "
        f"${t.cost_usd:.2f}, today (UTC) ${t.cost_today_usd:.2f}"
    )


def view_for(console: Console, town_name: str) -> View:
    """The live dashboard on a terminal, progress lines otherwise."""
    if console.is_terminal:
        return LiveView(console, town_name)
    return ProgressLines(console.file)


def save_svg(feed: Feed, moment: Moment, town_name: str, path: Path) -> None:
    """Write the dashboard as it is now to `path` as an SVG (for the README)."""
    columns, rows = SVG_SIZE
    console = Console(
        record=True, width=columns, height=rows, file=io.StringIO(), force_terminal=True
    )
    console.print(render(feed, moment, town_name, width=columns))
    console.save_svg(str(path), title="jun-engine demo")
