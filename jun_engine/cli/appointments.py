"""`jun-engine appointments`: the day's list for staff (a table or JSON), and cancelling one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from sqlmodel import Session

from jun_engine.cli import console
from jun_engine.cli.context import GlobalOptions, global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import Config, ConfigError, load_config
from jun_engine.selfservice import appointments
from jun_engine.selfservice.errors import BadInputError, NoAppointmentBookError, SelfServiceError
from jun_engine.selfservice.slots import local_day
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope

HELP = (
    "Appointments residents booked by DM (see docs/selfservice.md).\n\n"
    "They hold personal data: the list is for staff at the desk, never for posting."
)
DateOption = Annotated[
    str | None, typer.Option("--date", help="The local day, YYYY-MM-DD (default: today).")
]
DepartmentOption = Annotated[
    str | None, typer.Option("--department", "-d", help="A department key (default: all).")
]


def register(app: typer.Typer) -> None:
    """Attach the `appointments` command group to the root app."""
    group = typer.Typer(name="appointments", help=HELP, no_args_is_help=True)
    group.command("list")(list_command)
    group.command("cancel")(cancel_command)
    app.add_typer(group)


def list_command(
    ctx: typer.Context,
    day: DateOption = None,
    department: DepartmentOption = None,
    limit: console.LimitOption = 200,
    as_json: console.JsonOption = False,
) -> None:
    """The booked appointments of a day, by time."""
    with staff_session(global_options(ctx)) as (session, config):
        when = parse_day(day, config)
        if department is not None and department not in config.appointments:
            raise NoAppointmentBookError(department, sorted(config.appointments))
        rows, more = console.limited(
            appointments.day_list(session, config, when, department), limit
        )
    zone = ZoneInfo(config.town.timezone)
    items = [
        {
            "reference": a.reference,
            "department": a.department,
            "starts_at": console.iso(a.starts_at),
            "time": f"{a.starts_at.astimezone(zone):%H:%M}",
            "resident_id": a.resident_id,
            "name": name,
            "language": a.language,
        }
        for a, name in rows
    ]
    if as_json:
        console.print_json({"date": when, "appointments": items})
        return
    table = console.table(
        "time", "department", "reference", "resident", "language",
        title=f"Appointments on {when:%A %d %B %Y}", zone=zone, caption=more,
    )  # fmt: skip
    for item in items:
        name = item["name"] or f"#{item['resident_id']} (erased)"
        table.add_row(
            str(item["time"]), str(item["department"]), str(item["reference"]),
            escape(str(name)), str(item["language"]),
        )  # fmt: skip
    console.out().print(table if items else f"No appointments on {when.isoformat()}.")


def cancel_command(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The appointment's reference, e.g. JUN-A00042.")],
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Tell the resident by DM.")
    ] = True,
) -> None:
    """Cancel an appointment (its seat is freed) and tell the resident by DM."""
    with staff_session(global_options(ctx)) as (session, config):
        found = appointments.by_reference(session, reference)
        cancelled = appointments.cancel(session, found.id, datetime.now(UTC))
        if notify:
            appointments.notify_cancelled(session, config, cancelled)
    told = " and told the resident by DM" if notify else ""
    console.out().print(f"cancelled {cancelled.reference}{told}")


@contextmanager
def staff_session(options: GlobalOptions) -> Iterator[tuple[Session, Config]]:
    """The configuration and one transaction on a current schema; errors as one line each."""
    try:
        config = load_config(options.config_path).config
    except ConfigError as exc:
        fail(ExitCode.USAGE, str(exc))
    try:
        engine = create_engine_from_url(options.db_url)
        try:
            ensure_schema_current(engine)
            with session_scope(engine) as session:
                yield session, config
        finally:
            engine.dispose()
    except (NoAppointmentBookError, BadInputError) as exc:
        fail(ExitCode.USAGE, str(exc))
    except SelfServiceError as exc:
        fail(ExitCode.FAILURE, str(exc))
    except StoreError as exc:
        fail(ExitCode.DATABASE, str(exc))


def parse_day(text: str | None, config: Config) -> date:
    """`YYYY-MM-DD`, or today in the town when None."""
    if text is None:
        return local_day(config, datetime.now(UTC))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInputError(f"--date {text!r} is not a date; write it as YYYY-MM-DD") from None


fail = console.fail
