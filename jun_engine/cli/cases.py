"""`jun-engine cases`: list, show, answer, reroute, resolve, merge and annotate cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.engine import Engine

from jun_engine.cases import actions
from jun_engine.cases.errors import CaseError, CaseNotFoundError
from jun_engine.cases.repository import (
    CaseFilter,
    by_reference,
    history,
    list_cases,
    message_of,
    summary,
)
from jun_engine.cli import console
from jun_engine.cli.console import staff_actor as _staff
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.config.schema import Config
from jun_engine.domain.cases import CaseSummary
from jun_engine.domain.messages import MessageKind
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseError, DatabaseUrlError, SchemaError, StoreError
from jun_engine.store.migrate import ensure_schema_current
from jun_engine.store.session import session_scope
from jun_engine.store.statuses import CaseStatus

HELP = (
    "The case desk: every request routed to a department, from opening to closing.\n\n"
    "REFERENCE is a case reference such as JUN-2026-000123. Answers go to the resident the way "
    "X allows (docs/cases.md); private cases are only ever answered by DM."
)
RefArg = Annotated[str, typer.Argument(help="The case reference, e.g. JUN-2026-000123.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    """Attach the `cases` command group to the root app."""
    group = typer.Typer(name="cases", help=HELP, no_args_is_help=True)
    group.command("list")(list_command)
    group.command("show")(show_command)
    group.command("reply")(reply_command)
    group.command("resolve")(resolve_command)
    group.command("reroute")(reroute_command)
    group.command("merge")(merge_command)
    group.command("note")(note_command)
    app.add_typer(group)


def list_command(
    ctx: typer.Context,
    department: Annotated[str | None, typer.Option("--department", "-d")] = None,
    status: Annotated[str | None, typer.Option("--status", "-s", help="e.g. acknowledged")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past a due time.")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="Only cases still open.")] = False,
    resident: Annotated[int | None, typer.Option("--resident", help="A resident id.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 200,
    as_json: JsonOption = False,
) -> None:
    """List cases, newest first."""
    with _desk(ctx) as (config, engine):
        if department is not None and department not in config.departments:
            console.fail(
                ExitCode.USAGE, f"no department {department!r} ({', '.join(config.departments)})"
            )
        wanted = CaseFilter(
            department=department, status=_status(status), open_only=open_only,
            overdue_at=_now() if overdue else None, resident_id=resident, limit=limit,
        )  # fmt: skip
        with _refusals(), session_scope(engine) as session:
            cases = list_cases(session, wanted)
        if as_json:
            typer.echo(json.dumps([_plain(c) for c in cases], ensure_ascii=False, indent=2))
            return
        console.out().print(_table(cases, ZoneInfo(config.town.timezone)))


def show_command(ctx: typer.Context, reference: RefArg, as_json: JsonOption = False) -> None:
    """Show one case, its message (marked private when it is) and its history."""
    with _desk(ctx) as (config, engine), _refusals(), session_scope(engine) as session:
        row = by_reference(session, reference)
        case, events = summary(session, row), history(session, row.id or 0)
        message = message_of(session, row)
        text = message.text if message is not None else None
        private = message is not None and (
            message.kind is MessageKind.DM or case.privacy == "private"
        )
    if as_json:
        document = {**_plain(case), "message": text, "private": private,
                    "history": [_plain_event(e) for e in events]}  # fmt: skip
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    zone = ZoneInfo(config.town.timezone)
    out = console.out()
    out.print(f"[bold]{case.reference}[/] · {case.department}/{case.category or '-'} · "
              f"{case.status.value} · {case.kind or '-'} · {case.privacy}")  # fmt: skip
    label = "[red]PRIVATE[/] " if private else ""
    out.print(f"{label}message: {escape(text) if text is not None else '(erased)'}")
    for event in events:
        change = f"{event.from_status or ''}→{event.to_status}" if event.to_status else ""
        out.print(f"  {_when(event.at, zone)}  {event.kind:<14} {change:<28} {escape(event.actor)}"
                  f"  {escape(event.detail or '')}")  # fmt: skip


def reply_command(
    ctx: typer.Context,
    reference: RefArg,
    text: Annotated[str, typer.Argument(help="The answer for the resident.")],
) -> None:
    """Answer the resident (from the department's account where X allows it)."""
    _act(ctx, reference, "answered", lambda s, c, cfg: actions.answer(
        s, c, text, actor=_staff(), config=cfg, now=_now()))  # fmt: skip


def resolve_command(
    ctx: typer.Context,
    reference: RefArg,
    text: Annotated[str, typer.Argument(help="A last answer (optional).")] = "",
) -> None:
    """Mark the case resolved (and ask the resident for a rating)."""
    _act(ctx, reference, "resolved", lambda s, c, cfg: actions.resolve(
        s, c, actor=_staff(), config=cfg, now=_now(), text=text))  # fmt: skip


def reroute_command(
    ctx: typer.Context,
    reference: RefArg,
    department: Annotated[str, typer.Argument(help="The department key to move it to.")],
    category: Annotated[str | None, typer.Argument(help="A category key of it.")] = None,
) -> None:
    """Move the case to another department (stored as a correction for the router)."""
    _act(ctx, reference, "rerouted", lambda s, c, cfg: actions.reroute(
        s, c, department, category, actor=_staff(), config=cfg, now=_now()))  # fmt: skip


def merge_command(
    ctx: typer.Context,
    reference: RefArg,
    into: Annotated[str, typer.Argument(help="The case it duplicates.")],
) -> None:
    """Close the case as a duplicate of another."""
    _act(ctx, reference, f"merged into {into.upper()}", lambda s, c, cfg: actions.merge(
        s, c, by_reference(s, into), actor=_staff(), config=cfg, now=_now()))  # fmt: skip


def note_command(
    ctx: typer.Context,
    reference: RefArg,
    text: Annotated[str, typer.Argument(help="The note (never sent to anyone).")],
) -> None:
    """Add an internal note to the case."""
    _act(ctx, reference, "noted", lambda s, c, cfg: actions.note(
        s, c, text, actor=_staff(), now=_now()))  # fmt: skip


def _act(ctx: typer.Context, reference: str, done: str, action: object) -> None:
    with _desk(ctx) as (config, engine):
        with _refusals(), session_scope(engine) as session:
            case = by_reference(session, reference)
            action(session, case, config)  # type: ignore[operator]
        console.out().print(f"{case.reference}: {done} ({case.status.value})")


@contextmanager
def _desk(ctx: typer.Context) -> Iterator[tuple[Config, Engine]]:
    options = global_options(ctx)
    try:
        config = load_config(options.config_path).config
    except ConfigError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except OSError as exc:
        console.fail(ExitCode.USAGE, f"cannot read {options.config_path}: {exc.strerror or exc}")
    try:
        engine = create_engine_from_url(options.db_url)
        ensure_schema_current(engine)
    except DatabaseUrlError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        console.fail(ExitCode.DATABASE, str(exc))
    try:
        yield config, engine
    finally:
        engine.dispose()


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except CaseNotFoundError as exc:
        console.fail(ExitCode.FAILURE, str(exc))
    except CaseError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        console.fail(ExitCode.DATABASE, str(exc))
    except StoreError as exc:
        console.fail(ExitCode.FAILURE, str(exc))


def _status(value: str | None) -> CaseStatus | None:
    if value is None:
        return None
    try:
        return CaseStatus(value.lower())
    except ValueError:
        console.fail(
            ExitCode.USAGE, f"no status {value!r} ({', '.join(s.value for s in CaseStatus)})"
        )


def _table(cases: list[CaseSummary], zone: ZoneInfo) -> Table:
    table = Table(
        Column("reference", no_wrap=True),
        "department",
        "category",
        "status",
        "via",
        "opened",
        "due",
        "",
    )
    now = _now()
    for case in cases:
        due = case.first_response_due if case.first_response_at is None else case.resolution_due
        late = case.overdue_at(now)
        table.add_row(
            case.reference, case.department, case.category or "-", case.status.value,
            f"{case.kind or '-'}{' 🔒' if case.privacy == 'private' else ''}",
            _when(case.opened_at, zone), _when(due, zone) if due else "-",
            f"[red]overdue ({late})[/]" if late else "",
        )  # fmt: skip
    return table


def _plain(case: CaseSummary) -> dict[str, object]:
    return {k: _json_value(v) for k, v in asdict(case).items()}


def _plain_event(event: object) -> dict[str, object]:
    return {k: _json_value(v) for k, v in asdict(event).items()}  # type: ignore[call-overload]


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _now() -> datetime:
    return datetime.now(UTC)
