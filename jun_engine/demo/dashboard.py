"""The live view: a header with the town's clock and the totals, and panels of what the engine
does (messages in, newest first, with their routing; acknowledgements, staff replies,
escalations, scheduled posts). Built from a `Feed`; rendered by rich's `Live` about four times a
second. Times are the town's, its zone named in the header.

It fits the terminal it is drawn on: from 120 columns the engine's work gets four panels beside
and below the messages; narrower (an 80x24 terminal), one panel lists it all in time order. A
case reference is never cut: a department's name gives way first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.layout import Layout
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from jun_engine.demo.feed import Feed, Line, Totals
from jun_engine.domain.statuses import MessageStatus

REFRESH_PER_SECOND = 4
WIDE = 120
"""From this many columns the engine's work is split into four panels."""
REFERENCE_WIDTH = 15
"""`JUN-2026-000123`: always shown whole."""


@dataclass(frozen=True, slots=True)
class Moment:
    """Where the run is: the town's time and speed, real seconds gone, and the phase."""

    town_now: datetime
    speed: float
    elapsed: float
    duration: float
    quiet_at: float

    @property
    def phase(self) -> str:
        """What is happening now, in words."""
        if self.elapsed >= self.duration:
            return "the engine finishes what it has, then stops"
        if self.elapsed >= self.quiet_at:
            return "town quiet: the engine finishes what it has"
        return f"town writing (quiet in {self.quiet_at - self.elapsed:.0f} s)"


class Dashboard:
    """The dashboard for one moment, laid out for the width and height it is given."""

    def __init__(self, feed: Feed, moment: Moment, town_name: str) -> None:
        self.feed = feed
        self.moment = moment
        self.town_name = town_name

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield render(self.feed, self.moment, self.town_name, width=options.max_width)


def render(feed: Feed, moment: Moment, town_name: str, *, width: int = 160) -> RenderableType:
    """The whole dashboard for this moment, laid out for `width` columns (the height is the
    console's)."""
    zone = ZoneInfo(feed.config.town.timezone)
    header = _header(feed.totals, moment, town_name, zone, width)
    panel = Panel(Group(*header), title="jun-engine demo", border_style="cyan")
    layout = Layout()
    layout.split_column(
        Layout(panel, name="header", size=len(header) + 2),
        Layout(name="top", ratio=3),
        Layout(name="bottom", ratio=2),
    )
    if width < WIDE:
        layout["top"].update(_incoming(feed, zone, narrow=True))
        layout["bottom"].update(_activity(feed, zone))
        return layout
    layout["top"].split_row(
        Layout(_incoming(feed, zone, narrow=False), ratio=2),
        Layout(_lines("Acknowledgements", feed.acks, (("case", 0), ("as", 0), ("from", 1)), zone)),
    )
    layout["bottom"].split_row(
        Layout(_lines("Staff replies", feed.staff, (("case", 0), ("department", 1)), zone)),
        Layout(_lines("Escalations", feed.escalations, (("case", 0), ("to", 1)), zone)),
        Layout(
            _lines("Scheduled posts", feed.scheduled, (("what", 0), ("text", 1)), zone), ratio=2
        ),
    )
    return layout


def _header(t: Totals, moment: Moment, town_name: str, zone: ZoneInfo, width: int) -> list[Text]:
    local = moment.town_now.astimezone(zone)
    clock = [
        f"{town_name} {local:%a %d %b %H:%M %Z}",
        f"×{moment.speed:g}",
        f"{moment.elapsed:.0f} s of {moment.duration:.0f} s",
        moment.phase,
    ]
    figures = [
        f"from residents {t.received} + {t.codes} code DMs",
        f"stored {t.stored} (+{t.own} of the engine's own, ignored)",
        f"processed {t.processed} ({t.waiting} wait for verification)",
        f"cases {t.cases}, {t.acks} acknowledged",
        f"staff replies {t.staff_posted}, {t.staff_replies} on cases",
        f"escalations {t.escalations}",
        f"scheduled {t.scheduled}",
        f"sent {t.sent} (waiting {t.outbox_pending})",
        f"API {t.requests} requests ${t.cost_usd:.2f}: today (UTC) ${t.cost_today_usd:.2f}",
        f"emulator ledger ${t.ledger_usd:.2f}",
    ]
    lines = [Text(line, style="bold") for line in _wrapped(clock, width - 4, gap="  ")]
    return lines + [Text(line) for line in _wrapped(figures, width - 4)]


