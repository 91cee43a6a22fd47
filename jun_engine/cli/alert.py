"""`jun-engine alert`: an emergency post from the town account, ahead of everything queued.

An alert cannot be taken back once the daemon sends it, so the command says what it will post
(to how many residents it will DM, and its broadcast on each LINE account: the friends it is
expected to reach and the quota it spends) and asks first; `--yes` skips the question (scripts),
`--dry-run` only says.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from jun_engine.cli import console
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.cli.line_cost import LineCost, alert_costs
from jun_engine.cli.scheduling_desk import Desk, desk, refusals
from jun_engine.config.problems import plural
from jun_engine.scheduling.alerts import AlertQueued, alert_text, raise_alert
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
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Say what would be posted, DM'd and broadcast on LINE; queue nothing."
        ),
    ] = False,
    as_json: console.JsonOption = False,
) -> None:
    """Post an emergency alert from the town account at once (it jumps every queue).

    The running daemon sends it first, before any queued reply, menu, notice or DM. The command
    shows the post and how many residents would get a DM, and asks before queueing it (--yes
    does not ask; without a terminal --yes is required); --dry-run only shows.
    """
    districts = tuple(district or ())
    with desk(ctx) as opened, refusals():
        now = opened.clock.now()
        rehearsed = _rehearse(opened, text, now, dm, districts)
        with Session(opened.engine) as session:
            line = tuple(alert_costs(session, opened.config, now))
        preview = _Alert(alert_text(opened.config, text.strip(), now), rehearsed, dm, line)
        if dry_run:
            _report(opened, preview, None, as_json)
            return
        if not yes:
            _confirm(opened, preview)
        with session_scope(opened.engine) as session:
            queued = raise_alert(session, opened.config, text, now, dm=dm, districts=districts)
    _report(opened, _Alert(preview.text, queued, dm, preview.line), queued, as_json)


@dataclass(frozen=True, slots=True)
class _Alert:
    """The post as residents will read it, and what queueing it does (or would do)."""

    text: str
    queued: AlertQueued
    dm: bool = False
    line: tuple[LineCost, ...] = ()
    """Its broadcast on each LINE account."""

    def what(self, opened: Desk) -> str:
        town = "@" + opened.config.town_account().handle
        dms = f" and a DM to {plural(self.queued.dms, 'resident')}" if self.dm else ""
        casts = "".join(f" and {cost.text()}" for cost in self.line)
        return f"a post from {town}{dms}{casts}"


def _rehearse(
    opened: Desk, text: str, now: datetime, dm: bool, districts: tuple[str, ...]
) -> AlertQueued:
    """What the alert would queue, worked out in a transaction that is rolled back."""
    with Session(opened.engine) as session:
        try:
            return raise_alert(session, opened.config, text, now, dm=dm, districts=districts)
        finally:
            session.rollback()


def interactive() -> bool:
    """Whether someone at a terminal can answer the question."""
    return sys.stdin.isatty()


def _confirm(opened: Desk, alert: _Alert) -> None:
    if not interactive():
        console.fail(ExitCode.USAGE, "refusing to send an alert without --yes (no terminal)")
    console.out().print(escape(alert.text))
    if not typer.confirm(f"Send this now as {alert.what(opened)}?"):
        console.fail(ExitCode.FAILURE, "alert cancelled, nothing queued")


def _report(opened: Desk, alert: _Alert, queued: AlertQueued | None, as_json: bool) -> None:
    if as_json:
        console.print_json(
            {
                "alert": queued.alert_id if queued else None,
                "key": queued.post_key if queued else None,
                "text": alert.text,
                "dms": alert.queued.dms,
                "line": [cost.to_json() for cost in alert.line],
                "dry_run": queued is None,
            }
        )
        return
    if queued is None:
        console.out().print(escape(alert.text))
        console.out().print(f"dry run: would queue {alert.what(opened)}; nothing queued")
        return
    console.out().print(f"alert {queued.alert_id} queued: {alert.what(opened)}")
