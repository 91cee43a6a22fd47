"""`jun-engine cases`: list, show, answer, reroute, resolve, merge and annotate cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session

from jun_engine.cases import actions
from jun_engine.cases.errors import CaseError, CaseNotFoundError
from jun_engine.cases.names import actor_name
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
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config.schema import Config
from jun_engine.domain.cases import CaseEvent, CaseSummary, can_move
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import CaseStatus
from jun_engine.store.errors import DatabaseError, SchemaError, StoreError
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, ResidentRow

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
    limit: console.LimitOption = 200,
    as_json: JsonOption = False,
) -> None:
    """List cases, newest first."""
    with town_and_database(ctx) as (config, engine):
        if department is not None and department not in config.departments:
            console.fail(
                ExitCode.USAGE, f"no department {department!r} ({', '.join(config.departments)})"
            )
        wanted = CaseFilter(
            department=department, status=_status(status), open_only=open_only,
            overdue_at=_now() if overdue else None, resident_id=resident, limit=limit + 1,
        )  # fmt: skip
        with _refusals(), session_scope(engine) as session:
            cases, more = console.limited(list_cases(session, wanted), limit)
        if as_json:
            console.print_json(cases)
            return
        console.wide_out().print(_table(cases, ZoneInfo(config.town.timezone), more))


def show_command(ctx: typer.Context, reference: RefArg, as_json: JsonOption = False) -> None:
    """Show one case: who wrote it, its message (marked private when it is), when it is due,
    and its history."""
    with town_and_database(ctx) as (config, engine), _refusals(), session_scope(engine) as session:
        row = by_reference(session, reference)
        case, events = summary(session, row), history(session, row.id or 0)
        events = [replace(e, actor=actor_name(session, config, e.actor)) for e in events]
        message = message_of(session, row)
        text = message.text if message is not None else None
        private = message is not None and (
            message.kind is MessageKind.DM or case.privacy == "private"
        )
        resident = session.get(ResidentRow, case.resident_id) if case.resident_id else None
        name = resident.name if resident is not None else None
        author = actor_name(session, config, case.author_id) if case.author_id else "-"
    if as_json:
        details = {"resident_name": name, "author": author, "message": text, "private": private}
        console.print_json({**asdict(case), **details, "history": events})
        return
    _print_case(case, events, _Shown(name, author, text, private), ZoneInfo(config.town.timezone))


@dataclass(frozen=True, slots=True)
class _Shown:
    """What `cases show` prints besides the case itself."""

    name: str | None
    author: str
    text: str | None
    private: bool


def _print_case(case: CaseSummary, events: list[CaseEvent], shown: _Shown, zone: ZoneInfo) -> None:
    out = console.out()
    out.print(f"[bold]{case.reference}[/] · {case.department}/{case.category or '-'} · "
              f"{case.status.value} · {case.kind or '-'} · {case.privacy}")  # fmt: skip
    who = escape(shown.name) if shown.name else "(not a registered resident, or erased)"
    number = f"resident {case.resident_id}, " if case.resident_id else ""
    out.print(f"from: {who} ({number}{escape(shown.author)})")
    label = "[red]PRIVATE[/] " if shown.private else ""
    out.print(f"{label}message: {escape(shown.text) if shown.text is not None else '(erased)'}")
    for line in _due_lines(case, zone):
        out.print(line)
    out.print(f"history ({console.zone_caption(zone)}):")
    for event in events:
        change = f"{event.from_status or ''}→{event.to_status}" if event.to_status else ""
        out.print(f"  {console.local(event.at, zone)}  {event.kind:<14} {change:<28} "
                  f"{escape(event.actor)}  {escape(event.detail or '')}")  # fmt: skip


def _due_lines(case: CaseSummary, zone: ZoneInfo) -> list[str]:
    """Opened, first response and resolution: when due, when done, and which is overdue."""
    late = case.overdue_at(_now())
    steps = [
        ("first_response", case.first_response_at, case.first_response_due),
        ("resolution", case.resolved_at, case.resolution_due),
    ]
    lines = [f"{'opened:':<16}{console.local(case.opened_at, zone)} ({zone.key})"]
    for step, done, due in steps:
        parts = [f"due {console.local(due, zone)}"] if due is not None else []
        if done is not None:
            parts.append(f"done {console.local(done, zone)}")
        if late == step:
            parts.append("[red]overdue[/]")
        label = step.replace("_", " ") + ":"
        lines.append(f"{label:<16}{', '.join(parts) or '-'}")
    return lines


def reply_command(
    ctx: typer.Context,
    reference: RefArg,
    text: Annotated[str, typer.Argument(help="The answer for the resident.")],
    reopen: Annotated[
        bool,
        typer.Option(
            "--reopen",
            help="Reopen a closed or resolved case first (a closed case "
            "takes no answer otherwise).",
        ),
    ] = False,
) -> None:
    """Answer the resident (from the department's account where X allows it)."""

    def reply(session: Session, case: CaseRow, config: Config) -> None:
        if reopen and can_move(case.status, CaseStatus.REOPENED):
            actions.reopen(session, case, actor=_staff(), now=_now())
        actions.answer(session, case, text, actor=_staff(), config=config, now=_now())

    _act(ctx, reference, "answered", reply)


def resolve_command(
    ctx: typer.Context,
    reference: RefArg,
    text: Annotated[str, typer.Argument(help="A last answer (optional).")] = "",
) -> None:
    """Mark the case resolved (and ask the resident for a rating)."""
    _act(ctx, reference, _resolved, lambda s, c, cfg: actions.resolve(
        s, c, actor=_staff(), config=cfg, now=_now(), text=text))  # fmt: skip


def _resolved(before: CaseStatus, case: CaseRow) -> str:
    if before is CaseStatus.RESOLVED:
        return f"{case.reference} was already resolved; nothing changed."
    return f"{case.reference} is now resolved."


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


def _act(
    ctx: typer.Context,
    reference: str,
    done: str | Callable[[CaseStatus, CaseRow], str],
    action: object,
) -> None:
    """Run `action` on the case in one transaction; say what was done (`done`: a word, or the
    sentence for the status before and the case after)."""
    with town_and_database(ctx) as (config, engine):
        with _refusals(), session_scope(engine) as session:
            case = by_reference(session, reference)
            before = case.status
            action(session, case, config)  # type: ignore[operator]
        if callable(done):
            console.out().print(done(before, case))
        else:
            console.out().print(f"{case.reference}: {done} ({case.status.value})")


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


def _table(cases: list[CaseSummary], zone: ZoneInfo, more: str | None) -> Table:
    table = console.table(
        "reference", "department", "category", "status", "via", "opened", "due", "",
        title="Cases", zone=zone, caption=more,
    )  # fmt: skip
    table.columns[0].no_wrap = True
    now = _now()
    for case in cases:
        due = case.first_response_due if case.first_response_at is None else case.resolution_due
        late = case.overdue_at(now)
        table.add_row(
            case.reference, case.department, case.category or "-", case.status.value,
            f"{case.kind or '-'}{' 🔒' if case.privacy == 'private' else ''}",
            console.local(case.opened_at, zone), console.local(due, zone),
            f"[red]overdue ({late})[/]" if late else "",
        )  # fmt: skip
    return table


def _now() -> datetime:
    return datetime.now(UTC)
