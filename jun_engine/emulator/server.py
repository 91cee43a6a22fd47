"""The HTTP server: stdlib ThreadingHTTPServer with HTTP/1.1 keep-alive and byte-level faults."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jun_engine.emulator.admin import PREFIX, Admin
from jun_engine.emulator.dispatch import Dispatcher, Outcome
from jun_engine.emulator.wire import Exchange, Request

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 60.0
"""Seconds a keep-alive connection may stay idle before the server closes it."""


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the emulator's dispatcher, admin API and observers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        dispatcher: Dispatcher,
        admin: Admin,
        observers: list[Callable[[Exchange], None]],
    ) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        self.admin = admin
        self.observers = observers
        self.stopping = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    server: EmulatorHTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = Request.parse(self.command, self.path, dict(self.headers.items()), body)
        if request.path.startswith(PREFIX):
            outcome = Outcome(self.server.admin.handle(request))
        else:
            outcome = self.server.dispatcher.dispatch(request)
        if outcome.hang:
            self.server.stopping.wait(outcome.hang)
            self.close_connection = True
            return
        if outcome.delay:
            self.server.stopping.wait(outcome.delay)
        self._send(request, outcome)

    def _send(self, request: Request, outcome: Outcome) -> None:
        response = outcome.response
        payload = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if outcome.truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2] if outcome.truncate else payload)
        if outcome.route is not None:
            exchange = Exchange(
                request,
                response.status,
                dict(response.headers),
                payload,
                response.content_type,
                outcome.route,
            )
            for observer in list(self.server.observers):
                observer(exchange)

    def log_message(self, format: str, *args: object) -> None:
        # Paths can carry ids, never message text; still, debug level only.
        log.debug("%s " + format, self.address_string(), *args)
