"""`jun-engine web`: serve the town's web desk (staff inbox, case pages, analytics) on the
daemon's database; `jun-engine web report` makes the weekly report by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from jun_engine.attachments.media import media_root
from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store.errors import DatabaseError, SchemaError

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
    from jun_engine.web import charts
    from jun_engine.web.app import create_app
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
        console.out().print(f"web desk on http://{host}:{port}/ (Ctrl-C stops it)")
        threading.Thread(target=charts.warm, name="warm-charts", daemon=True).start()
        serve(create_app(config, engine, settings), host, port)


def report_command(ctx: typer.Context) -> None:
    """Make (or remake) last week's report for the mayor's office and keep it in the desk."""
    from jun_engine.web.report import make_weekly_report

    with town_and_database(ctx) as (config, engine):
        try:
            make_weekly_report(engine, config, datetime.now(UTC))
        except (DatabaseError, SchemaError) as exc:
            console.fail(ExitCode.DATABASE, str(exc))
    console.out().print("weekly report made; see /reports in the web desk")
