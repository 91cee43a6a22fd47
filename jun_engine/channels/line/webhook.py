"""LINE's webhook: an ASGI app (Starlette) serving each official account's `webhook_path`.

A request is answered 200 only once every event it carries is stored (`intake.store_events`, one
transaction). In order, and storing nothing otherwise:
- a body over `line.webhook.max_body_bytes`: 413, read no further than the limit;
- no `X-Line-Signature`, or not base64(HMAC-SHA256(channel secret, the exact body)): 401
  (compared in constant time);
- not a LINE webhook body (not JSON, LINE's required fields missing or mistyped): 400;
- a `destination` other than the account's bot user id: 400;
- the database cannot take the write: 503 (LINE redelivers later);
- an empty `events` list (LINE checking the endpoint): 200.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from jun_engine.channels.line.body import BodyError, read_body
from jun_engine.channels.line.events import LineEvent, line_event
from jun_engine.channels.line.intake import Stored, store_events
from jun_engine.clock import Clock
from jun_engine.config.schema import Config, LineAccount
from jun_engine.service.outage import OutageWatch
from jun_engine.store.errors import DatabaseError
from jun_engine.store.session import session_scope

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-line-signature"
LOOP = "line-webhook"
STORE_WRITERS = 2
"""Bodies stored at once (SQLite writes one at a time anyway; PostgreSQL gains little more)."""
"""How the outage watch names the webhook."""


class Refused(Exception):  # noqa: N818 (an answer, not a failure of the engine)
    """A request answered without storing anything: its status and why (never its content)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One official account's webhook: its settings and its channel secret."""

    key: str
    account: LineAccount
    secret: str


@dataclass(frozen=True, slots=True)
class Intake:
    """What the webhook stores with: the town, the database, the clock, who to wake."""

    config: Config
    engine: Engine
    clock: Clock
    wake: Callable[[], None]
    outage: OutageWatch
    writers: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(STORE_WRITERS)
    )
    """Bodies stored at once: a burst waits here, not in the database's pool."""


def webhook_app(intake: Intake, endpoints: Mapping[str, Endpoint]) -> Starlette:
    """The app: one POST route per account's `webhook_path` (the keys of `endpoints`)."""
    limit = intake.config.line.webhook.max_body_bytes if intake.config.line else 1_000_000

    def route(endpoint: Endpoint) -> Callable[[Request], object]:
        async def receive(request: Request) -> Response:
            try:
                body = await _read(request, limit)
                _check_signature(endpoint.secret, body, request.headers.get(SIGNATURE_HEADER))
                events = _events(body, endpoint.account.bot_user_id)
                await run_in_threadpool(_store, intake, endpoint, events)
            except Refused as refused:
                log.warning("LINE webhook %s: %d, %s", endpoint.key, refused.status, refused)
                return PlainTextResponse(str(refused), status_code=refused.status)
            return PlainTextResponse("OK")

        return receive

    routes = [Route(path, route(e), methods=["POST"]) for path, e in endpoints.items()]
    return Starlette(routes=routes)


async def _read(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"the body is over {limit} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"the body is over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect as error:
        raise Refused(400, "the body was cut short") from error
    return b"".join(chunks)


def _check_signature(secret: str, body: bytes, signature: str | None) -> None:
    if not signature:
        raise Refused(401, "no X-Line-Signature")
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest), signature.encode("latin-1")):
        raise Refused(401, "X-Line-Signature does not match the body")


def _events(body: bytes, bot_user_id: str) -> list[LineEvent]:
    try:
        parsed = read_body(body)
        if parsed.destination != bot_user_id:
            raise Refused(400, "the destination is not this account's bot user id")
        return [line_event(event, bot_user_id) for event in parsed.events]
    except BodyError as error:
        raise Refused(400, str(error)) from error


def _store(intake: Intake, endpoint: Endpoint, events: list[LineEvent]) -> Stored:
    if not events:
        return Stored(0, 0)
    try:
        with intake.writers, session_scope(intake.engine) as session:
            stored = store_events(
                session, intake.config, endpoint.account, events, intake.clock.now()
            )
    except DatabaseError as error:
        intake.outage.failed(LOOP, error)
        raise Refused(503, "the database cannot take it now; send it again") from error
    intake.outage.succeeded(LOOP)
    if stored.messages:
        intake.wake()
    return stored
