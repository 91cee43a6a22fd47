"""`jun-engine residents`: enrol residents, hand out their codes, list, revoke and erase them."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.attachments.media import MediaStore, media_root
from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.desk import town_and_database
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config.schema import Config
from jun_engine.domain.residents import Identity, IssuedCode, Resident, ResidentEvent
from jun_engine.domain.statuses import ResidentStatus
from jun_engine.residents.enrolment import canonical_district, enrol, issue_code
from jun_engine.residents.erasure import erase, scrub_free_space
from jun_engine.residents.errors import (
    InvalidEnrolmentError,
    ResidentError,
    ResidentNotFoundError,
)
from jun_engine.residents.repository import (
    find_row,
    handles_of,
    history,
    list_residents,
    load_resident,
)
from jun_engine.residents.revocation import revoke
from jun_engine.store.errors import (
    DatabaseError,
    SchemaError,
    StoreError,
)
from jun_engine.store.session import session_scope

HELP = (
    "The residents' register: who may use the town's X services.\n\n"
    "Staff enrol a resident in person (after checking their ID) and hand over a one-time code; "
    "the resident DMs it to the town account, which binds their X account (by user id, never "
    "by handle). RESIDENT is a resident id, x:USER_ID (CHANNEL:USER_ID) or @handle."
)
ReferenceArg = Annotated[
    str, typer.Argument(help="Resident id, x:USER_ID (CHANNEL:USER_ID) or @handle.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@dataclass(frozen=True, slots=True)
class Desk:
    """What every command works with: the town's configuration and its database."""

    config: Config
    engine: Engine

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.town.timezone)


def register(app: typer.Typer) -> None:
    """Attach the `residents` command group to the root app."""
    group = typer.Typer(name="residents", help=HELP, no_args_is_help=True, rich_markup_mode="rich")
    group.command("enrol")(enrol_command)
    group.command("list")(list_command)
    group.command("show")(show_command)
    group.command("revoke")(revoke_command)
    group.command("new-code")(new_code_command)
    group.command("erase")(erase_command)
    app.add_typer(group)


