"""`jun-engine slots`: see a department's appointment slots for a day, and open or close days."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from jun_engine.cli import console
from jun_engine.cli.appointments import parse_day, staff_session
from jun_engine.cli.context import global_options
from jun_engine.config.problems import plural
from jun_engine.config.schema import Config
from jun_engine.selfservice import slots
from jun_engine.selfservice.errors import BadInputError, NoAppointmentBookError

HELP = (
    "Bookable appointment slots (accounts.yaml `appointments`, see docs/selfservice.md).\n\n"
    "`close` takes a day out (refused while anything is booked on it); `open` brings one back, "
    "or opens a holiday or a closure, in the book's hours or --hours."
)
_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
DateOption = Annotated[str | None, typer.Option("--date", help="The local day, YYYY-MM-DD.")]
DepartmentOption = Annotated[
    str | None,
    typer.Option("--department", "-d", help="A department key (default: the only bookable one)."),
]


def register(app: typer.Typer) -> None:
    """Attach the `slots` command group to the root app."""
    group = typer.Typer(name="slots", help=HELP, no_args_is_help=True)
    group.command("list")(list_command)
    group.command("open")(open_command)
    group.command("close")(close_command)
    app.add_typer(group)


def list_command(
    ctx: typer.Context,
    day: DateOption = None,
    department: DepartmentOption = None,
    limit: console.LimitOption = 200,
    as_json: console.JsonOption = False,
) -> None:
    """A department's slots on a day (today by default): time, seats, taken."""
    with staff_session(global_options(ctx)) as (session, config):
        key, when = _department(config, department), parse_day(day, config)
        found, more = console.limited(slots.day_slots(session, config, key, when), limit)
    zone = ZoneInfo(config.town.timezone)
    items = [
        {
            "time": f"{s.starts_at.astimezone(zone):%H:%M}",
            "ends": f"{s.ends_at.astimezone(zone):%H:%M}",
            "capacity": s.capacity,
            "booked": s.booked,
        }
        for s in found
    ]
    if as_json:
        console.print_json({"department": key, "date": when, "slots": items})
        return
    if not items:
        console.out().print(f"{key} has no appointment slots on {when.isoformat()}.")
        return
    table = console.table(
        "time", "ends", "seats", "booked",
        title=f"{key} slots on {when:%A %d %B %Y}", zone=zone, caption=more,
    )  # fmt: skip
    for item in items:
        table.add_row(*(str(item[k]) for k in ("time", "ends", "capacity", "booked")))
    console.out().print(table)


def open_command(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The local day, YYYY-MM-DD.")],
    department: DepartmentOption = None,
    hours: Annotated[
        list[str] | None,
        typer.Option("--hours", help="HH:MM-HH:MM, repeatable (default: the book's hours)."),
    ] = None,
) -> None:
    """Open a day for appointments (also a holiday or a configured closure)."""
    with staff_session(global_options(ctx)) as (session, config):
        key, when = _department(config, department), parse_day(day, config)
        ranges = _ranges(hours or [])
        count = slots.open_day(session, config, key, when, ranges)
    console.out().print(f"{key}: {when.isoformat()} is open, {plural(count, 'slot')}")


def close_command(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The local day, YYYY-MM-DD.")],
    department: DepartmentOption = None,
) -> None:
    """Close a day for appointments; refused while any is booked on it."""
    with staff_session(global_options(ctx)) as (session, config):
        key, when = _department(config, department), parse_day(day, config)
        removed = slots.close_day(session, config, key, when)
    console.out().print(
        f"{key}: {when.isoformat()} is closed ({plural(removed, 'free slot')} removed)"
    )


def _department(config: Config, department: str | None) -> str:
    books = sorted(config.appointments)
    if department is None and len(books) == 1:
        return books[0]
    if department is None:
        raise BadInputError(
            f"say which department with --department ({', '.join(books) or 'none is bookable'})"
        )
    if department not in config.appointments:
        raise NoAppointmentBookError(department, books)
    return department


def _ranges(hours: list[str]) -> list[str]:
    for text in hours:
        if not _RANGE.match(text.strip()):
            raise BadInputError(f"--hours {text!r} is not a range; write it as 09:00-13:00")
    return [text.strip() for text in hours]
