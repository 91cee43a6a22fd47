"""The town's Open311 GeoReport v2 server, mounted by the web desk at `/open311/v2/`: discovery,
services, service definitions, requests (GET and POST), tokens and mySociety's
servicerequestupdates (GET and POST). Every answer is XML or JSON by the URL's suffix; every
refusal is a GeoReport error list (`wire.error`), and a refused request stores nothing (all is
checked before the one transaction that writes)."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from jun_engine.channels.open311 import clients, intake, reading, services, wire
from jun_engine.channels.open311.clients import Client
from jun_engine.channels.open311.params import Params, one
from jun_engine.channels.open311.problems import (
    Open311Error,
    bad_request,
    forbidden,
    not_found,
    too_many,
)
from jun_engine.config.schema import Config
from jun_engine.routing.urgency import UrgencyDetector
from jun_engine.store.session import session_scope
from jun_engine.web.desk import reading as read_only

PATH = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
WINDOW_SECONDS = 60.0
MAX_TRACKED_KEYS = 10_000


@dataclass
class KeyRate:
    """Each key's requests in the last minute (in this process), against the town's limit."""

    per_minute: int
    seen: dict[int, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, client: Client) -> None:
        """Count one request of `client`; a 429 beyond the limit."""
        with self.lock:
            self._count(client, time.monotonic())

    def _count(self, client: Client, now: float) -> None:
        if len(self.seen) > MAX_TRACKED_KEYS:
            self.seen.clear()
        times = self.seen.setdefault(client.id, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        if len(times) >= self.per_minute:
            raise too_many(f"more than {self.per_minute} requests a minute for this api_key")
        times.append(now)


@dataclass
class Open311:
    """One running server: the town, the database, the clock, each key's rate."""

    config: Config
    engine: Engine
    clock: Callable[[], datetime]
    started: datetime
    rate: KeyRate
    urgency: UrgencyDetector = field(default_factory=UrgencyDetector)
    """The router's emergency lexicon, compiled once."""


Handler = Callable[[Open311, Request, wire.Format, Params], Response]
"""One method of the server; it runs in a worker thread (it reads and writes the database)."""