def enrol_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The resident's full name, as on their ID.")],
    district: Annotated[str, typer.Option("--district", "-d", help="A town.districts entry.")],
    birth_year: Annotated[
        int | None, typer.Option("--birth-year", help="For age-group notices (optional).")
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", help="A notices.topics key to opt in to; repeatable."),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", "-l", help="es, en, th... (default: the town's).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Enrol a resident and print their one-time code (shown this once only)."""
    with _desk(ctx) as desk, _refusals(), session_scope(desk.engine) as session:
        issued = enrol(
            session,
            desk.config,
            name=name,
            district=district,
            birth_year=birth_year,
            topics=topic or (),
            language=language,
            now=_now(),
            actor=console.staff_actor(),
        )
    _show_code(desk, issued, name.strip(), as_json)


def new_code_command(
    ctx: typer.Context, resident: ReferenceArg, as_json: JsonOption = False
) -> None:
    """Issue a fresh code: a lost code, or moving to a new X account (the old account stays
    bound until the new code is used; earlier unused codes stop working now)."""
    with _desk(ctx) as desk, _refusals(), session_scope(desk.engine) as session:
        row = find_row(session, resident)
        issued = issue_code(
            session, desk.config, row.id or 0, now=_now(), actor=console.staff_actor()
        )
        name = row.name or ""
    _show_code(desk, issued, name, as_json)


def list_command(
    ctx: typer.Context,
    status: Annotated[
        ResidentStatus | None, typer.Option("--status", "-s", help="Only residents in this status.")
    ] = None,
    district: Annotated[
        str | None, typer.Option("--district", "-d", help="Only residents of this district.")
    ] = None,
    limit: console.LimitOption = 500,
    as_json: JsonOption = False,
) -> None:
    """List residents in the order they enrolled (never what they wrote)."""
    with _desk(ctx) as desk, _refusals():
        wanted = canonical_district(desk.config, district) if district is not None else None
        with Session(desk.engine) as session:
            found = list_residents(session, status=status, district=wanted)
            shown, more = console.limited(found, limit)
            residents = _with_handles(session, shown)
    if as_json:
        console.print_json([_as_dict(r) for r in residents])
        return
    table = console.table(
        "id", "status", "name", "district", "account", "verified", "topics",
        title=f"Residents ({len(found)})", zone=desk.zone(), caption=more,
    )  # fmt: skip
    for r in residents:
        table.add_row(
            str(r.id),
            r.status.value,
            _text(r.name),
            _text(r.district),
            _accounts(r),
            _local(desk, r.verified_at),
            _text(", ".join(r.topics)),
        )
    console.out().print(table)


def show_command(ctx: typer.Context, resident: ReferenceArg, as_json: JsonOption = False) -> None:
    """Show one resident and their history."""
    with _desk(ctx) as desk, _refusals(), Session(desk.engine) as session:
        row = find_row(session, resident)
        [found] = _with_handles(session, [load_resident(session, row)])
        events = history(session, found.id)
        handles = handles_of(session, [e.identity for e in events if e.identity])
    if as_json:
        document = _as_dict(found) | {"history": [_event_dict(e, handles) for e in events]}
        console.print_json(document)
        return
    console.out().print(_details(desk, found))
    console.out().print(_history_table(desk, events, handles))


def revoke_command(
    ctx: typer.Context,
    resident: ReferenceArg,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (kept in the resident's history).")
    ] = None,
) -> None:
    """Revoke a resident's verification: their account is served as anyone's until a new code."""
    with _desk(ctx) as desk, _refusals(), session_scope(desk.engine) as session:
        row = find_row(session, resident)
        done = revoke(session, row.id or 0, now=_now(), actor=console.staff_actor(), reason=reason)
    console.out().print(f"resident {done.id} is {done.status.value}")


def erase_command(
    ctx: typer.Context,
    resident: ReferenceArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a resident's personal data on request (name, accounts, what they wrote). Cases and
    counts stay, without anything that identifies them. This cannot be undone."""
    with _desk(ctx) as desk, _refusals():
        with Session(desk.engine) as session:
            resident_id = find_row(session, resident).id or 0
        if not yes:
            _confirm_erasure(resident_id)
        with session_scope(desk.engine) as session:
            report = erase(
                session,
                resident_id,
                now=_now(),
                actor=console.staff_actor(),
                media=MediaStore(media_root(desk.config, global_options(ctx).config_path.parent)),
            )
        scrub_free_space(desk.engine)
    console.out().print(f"resident {resident_id} erased: {report.summary()}")


def _confirm_erasure(resident_id: int) -> None:
    if not sys.stdin.isatty():
        console.fail(ExitCode.USAGE, f"refusing to erase resident {resident_id} without --yes")
    if not typer.confirm(f"Erase resident {resident_id}'s personal data? This cannot be undone."):
        console.fail(ExitCode.FAILURE, "erasure cancelled, nothing changed")


def _show_code(desk: Desk, issued: IssuedCode, name: str, as_json: bool) -> None:
    if as_json:
        document = {
            "resident_id": issued.resident_id,
            "code": issued.code,
            "expires_at": console.iso(issued.expires_at),
        }
        console.print_json(document)
        return
    handle = desk.config.town_account().handle
    body = (
        f"[bold]{escape(name)}[/] (resident {issued.resident_id})\n\n"
        f"code: [bold reverse] {issued.code} [/]\n"
        f"expires: {_local(desk, issued.expires_at)} ({desk.config.town.timezone})\n\n"
        f"The resident sends this code by DM to @{handle} from their own X account. "
        "It is shown only now and cannot be displayed again."
    )
    Console(highlight=False).print(Panel(body, title="One-time verification code", expand=False))


def _details(desk: Desk, r: Resident) -> Table:
    table = Table(title=f"Resident {r.id}", show_header=False, title_justify="left")
    table.caption, table.caption_justify = console.zone_caption(desk.zone()), "left"
    table.add_column("field")
    table.add_column("value")
    rows = [
        ("status", r.status.value),
        ("name", _text(r.name)),
        ("district", _text(r.district)),
        ("birth year", str(r.birth_year) if r.birth_year else "-"),
        ("language", r.language),
        ("topics", _text(", ".join(r.topics))),
        ("account", _accounts(r)),
        ("enrolled", _local(desk, r.enrolled_at)),
        ("verified", _local(desk, r.verified_at)),
        ("revoked", _local(desk, r.revoked_at)),
        ("erased", _local(desk, r.erased_at)),
    ]
    for field, value in rows:
        table.add_row(field, value)
    return table


def _history_table(
    desk: Desk, events: list[ResidentEvent], handles: Mapping[Identity, str]
) -> Table:
    table = console.table("when", "what", "by", "account", "detail", title="History",
                          zone=desk.zone())  # fmt: skip
    for event in events:
        table.add_row(
            _local(desk, event.at),
            event.kind.value,
            escape(event.actor),
            _account(_named(event.identity, handles)),
            _text(event.detail),
        )
    return table


def _as_dict(r: Resident) -> dict[str, object]:
    return {
        "id": r.id,
        "status": r.status.value,
        "name": r.name,
        "district": r.district,
        "birth_year": r.birth_year,
        "language": r.language,
        "topics": list(r.topics),
        "identities": [_identity_dict(i) for i in r.identities],
        "enrolled_at": _iso(r.enrolled_at),
        "verified_at": _iso(r.verified_at),
        "revoked_at": _iso(r.revoked_at),
        "erased_at": _iso(r.erased_at),
    }


def _identity_dict(identity: Identity) -> dict[str, object]:
    return {
        "channel": identity.channel.value,
        "user_id": identity.user_id,
        "handle": identity.handle,
    }


def _event_dict(event: ResidentEvent, handles: Mapping[Identity, str]) -> dict[str, object]:
    named = _named(event.identity, handles)
    return {
        "at": console.iso(event.at),
        "kind": event.kind.value,
        "actor": event.actor,
        "account": _identity_dict(named) if named else None,
        "detail": event.detail,
    }


@contextmanager
def _desk(ctx: typer.Context) -> Iterator[Desk]:
    """Load accounts.yaml and open the database (schema current), or exit 2 / 3 saying why."""
    with town_and_database(ctx) as (config, engine):
        yield Desk(config, engine)


@contextmanager
def _refusals() -> Iterator[None]:
    """The register's and the store's refusals as one line on stderr and an exit code."""
    try:
        yield
    except InvalidEnrolmentError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except (ResidentNotFoundError, ResidentError) as exc:
        console.fail(ExitCode.FAILURE, str(exc))
    except (DatabaseError, SchemaError) as exc:
        console.fail(ExitCode.DATABASE, str(exc))
    except StoreError as exc:
        console.fail(ExitCode.FAILURE, str(exc))


def _now() -> datetime:
    return datetime.now(UTC)


def _with_handles(session: Session, residents: Sequence[Resident]) -> list[Resident]:
    """Residents with the handle last seen for each account where the register has none (the
    channel gave it with a message after verification)."""
    missing = [i for r in residents for i in r.identities if not i.handle]
    handles = handles_of(session, missing)
    return [
        replace(r, identities=tuple(_named(i, handles) or i for i in r.identities))
        if any(i in handles for i in r.identities)
        else r
        for r in residents
    ]


def _named(identity: Identity | None, handles: Mapping[Identity, str]) -> Identity | None:
    """The account with its known handle, if `handles` knows one and it has none."""
    if identity is None or identity.handle or identity not in handles:
        return identity
    return replace(identity, handle=handles[identity])


def _accounts(r: Resident) -> str:
    """The resident's accounts for people: `@handle`; `x:<id>` until the channel named it."""
    return ", ".join(_account(i) for i in r.identities) or "-"


def _account(identity: Identity | None) -> str:
    return "-" if identity is None else escape(str(identity))


def _text(value: str | None) -> str:
    return escape(value) if value else "-"


def _local(desk: Desk, moment: datetime | None) -> str:
    return console.local(moment, desk.zone())


def _iso(moment: datetime | None) -> str | None:
    return console.iso(moment)
