"""The middleware in front of every page: security headers on every response, and the signed-in
staff member found (or the visitor sent to sign in) before any desk page runs. A plain ASGI
middleware (not Starlette's BaseHTTPMiddleware, which costs a task and a stream per request)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jun_engine.web.auth import PUBLIC_PATHS, remembered, signed_in

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Guard:
    """Send visitors without a valid session to /login; stamp the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(PUBLIC_PATHS):
            request = Request(scope, receive)
            staff = remembered(request) or await run_in_threadpool(signed_in, request)
            if staff is None:
                request.session.pop("staff", None)
                await _secured(RedirectResponse("/login", status_code=303))(scope, receive, send)
                return
            scope["staff"] = staff

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, stamped)


def _secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
