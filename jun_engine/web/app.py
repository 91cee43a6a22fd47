"""The web desk's ASGI application: its routes, middleware and static assets, all shipped in the
package. Other servers of the same town (Open311 at /open311/v2/) join through `mounts`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from jun_engine.config.schema import Config
from jun_engine.web import analytics_pages, auth, operations, pages, photos
from jun_engine.web.desk import Desk, desk_of, real_now
from jun_engine.web.guard import Guard
from jun_engine.web.settings import WebSettings

SESSION_COOKIE = "jun_desk"


def routes() -> list[BaseRoute]:
    """Every page of the desk."""
    return [
        Route("/", pages.inbox_page),
        Route("/inbox/rows", pages.inbox_rows),
        Route("/cases/{reference}", pages.case_page),
        Route("/cases/{reference}/photos/{photo}", photos.case_photo),
        Route("/cases/{reference}/{action}", pages.case_action, methods=["POST"]),
        Route("/analytics", analytics_pages.analytics_page),
        Route("/analytics/{name}.csv", analytics_pages.analytics_csv),
        Route("/analytics/{name}.svg", analytics_pages.analytics_svg),
        Route("/reports", analytics_pages.reports_page),
        Route("/reports/{week}.pdf", analytics_pages.report_pdf),
        Route("/reports/{week}", analytics_pages.report_page),
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/healthz", operations.healthz),
        Route("/metrics", operations.metrics),
        Mount("/static", app=StaticFiles(packages=[("jun_engine.web", "static")]), name="static"),
    ]


def create_app(
    config: Config,
    engine: Engine,
    settings: WebSettings,
    *,
    clock: Callable[[], datetime] = real_now,
    mounts: Sequence[Mount] = (),
) -> Starlette:
    """The desk for this town and database. `mounts` are other apps served alongside (each
    answers for itself: the desk's sign-in does not guard paths under `/open311/`)."""
    app = Starlette(
        routes=[*mounts, *routes()],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=int(settings.session_lifetime.total_seconds()),
                same_site="strict",
                https_only=settings.secure_cookies,
            ),
            Middleware(Guard),
        ],
        exception_handlers={HTTPException: _error_page},
    )
    app.state.desk = Desk(config, engine, settings, clock)
    return app


async def _error_page(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    key = {404: "not_found", 403: "csrf" if exc.detail == "csrf" else "forbidden"}.get(  # type: ignore[attr-defined]
        status, "not_found"
    )
    return desk_of(request).render(request, "error.html", status_code=status, message_key=key)
