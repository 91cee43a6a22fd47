"""`jun-engine status`: the intake's health per account and stream, from the database alone.

It only reads: it opens SQLite read-only (so a read-only or full disk does not stop it), and says
whether the database could take the daemon's writes; its exit code says so too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jun_engine.channels.line.quota import QuotaHealth
from jun_engine.cli import console as cli_console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.config.schema import Config
from jun_engine.service.report import IntakeReport, MailHealth, StreamHealth, intake_report
from jun_engine.store.condition import Condition, condition_of
from jun_engine.store.engine import create_reader_engine
from jun_engine.store.errors import DatabaseUrlError, StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope


def register(app: typer.Typer) -> None:
    """Attach `status` to the root app."""
    app.command("status")(status)


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the daemon's health: whether the database takes writes, per account and stream the
    last poll, checkpoint, messages stored, backlog, errors, how often it is polled and why, rate
    limit and today's spend; per LINE account the month's messages used of its cap, its plan and
    any quota warning; per department e-mailed, its e-mails sent, waiting and failed. Works
    while the daemon runs, and on a read-only or full disk: it only reads.

    Exit codes: 0 shown and the database takes writes, 2 bad --db, 3 database unreachable,
    schema not current, or it cannot take the daemon's writes (read-only, disk full: the table
    is shown, with what is wrong).
    """
    options = global_options(ctx)
    town = _town(options.config_path)
    names = {} if town is None else {a.user_id: key for key, a in town.accounts.items()}
    cap = None if town is None else town.x.daily_spend_cap_usd
    line = town.line.accounts if town is not None and town.line is not None else {}
    try:
        engine = create_reader_engine(options.db_url)
        try:
            ensure_schema_current(engine)
            with session_scope(engine) as session:
                report = intake_report(session, names, cap_usd=cap, line_accounts=line)
            condition = condition_of(engine)
        finally:
            engine.dispose()
    except DatabaseUrlError as error:
        cli_console.fail(ExitCode.USAGE, str(error))
    except StoreError as error:
        cli_console.fail(ExitCode.DATABASE, str(error))
    if as_json:
        cli_console.print_json({"database": _condition_json(condition), **report.to_json()})
    else:
        _print(report, condition, ZoneInfo(town.town.timezone if town else "UTC"))
    if not condition.ok:
        raise typer.Exit(ExitCode.DATABASE)


def _condition_json(condition: Condition) -> dict[str, object]:
    state = condition.fault.value if condition.fault is not None else "ok"
    return {"state": state, "detail": condition.detail}


def _town(config_path: Path) -> Config | None:
    # The town is a nicety: without a readable accounts.yaml the table shows account ids, times
    # in UTC and the steady poll intervals.
    try:
        return load_config(config_path).config
    except (ConfigError, OSError):
        return None


def _print(report: IntakeReport, condition: Condition, zone: ZoneInfo) -> None:
    console = Console()
    if not console.is_terminal:  # a pipe or a file: print the whole table, do not squeeze it
        console = Console(width=200)
    if condition.fault is None:
        console.print(f"database: takes writes ({escape(condition.detail)})")
    else:
        console.print(
            f"[bold red]database: {condition.fault.value}[/]: {escape(condition.detail)}; "
            "the daemon cannot store messages or send replies until this is fixed"
        )
    daemon = report.daemon
    if daemon.running and daemon.heartbeat_late_seconds:
        console.print(
            f"[bold red]daemon: not responding[/]: pid {daemon.pid} on "
            f"{escape(daemon.host or '?')}, last heartbeat {_time(daemon.heartbeat_at, zone)} "
            f"({daemon.heartbeat_late_seconds} s late): it cannot write to the database "
            "(see its log) or it died without releasing its lock"
        )
    elif daemon.running:
        console.print(
            f"daemon: running, pid {daemon.pid} on {escape(daemon.host or '?')}, "
            f"heartbeat {_time(daemon.heartbeat_at, zone)}"
        )
    else:
        console.print("daemon: not running")
    table = Table(
        title=f"intake on {report.day.isoformat()} (the UTC day X bills by)",
        title_justify="left",
        caption=cli_console.zone_caption(zone),
        caption_justify="left",
    )
    for column in (
        "account",
        "stream",
        "state",
        "last poll",
        "checkpoint",
        "stored",
        "backlog",
        "errors",
        "polled every",
        "rate limit",
        "spend today",
    ):
        table.add_column(column, justify="right" if column in {"stored", "backlog"} else "left")
    for stream in report.streams:
        table.add_row(*_row(stream, zone))
    console.print(table)
    counts = ", ".join(f"{n} {status}" for status, n in report.messages_by_status.items())
    console.print(f"messages: {counts}")
    console.print(f"today: {report.requests_today} request(s), ${report.spend_today_usd:.4f} spent")
    _print_sending(console, report, zone)
    for quota in report.line_quota:
        console.print(_quota_line(quota, zone))
    for mail in report.department_mail:
        console.print(_mail_line(mail, zone))


