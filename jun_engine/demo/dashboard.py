"""The live view: a header with the town's clock and the totals, and a panel per thing the
engine does (messages in with their routing, acknowledgements, staff replies, escalations,
scheduled posts). Built from a `Feed`; rendered by rich's `Live` about four times a second."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rich.console import Group, RenderableType
from rich.layout import Layout
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from jun_engine.demo.feed import Feed, Line
from jun_engine.store.statuses import MessageStatus

REFRESH_PER_SECOND = 4


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
            return "stopping"
        if self.elapsed >= self.quiet_at:
            return "town quiet: the engine finishes what it has"
        return f"town writing (quiet in {self.quiet_at - self.elapsed:.0f} s)"


def render(feed: Feed, moment: Moment, town_name: str) -> RenderableType:
    """The whole dashboard for this moment."""
    layout = Layout()
    layout.split_column(
        Layout(_header(feed, moment, town_name), name="header", size=5),
        Layout(name="top", ratio=3),
        Layout(name="bottom", ratio=2),
    )
    layout["top"].split_row(
        Layout(_incoming(feed), ratio=3),
        Layout(_lines("Acknowledgements", feed.acks, ("case", "as", "from")), ratio=2),
    )
    layout["bottom"].split_row(
        Layout(_lines("Staff replies", feed.staff, ("case", "department"))),
        Layout(_lines("Escalations", feed.escalations, ("case", "to"))),
        Layout(_lines("Scheduled posts", feed.scheduled, ("what", "text")), ratio=2),
    )
    return layout


def _header(feed: Feed, moment: Moment, town_name: str) -> Panel:
    t = feed.totals
    clock = Text.assemble(
        (f"{town_name} ", "bold"),
        (f"{moment.town_now:%a %d %b %H:%M} UTC", "bold cyan"),
        f"  ×{moment.speed:g}   ",
        (f"{moment.elapsed:.0f} s of {moment.duration:.0f} s", "bold"),
        f"   {moment.phase}",
    )
    counts = Text(
        f"received {t.received}  stored {t.stored}  processed {t.processed} "
        f"(waiting verification {t.waiting})  cases {t.cases}  acknowledged {t.acks}  "
        f"staff replies {t.staff_replies}  escalations {t.escalations}  scheduled {t.scheduled}"
    )
    money = Text(
        f"posts+DMs sent {t.sent}  outbox waiting {t.outbox_pending}  "
        f"API requests {t.requests}  cost ${t.cost_usd:.3f} (emulator ledger ${t.ledger_usd:.3f})"
    )
    return Panel(Group(clock, counts, money), title="jun-engine demo", border_style="cyan")


def _incoming(feed: Feed) -> Panel:
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False)
    for header, width in (("time", 5), ("kind", 7), ("from", 16), ("to", 16)):
        table.add_column(header, width=width, no_wrap=True, overflow="ellipsis")
    table.add_column("text", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("routing", min_width=30, no_wrap=True, overflow="ellipsis")
    for message_id, line in reversed(feed.incoming):
        table.add_row(f"{line.at:%H:%M}", *line.cells, _routing(feed, message_id))
    return Panel(table, title="Incoming mentions and DMs", border_style="green")


def _routing(feed: Feed, message_id: int) -> Text:
    routed = feed.routing_of(message_id)
    if routed is not None:
        department, reference = routed
        return Text(f"→ {department} {reference}", style="green")
    status = feed.status_of(message_id)
    if status is MessageStatus.WAITING_VERIFICATION:
        return Text("not verified: told how", style="yellow")
    if status is MessageStatus.NEW or status is None:
        return Text("…", style="dim")
    if status is MessageStatus.IGNORED:
        return Text("ignored", style="dim")
    return Text("handled, no case", style="cyan")


def _lines(title: str, lines: Iterable[Line], headers: tuple[str, ...]) -> Panel:
    table = _table(("time", *headers))
    for line in reversed(list(lines)):
        table.add_row(f"{line.at:%H:%M}", *line.cells)
    return Panel(table, title=title, border_style="blue")


def _table(headers: tuple[str, ...]) -> Table:
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False)
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ellipsis")
    return table
