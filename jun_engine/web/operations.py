"""/healthz and /metrics for whoever watches the desk: the database answers, and the engine's
figures in Prometheus' format (to loopback clients, or with `JUN_METRICS_TOKEN` as a bearer)."""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from jun_engine.web.desk import desk_of, reading
from jun_engine.web.metrics import CONTENT_TYPE, prometheus_text
from jun_engine.web.settings import is_loopback

METRICS_TOKEN_ENV = "JUN_METRICS_TOKEN"  # noqa: S105 - the variable's name, not a token


async def healthz(request: Request) -> Response:
    """GET /healthz: 200 when the database answers, 503 otherwise."""
    desk = desk_of(request)

    def probe() -> bool:
        try:
            with desk.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    ok = await run_in_threadpool(probe)
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"},
        status_code=200 if ok else 503,
    )


def _allowed(request: Request) -> bool:
    token = os.environ.get(METRICS_TOKEN_ENV, "")
    if token:
        sent = request.headers.get("authorization", "")
        return secrets.compare_digest(sent.encode(), f"Bearer {token}".encode())
    client = request.client.host if request.client else ""
    return is_loopback(client) or client == "testclient"


async def metrics(request: Request) -> Response:
    """GET /metrics: the engine's figures in Prometheus' text format."""
    if not _allowed(request):
        return PlainTextResponse("forbidden\n", status_code=403)
    desk = desk_of(request)

    def read() -> str:
        with reading(desk.engine) as session:
            line = desk.config.line.accounts if desk.config.line is not None else None
            return prometheus_text(session, desk.clock(), line)

    return PlainTextResponse(await run_in_threadpool(read), media_type=CONTENT_TYPE)