def _print_sending(console: Console, report: IntakeReport, zone: ZoneInfo) -> None:
    """The outbox's queues with their ETAs, and each day budget (a warning when running out)."""
    if report.queues:
        table = Table(title="outbox: what waits, and when it should be out", title_justify="left")
        for column in ("account", "quota", "waiting", "next", "all out by"):
            table.add_column(column, justify="right" if column == "waiting" else "left")
        for queue in report.queues:
            table.add_row(
                escape(queue.account),
                queue.quota,
                str(queue.waiting),
                _time(queue.next_at, zone),
                _time(queue.last_at, zone),
            )
        console.print(table)
    for budget in report.budgets:
        if budget.running_out:
            console.print(f"[bold yellow]warning: {escape(budget.line)}[/]")
        else:
            console.print(f"budget: {escape(budget.line)}")


def _quota_line(quota: QuotaHealth, zone: ZoneInfo) -> str:
    """One LINE account's month, e.g. `LINE jun_line: 183 / 200 messages this month (plan free)`."""
    cap = "no cap" if quota.cap is None else f"{quota.cap:,}"
    line = f"LINE {escape(quota.account)}: {quota.used:,} / {cap} messages this month "
    line += f"(plan {quota.plan}"
    if quota.reported_at is not None:
        limit = "none" if quota.reported_limit is None else f"{quota.reported_limit:,}"
        line += f"; LINE's limit {limit}, read {_time(quota.reported_at, zone)}"
    line += ")"
    if quota.warning:
        line += f" [bold yellow]WARNING[/]: {escape(quota.warning)}"
    return line


def _mail_line(mail: MailHealth, zone: ZoneInfo) -> str:
    """One department's e-mails, e.g. `e-mail to police: 12 sent (last 09:14), 1 waiting`."""
    line = f"e-mail to {escape(mail.department)}: {mail.sent:,} sent"
    if mail.last_sent_at is not None:
        line += f" (last {_time(mail.last_sent_at, zone)})"
    line += f", {mail.waiting:,} waiting"
    if not mail.troubled:
        return line
    line += f", {mail.failed:,} failed, {mail.unconfirmed:,} unconfirmed"
    return (
        f"[bold yellow]warning: {line}[/]: {escape(mail.last_error or '-')}; never resent by "
        "itself (the cases are on the web desk and in the department's next digest)"
    )


def _row(stream: StreamHealth, zone: ZoneInfo) -> list[str]:
    errors = "-"
    if stream.failures or stream.last_error:
        errors = f"{stream.failures}: {escape(stream.last_error or '')}"
    limit = "-"
    if stream.rate_limit_remaining is not None:
        limit = (
            f"{stream.rate_limit_remaining} left, reset {_time(stream.rate_limit_reset_at, zone)}"
        )
    return [
        escape(stream.account),
        stream.stream,
        stream.state,
        _time(stream.last_poll_at, zone),
        _time(stream.checkpoint_time, zone),
        str(stream.stored),
        str(stream.backlog),
        errors,
        _every(stream),
        limit,
        f"${stream.spend_today_usd:.4f}",
    ]


def _every(stream: StreamHealth) -> str:
    """The poll interval and its reason, e.g. `3.8 s (300 per 15 min per account, 80% of it)`."""
    every = "paused" if stream.poll_every_s is None else f"{stream.poll_every_s:g} s"
    return f"{every} ({escape(stream.poll_reason)})"


def _time(moment: datetime | None, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}" if moment is not None else "-"
