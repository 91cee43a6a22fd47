"""`jun-engine notices`: schedule one-off, recurring and segmented-DM notices, list, cancel, and
follow a DM notice's delivery (progress and ETA)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from sqlmodel import Session, col, select

from jun_engine.channels.x.limits import X_LIMITS
from jun_engine.cli import console
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.cli.line_cost import notice_cost, refuse_if_never_fits
from jun_engine.cli.scheduling_desk import Desk, desk, out, parse_time, refusals
from jun_engine.domain.messages import Channel
from jun_engine.outbox.progress import BatchProgress, batch_progress
from jun_engine.scheduling.line_casts import CastProgress, cast_progress
from jun_engine.scheduling.notice_queue import dm_prefix
from jun_engine.scheduling.notices import (
    NoticeRequest,
    NoticeView,
    add_notice,
    cancel_notice,
    get_notice,
    list_notices,
    view,
)
from jun_engine.store.session import session_scope
from jun_engine.store.tables import ScheduledItemRow

LIMITS = {Channel.X: X_LIMITS}
"""The write limits an ETA is laid out by: the channels notices are sent on."""

HELP = (
    "Notices: posts at a time or on a schedule, and DMs to residents who opted in.\n\n"
    "Times are the town's local time ('2026-03-05 20:00'). A one-off notice missed while the "
    "daemon was down is posted late until --until (default: a day later); a recurring one "
    "catches up with one post, never a burst. See docs/scheduling.md."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def register(app: typer.Typer) -> None:
    """Attach the `notices` command group to the root app."""
    group = typer.Typer(name="notices", help=HELP, no_args_is_help=True, rich_markup_mode="rich")
    group.command("add")(add_command)
    group.command("list")(list_command)
    group.command("cancel")(cancel_command)
    group.command("status")(status_command)
    app.add_typer(group)


def add_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to post or send.")],
    at: Annotated[str | None, typer.Option("--at", help="When (default: now).")] = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help="Recur, crontab style: '0 20 * * sun,tue'.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Valid until (one-off) or last day (recurring).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Post from this account key.")
    ] = None,
    dm: Annotated[
        bool, typer.Option("--dm", help="Send by DM to opted-in residents instead of posting.")
    ] = False,
    topic: Annotated[str | None, typer.Option("--topic", help="DM: the opt-in topic.")] = None,
    district: Annotated[
        list[str] | None, typer.Option("--district", help="DM: only this district (repeatable).")
    ] = None,
    age_group: Annotated[
        list[str] | None,
        typer.Option("--age-group", help="DM: only this age group (repeatable)."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel",
            help="x, line, or both (repeatable; default x). On LINE a notice is a broadcast "
            "(a narrowcast with --age-group), a --dm one multicasts to opted-in residents.",
        ),
    ] = None,
    line_account: Annotated[
        str | None, typer.Option("--line-account", help="LINE: send from this account key.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Schedule a notice."""
    with desk(ctx) as opened, refusals():
        zone = opened.zone()
        request = NoticeRequest(
            text=text,
            at=parse_time(at, zone, "--at") if at else None,
            cron=cron,
            until=parse_time(until, zone, "--until") if until else None,
            account=account,
            dm=dm,
            topic=topic,
            districts=tuple(district or ()),
            age_groups=tuple(age_group or ()),
            channels=_channels(channel),
            line_account=line_account,
        )
        with session_scope(opened.engine) as session:
            now = opened.clock.now()
            notice_id = add_notice(session, opened.config, request, now)
            notice = view(get_notice(session, notice_id))
            line = notice_cost(session, opened.config, notice_id, now)
            if line is not None:
                refuse_if_never_fits(session, opened.config, line, notice.priority, now)
    if as_json:
        console.print_json(_as_dict(notice))
        return
    when = f"{opened.local(notice.run_at)} {opened.zone().key}"
    out().print(f"notice {notice.id} scheduled for {when} ({_what(notice)})")


def _channels(names: list[str] | None) -> tuple[Channel, ...]:
    chosen: list[Channel] = []
    for name in names or ["x"]:
        if name not in (Channel.X.value, Channel.LINE.value):
            console.fail(ExitCode.USAGE, f"--channel {name!r}: use x or line")
        if Channel(name) not in chosen:
            chosen.append(Channel(name))
    return tuple(chosen)


def list_command(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Also the done, skipped and cancelled ones.")
    ] = False,
    limit: console.LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """The scheduled notices (and alerts), soonest first; where a notice goes on other channels
    than X, its channels follow what it is."""
    with desk(ctx) as opened, refusals(), session_scope(opened.engine) as session:
        notices, more = console.limited(list_notices(session, everything=everything), limit)
    if as_json:
        console.print_json([_as_dict(n) for n in notices])
        return
    table = console.table(
        "id", "next", "status", "from", "what", "text", title="Notices", zone=opened.zone(),
        caption=more,
    )  # fmt: skip
    for notice in notices:
        table.add_row(
            str(notice.id),
            opened.local(notice.run_at),
            notice.status.value,
            notice.account or "",
            _what(notice),
            escape(_short(notice.text)),
        )
    out().print(table)


