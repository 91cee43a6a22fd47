"""The staff pages: the inbox (and the rows its script refreshes), the case page, and the
actions on a case, each run through the case desk's own functions in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from jun_engine.cases import actions
from jun_engine.cases.errors import CaseError
from jun_engine.cases.texts import localized
from jun_engine.config.schema import Config
from jun_engine.domain.attachments import CasePlace
from jun_engine.domain.cases import OPEN_STATUSES, InvalidTransitionError
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CaseStatus
from jun_engine.places.districts import Districts, read_districts
from jun_engine.staff.accounts import Staff
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow
from jun_engine.web.access import Access
from jun_engine.web.auth import checked_form
from jun_engine.web.casepage import CaseView, HiddenCaseError, case_view, visible_case
from jun_engine.web.desk import Desk, desk_of, reading
from jun_engine.web.inbox import InboxFilter, InboxPage, districts_of, inbox
from jun_engine.web.pins import pin_map

MAX_TEXT = 10_000
"""The longest answer or note the desk takes (a thread of X posts, a long LINE message)."""


def staff_of(request: Request) -> Staff:
    """The signed-in staff member (the guard put it there)."""
    staff = request.scope.get("staff")
    if not isinstance(staff, Staff):
        raise HTTPException(401)
    return staff


def access_of(request: Request) -> Access:
    """What the signed-in staff member may see."""
    return Access.of(staff_of(request), desk_of(request).config)


def _filter(request: Request) -> InboxFilter:
    q = request.query_params
    department, _sep, category = q.get("category", "").partition("/")
    return InboxFilter(
        status=q.get("status", ""),
        channel=q.get("channel", ""),
        district=q.get("district", ""),
        category=category,
        department=department,
        overdue=q.get("overdue") == "1",
        query=q.get("q", "")[:200],
    )


def _language_pick(request: Request) -> None:
    lang = request.query_params.get("lang")
    if lang:
        request.session["lang"] = lang[:2]


async def inbox_page(request: Request) -> Response:
    """GET /: the inbox with its filters."""
    _language_pick(request)
    desk, access, wanted = desk_of(request), access_of(request), _filter(request)

    after = request.query_params.get("after", "")[:80]

    def load() -> tuple[InboxPage, list[str]]:
        with reading(desk.engine) as session:
            page = inbox(session, access, wanted, desk.config, desk.clock(), after=after)
            districts = desk.cached(("districts",), lambda: districts_of(session))
            assert isinstance(districts, list)
            return page, districts

    page, districts = await run_in_threadpool(load)
    return desk.render(
        request,
        "inbox.html",
        rows=page.rows,
        next_page=_next_page(request, page.next_after),
        wanted=wanted,
        districts=districts,
        statuses=sorted(s.value for s in OPEN_STATUSES),
        channels=[c.value for c in Channel],
        departments=_departments(desk.config, access, desk.language(request)),
        categories=_categories(desk, access, desk.language(request)),
        poll_seconds=desk.settings.poll_seconds,
        query_string=request.url.query,
    )


async def inbox_rows(request: Request) -> Response:
    """GET /inbox/rows: the inbox's rows alone, for the page's refresh script."""
    desk, access, wanted = desk_of(request), access_of(request), _filter(request)

    after = request.query_params.get("after", "")[:80]

    def load() -> InboxPage:
        with reading(desk.engine) as session:
            return inbox(session, access, wanted, desk.config, desk.clock(), after=after)

    page = await run_in_threadpool(load)
    return desk.render(request, "inbox_rows.html", rows=page.rows)


def _next_page(request: Request, after: str | None) -> str | None:
    """The inbox's URL for the page after this one, with the same filters."""
    if after is None:
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("after", "lang")}
    return "/?" + urlencode({**query, "after": after})


async def case_page(request: Request) -> Response:
    """GET /cases/{reference}: the case, or 404 when it is not this person's to see."""
    desk, access = desk_of(request), access_of(request)
    reference = request.path_params["reference"]

    def load() -> CaseView:
        with session_scope(desk.engine) as session:
            return case_view(session, access, reference, desk.config, desk.clock())

    try:
        view = await run_in_threadpool(load)
    except HiddenCaseError:
        raise HTTPException(404) from None
    config = desk.config
    return desk.render(
        request,
        "case.html",
        view=view,
        pin=_pin(desk, view.place),
        departments=_departments(config, None, desk.language(request)),
        categories=_categories(desk, None, desk.language(request)),
    )