def _wrapped(items: list[str], width: int, gap: str = " · ") -> Iterator[str]:
    """The items on as few lines of `width` as they fit, whole."""
    line = ""
    for item in items:
        candidate = f"{line}{gap}{item}" if line else item
        if line and len(candidate) > width:
            yield line
            candidate = item
        line = candidate
    if line:
        yield line


def _incoming(feed: Feed, zone: ZoneInfo, *, narrow: bool) -> Panel:
    table = _grid()
    table.add_column("time", width=5, no_wrap=True)
    if not narrow:
        table.add_column("kind", width=4, no_wrap=True)
    table.add_column("from", width=14 if narrow else 16, no_wrap=True, overflow="ellipsis")
    if not narrow:
        table.add_column("to", width=14, no_wrap=True, overflow="ellipsis")
    table.add_column("text", ratio=1, min_width=12, no_wrap=True, overflow="ellipsis")
    table.add_column("routing", width=24 if narrow else 28, no_wrap=True, overflow="ellipsis")
    for message_id, line in reversed(feed.incoming):
        kind, author, to, text = line.cells
        kind = "DM" if kind == "DM" else "post"
        cells = (author, text) if narrow else (kind, author, to, text)
        table.add_row(_time(line, zone), *cells, _routing(feed, message_id))
    title = "Messages in, newest first" + (" (DMs shown as (private))" if narrow else "")
    return Panel(table, title=title, border_style="green")


def _routing(feed: Feed, message_id: int) -> Text:
    routed = feed.routing_of(message_id)
    if routed is not None:
        department, reference = routed
        return Text(f"{reference} → {department}", style="green")
    status = feed.status_of(message_id)
    if status is MessageStatus.WAITING_VERIFICATION:
        return Text("not verified: told how", style="yellow")
    if status is MessageStatus.NEW or status is None:
        return Text("…", style="dim")
    if status is MessageStatus.IGNORED:
        return Text("ignored", style="dim")
    return Text("handled, no case", style="cyan")


def _lines(
    title: str, lines: Iterable[Line], columns: tuple[tuple[str, int], ...], zone: ZoneInfo
) -> Panel:
    """A panel of lines, newest first; a column of ratio 0 takes its content's width (a case
    reference is never cut), the others share the rest."""
    table = _grid()
    table.add_column("time", width=5, no_wrap=True)
    for header, ratio in columns:
        table.add_column(
            header,
            no_wrap=True,
            overflow="ellipsis",
            min_width=REFERENCE_WIDTH if header == "case" else None,
            ratio=ratio or None,
        )
    for line in sorted(lines, key=lambda shown: shown.at, reverse=True):
        table.add_row(_time(line, zone), *line.cells)
    return Panel(table, title=title, border_style="blue")


def _activity(feed: Feed, zone: ZoneInfo) -> Panel:
    """One panel of everything the engine did, newest first (for a narrow terminal)."""
    kinds = (
        ("ack", feed.acks, lambda c: (c[0], f"{c[1]} from {c[2]}")),
        ("staff", feed.staff, lambda c: (c[0], c[1])),
        ("escalated", feed.escalations, lambda c: (c[0], f"to {c[1]}")),
        ("scheduled", feed.scheduled, lambda c: ("", f"{c[0]}: {c[1]}")),
    )
    rows = [(line.at, what, *shape(line.cells)) for what, lines, shape in kinds for line in lines]
    table = _grid()
    table.add_column("time", width=5, no_wrap=True)
    table.add_column("what", width=9, no_wrap=True)
    table.add_column("case", width=REFERENCE_WIDTH, no_wrap=True)
    table.add_column("detail", ratio=1, no_wrap=True, overflow="ellipsis")
    for at, what, reference, detail in sorted(rows, key=lambda row: row[0], reverse=True):
        table.add_row(f"{at.astimezone(zone):%H:%M}", what, reference, detail)
    return Panel(table, title="The engine's work, newest first", border_style="blue")


def _grid() -> Table:
    return Table(expand=True, box=None, pad_edge=False, show_edge=False)


def _time(line: Line, zone: ZoneInfo) -> str:
    return f"{line.at.astimezone(zone):%H:%M}"