def mount(config: Config, engine: Engine, clock: Callable[[], datetime]) -> Mount:
    """The Open311 server as a mount for `web.app.create_app(..., mounts=[...])`."""
    server = Open311(config, engine, clock, clock(), KeyRate(config.open311.requests_per_minute))
    app = Starlette(
        routes=[
            Route("/discovery.{fmt}", _endpoint(server, discovery)),
            Route("/services.{fmt}", _endpoint(server, services_list)),
            Route("/services/{code}.{fmt}", _endpoint(server, service_definition)),
            Route("/requests.{fmt}", _endpoint(server, requests), methods=["GET", "POST"]),
            Route("/requests/{id}.{fmt}", _endpoint(server, one_request)),
            Route("/tokens/{token}.{fmt}", _endpoint(server, token)),
            Route(
                "/servicerequestupdates.{fmt}",
                _endpoint(server, request_updates),
                methods=["GET", "POST"],
            ),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    mounted = Mount(PATH, app=app)
    # Every path under it is Open311's, even one with a newline in it (`.` stops at one).
    mounted.path_regex = re.compile(mounted.path_regex.pattern, re.DOTALL)
    return mounted


def _endpoint(server: Open311, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        fmt = wire.Format.XML
        try:
            fmt = wire.format_of(request.path_params["fmt"])
            sent = await _params(request)
            _jurisdiction(server.config, sent)
            return await run_in_threadpool(handler, server, request, fmt, sent)
        except Open311Error as problem:
            return wire.error(fmt, problem)

    return endpoint


async def _params(request: Request) -> Params:
    """The query string and, for a POST, the form body, as lists of values."""
    merged: dict[str, list[str]] = {}
    try:
        for key, value in request.query_params.multi_items():
            merged.setdefault(key, []).append(value)
        if request.method == "POST":
            async with request.form() as form:
                for key, each in form.multi_items():
                    if not isinstance(each, UploadFile):
                        merged.setdefault(key, []).append(each)
    except (UnicodeDecodeError, ValueError, AssertionError) as exc:
        raise bad_request(f"the request body cannot be read: {exc}") from None
    if any("\x00" in v for values in merged.values() for v in values):
        raise bad_request("a parameter holds a NUL character")
    return merged


def _jurisdiction(config: Config, sent: Params) -> None:
    """A town with a jurisdiction id refuses any other (404); one without ignores it."""
    given, ours = one(sent, "jurisdiction_id"), config.open311.jurisdiction_id
    if given is not None and ours is not None and given != ours:
        raise not_found(f"no jurisdiction {given!r}")


def _client(server: Open311, sent: Params, *, needed: bool) -> Client | None:
    """The client whose `api_key` came with the request (counted against its rate)."""
    key = one(sent, "api_key")
    if key is None:
        if needed:
            raise forbidden("api_key is required")
        return None
    with read_only(server.engine) as session:
        client = clients.authenticated(session, key)
    if client is None:
        raise forbidden("api_key is not valid")
    server.rate.admit(client)
    return client


def discovery(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """GET discovery: the endpoint, its formats, whom to ask and how to get a key."""
    url = str(request.url).split("/discovery.", 1)[0]
    changeset = wire.timestamp(server.started)
    settings = server.config.open311
    document: wire.Document = {
        "changeset": changeset,
        "contact": settings.contact,
        "key_service": settings.key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return wire.single(fmt, "discovery", document)


def services_list(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """GET services."""
    _client(server, sent, needed=False)
    language = server.config.town.default_language
    return wire.listing(fmt, "services", services.listed(server.config, language))


def service_definition(
    server: Open311, request: Request, fmt: wire.Format, sent: Params
) -> Response:
    """GET services/{code}: its attributes (a 404 for a service without any, as the spec
    says a definition exists only where `metadata` is true)."""
    _client(server, sent, needed=False)
    config = server.config
    found = services.service(config, request.path_params["code"])
    if not services.attributes(config, found):
        raise not_found(f"service {found.code!r} asks nothing more (its metadata is false)")
    document = services.definition(config, found, config.town.default_language)
    return wire.single(fmt, "service_definition", document)


def requests(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """GET requests (a list), or POST requests (a new one)."""
    if request.method == "POST":
        client = _client(server, sent, needed=True)
        assert client is not None
        with session_scope(server.engine) as session:
            made = intake.submit(
                session, server.config, client, sent, server.clock(), server.urgency
            )
        return wire.listing(fmt, "service_requests", [made])
    _client(server, sent, needed=False)
    with read_only(server.engine) as session:
        found = reading.requests(session, server.config, sent, server.clock())
    return wire.listing(fmt, "service_requests", found)


def one_request(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """GET requests/{id}: a list of one."""
    _client(server, sent, needed=False)
    with read_only(server.engine) as session:
        found = reading.one_request(session, server.config, request.path_params["id"])
    return wire.listing(fmt, "service_requests", found)


def token(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """GET tokens/{token}: the request it became, in a list of one."""
    _client(server, sent, needed=False)
    with read_only(server.engine) as session:
        found = reading.token_request(session, server.config, request.path_params["token"])
    return wire.listing(fmt, "service_requests", [found])


def request_updates(server: Open311, request: Request, fmt: wire.Format, sent: Params) -> Response:
    """mySociety's servicerequestupdates: GET the status changes, POST a client's update."""
    if request.method == "POST":
        client = _client(server, sent, needed=True)
        assert client is not None
        with session_scope(server.engine) as session:
            made = intake.update(session, server.config, client, sent, server.clock())
        return wire.listing(fmt, "service_request_updates", [made])
    _client(server, sent, needed=False)
    with read_only(server.engine) as session:
        found = reading.updates(session, server.config, sent, server.clock())
    return wire.wrapped(fmt, "service_request_updates", found)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A path or method the server does not have, as a GeoReport error (XML)."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    text = "no such resource" if status == 404 else "method not allowed"
    response = wire.error(wire.Format.XML, Open311Error(status, text))
    if isinstance(exc, HTTPException) and exc.headers:  # a 405's Allow, as RFC 9110 wants
        response.headers.update(exc.headers)
    return response
