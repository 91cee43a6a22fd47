"""Sign-in, sign-out and the signed session: a cookie signed with the desk's key (itsdangerous,
through Starlette's session middleware), HttpOnly, SameSite=Strict, Secure unless on loopback,
holding only the staff id, the account's session version and the form token.

Every form carries the session's token (`csrf`) and every POST is refused without it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from jun_engine.staff import accounts
from jun_engine.staff.accounts import Refusal, Staff
from jun_engine.store.session import session_scope
from jun_engine.web.desk import desk_of, reading

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
PUBLIC_PATHS = ("/login", "/static/", "/healthz", "/metrics", "/open311/")
"""What answers without a signed-in staff member."""


def csrf_token(request: Request) -> str:
    """The session's form token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, or 403 when its token is missing or not this session's."""
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not (isinstance(sent, str) and isinstance(expected, str) and expected) or not (
        secrets.compare_digest(sent.encode(), expected.encode())
    ):
        log.warning("refused a form without a valid token: %s %s", request.method, request.url.path)
        raise HTTPException(403, "csrf")
    return form


def _session_names(request: Request) -> tuple[int, int] | None:
    staff_id, version = request.session.get("staff"), request.session.get("version")
    if not isinstance(staff_id, int) or not isinstance(version, int):
        return None
    return staff_id, version


def remembered(request: Request) -> Staff | None:
    """The session's staff member as read moments ago, for a request that only reads (GET,
    HEAD); None when it must be read afresh. A POST is always checked against the database."""
    names = _session_names(request)
    if names is None or request.method not in ("GET", "HEAD"):
        return None
    return desk_of(request).remembered_staff(*names)


def signed_in(request: Request) -> Staff | None:
    """The staff member this request's session names, if still valid (read from the database)."""
    names = _session_names(request)
    if names is None:
        return None
    desk = desk_of(request)
    with reading(desk.engine) as session:
        staff = accounts.current(session, *names)
    if staff is not None:
        desk.remember_staff(staff)
    return staff


async def login_page(request: Request) -> Response:
    """GET /login: the sign-in form."""
    csrf_token(request)
    return desk_of(request).render(request, "login.html", refused=False)


async def login(request: Request) -> Response:
    """POST /login: check the password; on success start a fresh session."""
    form = await checked_form(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    desk = desk_of(request)

    def attempt() -> Staff | Refusal:
        with session_scope(desk.engine) as session:
            return accounts.sign_in(
                session, username, password, now=desk.clock(), passwords=desk.settings.passwords
            )

    result = await run_in_threadpool(attempt)
    if isinstance(result, Refusal):
        log.info("sign-in refused: %s", result.reason)
        return desk.render(request, "login.html", status_code=401, refused=True)
    language = request.session.get("lang")
    request.session.clear()
    request.session.update({"staff": result.id, "version": result.session_version})
    if isinstance(language, str):
        request.session["lang"] = language
    csrf_token(request)
    log.info("staff %s signed in", result.username)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    """POST /logout: end the session."""
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
