"""`jun-engine alert`: an emergency post from the town account, ahead of everything queued."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jun_engine.cli.scheduling_desk import desk, out, refusals
from jun_engine.scheduling.alerts import raise_alert
from jun_engine.store.session import session_scope


def register(app: typer.Typer) -> None:
    """Attach the `alert` command to the root app."""
    app.command("alert")(alert_command)


def alert_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The alert, as residents should read it.")],
    dm: Annotated[
        bool, typer.Option("--dm", help="Also DM the residents who accept notices.")
    ] = False,
    district: Annotated[
        list[str] | None, typer.Option("--district", help="DM only this district (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Post an emergency alert from the town account at once (it jumps every queue).

    The running daemon sends it first, before any queued reply, menu, notice or DM.
    """
    with desk(ctx) as opened, refusals(), session_scope(opened.engine) as session:
        queued = raise_alert(
            session,
            opened.config,
            text,
            opened.clock.now(),
            dm=dm,
            districts=tuple(district or ()),
        )
    if as_json:
        typer.echo(
            json.dumps({"alert": queued.alert_id, "key": queued.post_key, "dms": queued.dms})
        )
        return
    extra = f" and {queued.dms} DM(s)" if dm else ""
    out().print(f"alert {queued.alert_id} queued: a post from the town account{extra}")