def cancel_command(
    ctx: typer.Context, notice_id: Annotated[int, typer.Argument(help="The notice's id.")]
) -> None:
    """Stop a scheduled notice (what was already queued still goes out)."""
    with desk(ctx) as opened, refusals(), session_scope(opened.engine) as session:
        notice = cancel_notice(session, notice_id, opened.clock.now())
    out().print(f"notice {notice.id} cancelled")


def status_command(
    ctx: typer.Context,
    notice_id: Annotated[
        int | None, typer.Argument(help="One notice (default: every DM or LINE notice).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """How far each DM notice's delivery has gone, and when it should be done; for a notice on
    LINE, its casts sent, waiting and failed, and the recipients reached."""
    with desk(ctx) as opened, refusals(), session_scope(opened.engine) as session:
        now = opened.clock.now()
        notices = [view(get_notice(session, notice_id))] if notice_id else _dm_notices(session)
        progress = [(n, batch_progress(session, dm_prefix(n.id), now, LIMITS)) for n in notices]
        line = {n.id: cast_progress(session, n.id) for n in notices if "line" in n.channels}
    if as_json:
        console.print_json([_progress_dict(n, p, now, line.get(n.id)) for n, p in progress])
        return
    _show_progress(opened, progress, now)
    for notice_id, casts in line.items():
        out().print(
            f"notice {notice_id} on LINE: {casts.sent}/{casts.casts} cast(s) sent, "
            f"{casts.waiting} waiting, {casts.failed} failed, {casts.reached} reached"
            + (f" ({escape(casts.why)})" if casts.why else "")
        )


def _dm_notices(session: Session) -> list[NoticeView]:
    rows = session.exec(
        select(ScheduledItemRow)
        .where(sa.or_(col(ScheduledItemRow.dm), col(ScheduledItemRow.channels).contains("line")))
        .order_by(col(ScheduledItemRow.id))
    )
    return [view(row) for row in rows]


def _show_progress(
    opened: Desk, progress: list[tuple[NoticeView, BatchProgress]], now: datetime
) -> None:
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[sent]}/{task.fields[count]} sent"),
        TextColumn("{task.fields[eta]}"),
        console=out(),
        auto_refresh=False,
    )
    for notice, batch in progress:
        if notice.recipients is None:
            eta = f"to be queued at {opened.local(notice.run_at)} {opened.zone().key}"
        elif notice.recipients == 0:
            eta = "nobody matched"
        elif batch.done:
            eta = "done" + (f", {batch.failed + batch.abandoned} failed" if _lost(batch) else "")
        else:
            eta = f"ETA {opened.local(batch.eta or now)} {opened.zone().key} ({_left(batch, now)})"
        label = f"notice {notice.id} [{notice.priority}]"
        bars.add_task(
            label,
            total=max(batch.total, 1),
            completed=batch.sent,
            eta=eta,
            sent=batch.sent,
            count=batch.total,
        )
    bars.refresh()
    out().print(bars.get_renderable())


def _lost(batch: BatchProgress) -> int:
    return batch.failed + batch.abandoned


def _left(batch: BatchProgress, now: datetime) -> str:
    seconds = max(((batch.eta or now) - now).total_seconds(), 0)
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min left"


def _progress_dict(
    notice: NoticeView, batch: BatchProgress, now: datetime, line: CastProgress | None
) -> dict[str, object]:
    return {
        "line": None if line is None else line.to_json(),
        "notice": notice.id,
        "status": notice.status.value,
        "priority": notice.priority,
        "recipients": notice.recipients,
        "total": batch.total,
        "sent": batch.sent,
        "waiting": batch.waiting,
        "failed": batch.failed,
        "abandoned": batch.abandoned,
        "eta": console.iso(batch.eta),
        "seconds_left": (batch.eta - now).total_seconds() if batch.eta else 0.0,
    }


def _what(notice: NoticeView) -> str:
    where = "" if notice.channels == ("x",) else f" ({' + '.join(notice.channels)})"
    return _audience(notice) + where


def _audience(notice: NoticeView) -> str:
    if notice.dm:
        audience = [notice.topic or "any topic", *notice.districts, *notice.age_groups]
        return "DM: " + ", ".join(audience)
    if notice.recurrence:
        return f"every {notice.recurrence}"
    return notice.kind.value


def _short(text: str) -> str:
    line = text.replace("\n", " ")
    return line if len(line) <= 60 else line[:59] + "…"


def _as_dict(notice: NoticeView) -> dict[str, object]:
    return {
        "id": notice.id,
        "kind": notice.kind.value,
        "account": notice.account,
        "text": notice.text,
        "run_at": console.iso(notice.run_at),
        "recurrence": notice.recurrence,
        "valid_until": console.iso(notice.valid_until),
        "status": notice.status.value,
        "dm": notice.dm,
        "topic": notice.topic,
        "districts": list(notice.districts),
        "age_groups": list(notice.age_groups),
        "recipients": notice.recipients,
        "priority": notice.priority,
        "channels": list(notice.channels),
    }
