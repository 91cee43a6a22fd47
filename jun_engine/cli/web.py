"""`jun-engine web`: serve the town's web desk (staff inbox, case pages, analytics) on the
daemon's database; `jun-engine web report` makes the weekly report by hand (and `--send` e-mails
it), `jun-engine web reports` shows the newest reports and where their e-mails are."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from jun_engine.attachments.media import media_root
from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.domain.errors import MissingSecret
from jun_engine.store.errors import DatabaseError, SchemaError

if TYPE_CHECKING:
    from jun_engine.mail.delivery import MailState

HELP = (
    "The town's web desk: staff work their cases in a browser, the mayor's office reads the "
    "analytics.\n\nSign-in accounts come from `jun-engine staff add`. Set JUN_WEB_SECRET (32+ "
    "random characters) so sessions survive a restart; serve it behind a TLS proxy when it "
    "listens beyond this machine. docs/web.md says more."
)


def register(app: typer.Typer) -> None:
    """Attach the `web` command group to the root app."""
    group = typer.Typer(name="web", help=HELP, invoke_without_command=True)
    group.callback()(serve_command)
    group.command("report")(report_command)
    group.command("reports")(reports_command)
    app.add_typer(group)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8080,
    districts: Annotated[
        Path | None,
        typer.Option("--districts", help="The town's districts as GeoJSON, for the map."),
    ] = None,
) -> None:
    """Serve the web desk until Ctrl-C (http://HOST:PORT/)."""
    if ctx.invoked_subcommand is not None:
        return
    from jun_engine.channels.open311.server import mount
    from jun_engine.web import charts
    from jun_engine.web.app import create_app
    from jun_engine.web.desk import real_now
    from jun_engine.web.server import serve
    from jun_engine.web.settings import WebSettingsError, from_environment

    with town_and_database(ctx) as (config, engine):
        folder = global_options(ctx).config_path.parent
        if districts is None and config.town.districts_geojson is not None:
            districts = folder / config.town.districts_geojson
        try:
            settings = from_environment(
                host, districts_geojson=districts, media_dir=media_root(config, folder)
            )
        except WebSettingsError as exc:
            console.fail(ExitCode.USAGE, str(exc))
        console.out().print(
            f"web desk on http://{host}:{port}/, Open311 at /open311/v2/ (Ctrl-C stops it)"
        )
        threading.Thread(target=charts.warm, name="warm-charts", daemon=True).start()
        open311 = mount(config, engine, real_now)
        serve(create_app(config, engine, settings, mounts=[open311]), host, port)


def report_command(
    ctx: typer.Context,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Then e-mail it as accounts.yaml's `reports.email` says, unless it was sent "
            "or may have been.",
        ),
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again", help="With --send: e-mail it even if it was sent or may have been."
        ),
    ] = False,
) -> None:
    """Make (or remake) last week's report for the mayor's office and keep it in the desk.

    Exit codes: 0 made (and with --send, e-mailed or already sent), 1 the e-mail failed or is
    unconfirmed, 2 no `reports.email` in accounts.yaml or its login unset, 3 database."""
    from jun_engine.mail.delivery import report_mailer, send_latest
    from jun_engine.web.report import make_weekly_report

    if again and not send:
        console.fail(ExitCode.USAGE, "--again goes with --send")
    with town_and_database(ctx) as (config, engine):
        try:
            mailer = report_mailer(config, os.environ) if send else None
        except MissingSecret as exc:
            console.fail(ExitCode.USAGE, str(exc))
        if send and mailer is None:
            console.fail(ExitCode.USAGE, "accounts.yaml has no `reports.email`: nowhere to send")
        try:
            now = datetime.now(UTC)
            make_weekly_report(engine, config, now)
            state = None if mailer is None else send_latest(engine, mailer, now, again=again)
        except (DatabaseError, SchemaError) as exc:
            console.fail(ExitCode.DATABASE, str(exc))
    console.out().print("weekly report made; see /reports in the web desk")
    if state is not None:
        _said(state, ZoneInfo(config.town.timezone))


def _said(state: MailState, zone: ZoneInfo) -> None:
    """One line on the report's e-mail; exit 1 unless it is sent."""
    from jun_engine.domain.statuses import MailStatus

    week = state.week_start.isoformat()
    if state.status is MailStatus.SENT:
        sent = console.local(state.sent_at, zone)
        console.out().print(f"e-mailed the report of the week of {week} at {sent} ({zone.key})")
        return
    hint = " (`--again` sends it anyway)" if state.status is MailStatus.UNCONFIRMED else ""
    console.fail(
        ExitCode.FAILURE,
        f"the report of the week of {week} is {state.status.value}: {state.error or '-'}{hint}",
    )


def reports_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, help="How many reports.")] = 8,
    as_json: console.JsonOption = False,
) -> None:
    """The newest weekly reports and where their e-mails are: unsent, sending, retrying, sent,
    unconfirmed (an attempt that may have arrived: check the mailbox; `report --send --again`
    resends) or failed."""
    from jun_engine.mail.delivery import mail_states

    with town_and_database(ctx) as (config, engine):
        try:
            states = mail_states(engine, limit)
        except (DatabaseError, SchemaError) as exc:
            console.fail(ExitCode.DATABASE, str(exc))
    if as_json:
        console.print_json(states)
        return
    zone = ZoneInfo(config.town.timezone)
    shown = console.table(
        "week of",
        "e-mail",
        "attempts",
        "last attempt",
        "next",
        "sent",
        "error",
        title="weekly reports",
        zone=zone,
    )
    for state in states:
        shown.add_row(
            state.week_start.isoformat(),
            state.status.value,
            str(state.attempts),
            console.local(state.attempted_at, zone),
            console.local(state.next_at, zone),
            console.local(state.sent_at, zone),
            escape(state.error or ""),
        )
    console.wide_out().print(shown)