def _pin(desk: Desk, place: CasePlace | None) -> Markup | None:
    """The case's pin over the districts (an inert SVG built with every name escaped)."""
    path = desk.settings.districts_geojson
    if place is None or path is None:
        return None
    districts = desk.cached(("districts", str(path)), lambda: read_districts(path))
    assert isinstance(districts, Districts)
    return Markup(pin_map(districts, place.latitude, place.longitude))  # noqa: S704 (escaped)


Action = Callable[[Session, CaseRow, FormData, str, Desk, Access], None]


def _text(form: FormData, name: str = "text") -> str:
    value = str(form.get(name, ""))
    if len(value) > MAX_TEXT:
        raise CaseError(f"the text is longer than {MAX_TEXT} characters")
    return value


def _reply(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, _: Access
) -> None:
    now = desk.clock()
    if form.get("reopen") == "1" and case.status in {CaseStatus.RESOLVED, CaseStatus.CLOSED}:
        actions.reopen(session, case, actor=actor, now=now)
    actions.answer(session, case, _text(form), actor=actor, config=desk.config, now=now)


def _resolve(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, _: Access
) -> None:
    actions.resolve(
        session, case, actor=actor, config=desk.config, now=desk.clock(), text=_text(form)
    )


def _reopen(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, _: Access
) -> None:
    actions.reopen(session, case, actor=actor, now=desk.clock())


def _note(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, _: Access
) -> None:
    actions.note(session, case, _text(form), actor=actor, now=desk.clock())


def _reroute(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, _: Access
) -> None:
    target = str(form.get("target", ""))
    department, _sep, category = target.partition("/")
    actions.reroute(
        session,
        case,
        department,
        category or None,
        actor=actor,
        config=desk.config,
        now=desk.clock(),
    )


def _merge(
    session: Session, case: CaseRow, form: FormData, actor: str, desk: Desk, access: Access
) -> None:
    try:
        into = visible_case(session, access, str(form.get("into", "")).strip())
    except HiddenCaseError:
        raise CaseError(f"no case {str(form.get('into', ''))[:40]!r}") from None
    actions.merge(session, case, into, actor=actor, config=desk.config, now=desk.clock())


ACTIONS: dict[str, Action] = {
    "reply": _reply,
    "resolve": _resolve,
    "reopen": _reopen,
    "note": _note,
    "reroute": _reroute,
    "merge": _merge,
}


async def case_action(request: Request) -> Response:
    """POST /cases/{reference}/{action}: do it in one transaction, then back to the case."""
    form = await checked_form(request)
    desk, access = desk_of(request), access_of(request)
    reference, name = request.path_params["reference"], request.path_params["action"]
    action = ACTIONS.get(name)
    if action is None:
        raise HTTPException(404)
    actor = f"web:{access.staff.username}"

    def run() -> str:
        with session_scope(desk.engine) as session:
            case = visible_case(session, access, reference)
            if not access.acts_on(case.department):
                raise HTTPException(403)
            action(session, case, form, actor, desk, access)
            return case.reference

    try:
        canonical = await run_in_threadpool(run)
    except HiddenCaseError:
        raise HTTPException(404) from None
    except (CaseError, InvalidTransitionError) as exc:
        request.session["flash"] = ["error", str(exc)]
        return RedirectResponse(f"/cases/{reference}", status_code=303)
    request.session["flash"] = ["ok", name]
    return RedirectResponse(f"/cases/{canonical}", status_code=303)


def _departments(config: Config, access: Access | None, language: str) -> list[tuple[str, str]]:
    return [
        (key, localized(dept.name, language, config))
        for key, dept in config.departments.items()
        if access is None or access.sees(key)
    ]


def _categories(desk: Desk, access: Access | None, language: str) -> list[tuple[str, str]]:
    """`department/category` keys (and the department alone) with their names in `language`,
    for the reroute and filter lists."""
    keys: list[tuple[str, str]] = []
    for key, dept in desk.config.departments.items():
        if access is not None and not access.sees(key):
            continue
        keys.append((key, desk.where(key, None, language)))
        keys.extend((f"{key}/{cat}", desk.where(key, cat, language)) for cat in dept.categories)
    return keys
