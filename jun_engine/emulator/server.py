"""The HTTP server: stdlib ThreadingHTTPServer with HTTP/1.1 keep-alive and byte-level faults.

A client that vanishes mid-request (killed, timed out, closed its socket) is normal here: the
connection is closed and a DEBUG line logged, never a traceback. Every open connection is
tracked, so stopping the server wakes and closes them all.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Protocol, Self

from jun_engine.emulator.admin import PREFIX
from jun_engine.emulator.dispatch import Outcome
from jun_engine.emulator.wire import Exchange, Request, Response

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 60.0
"""Seconds a keep-alive connection may stay idle before the server closes it."""
MAX_BODY = 1 << 20
"""The largest request body read (1 MiB); X's own bodies are a few kilobytes at most."""

SHUTDOWN_POLL = 0.02
"""Seconds between the server loop's checks for a stop request."""
STOP_GRACE = 5.0
"""Seconds `Serving.stop()` waits for the threads serving open connections to close them."""

GONE = (ConnectionError, TimeoutError)
"""What a socket raises when the client is no longer there (reset, broken pipe, timed out)."""


class ApiSurface(Protocol):
    """What answers the emulated API (X's dispatcher, LINE's)."""

    def dispatch(self, request: Request) -> Outcome: ...


class AdminSurface(Protocol):
    """What answers the admin paths under /_emulator/."""

    def handle(self, request: Request) -> Response: ...


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the emulator's dispatcher, admin API and observers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        dispatcher: ApiSurface,
        admin: AdminSurface,
        observers: list[Callable[[Exchange], None]],
    ) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        self.admin = admin
        self.observers = observers
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._closed = 0
        self._open_changed = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_changed:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_changed:
            if request in self._open:
                self._open.discard(request)
                self._closed += 1
            super().shutdown_request(request)
            self._open_changed.notify_all()

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, GONE):
            log.debug("client %s went away (%s)", client_address, type(error).__name__)
            return
        log.exception("the emulator failed on a request from %s", client_address)

    @property
    def open_connections(self) -> int:
        """Client connections currently open."""
        with self._open_changed:
            return len(self._open)

    @property
    def closed_connections(self) -> int:
        """Client connections accepted and closed since the server started."""
        with self._open_changed:
            return self._closed

    def wait_closed(self, count: int, timeout: float) -> bool:
        """Wait until `count` connections have been closed in all; False after `timeout`."""
        with self._open_changed:
            return self._open_changed.wait_for(lambda: self._closed >= count, timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no client connection is open; False if some still are after `timeout`."""
        with self._open_changed:
            return self._open_changed.wait_for(lambda: not self._open, timeout)

    def close_connections(self) -> None:
        """Shut every open connection down, waking the threads that serve them."""
        with self._open_changed:
            for connection in self._open:
                with contextlib.suppress(OSError):  # already gone
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    server: EmulatorHTTPServer

    def handle(self) -> None:
        try:
            super().handle()
        except GONE as error:
            self.close_connection = True
            log.debug("client %s went away (%s)", self.client_address, type(error).__name__)

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
        body = self._read_body()
        if body is None:
            return
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

    def _read_body(self) -> bytes | None:
        """The whole body; None (after answering a bad length) when there is none to handle."""
        declared = self.headers.get("Content-Length") or "0"
        length = int(declared) if declared.isdigit() else -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            message = f"Content-Length must be a number of bytes up to {MAX_BODY}, not {declared!r}"
            self._send_plain(Response(413 if length > MAX_BODY else 400, {"error": message}))
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-body: nothing to handle, nobody to answer.
            self.close_connection = True
            log.debug("client %s went away mid-request", self.client_address)
            return None
        return body

    def _send_plain(self, response: Response) -> None:
        payload = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

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


class Serving:
    """One emulator's server in a background thread: started on a port, stopped with every
    connection closed. Both emulators (X, LINE) serve through one of these."""

    def __init__(
        self,
        name: str,
        dispatcher: ApiSurface,
        admin: AdminSurface,
        observers: list[Callable[[Exchange], None]],
    ) -> None:
        self._name = name
        self._dispatcher = dispatcher
        self._admin = admin
        self._observers = observers
        self.server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, host: str, port: int) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        if self.server is not None:
            raise RuntimeError(f"the {self._name} is already running")
        self.server = EmulatorHTTPServer(
            (host, port), self._dispatcher, self._admin, self._observers
        )
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(SHUTDOWN_POLL,), name=self._name, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving: release waiting faults, close every connection, join the thread."""
        server, self.server = self.server, None
        if server is not None:
            server.stopping.set()
            server.shutdown()
            server.close_connections()
            server.server_close()
            if not server.wait_idle(STOP_GRACE):
                log.warning("%d %s connection(s) still open", server.open_connections, self._name)
        if self._thread is not None:
            self._thread.join(timeout=STOP_GRACE)
            self._thread = None

    @property
    def base_url(self) -> str:
        """`http://host:port` while running."""
        if self.server is None:
            raise RuntimeError(f"the {self._name} is not running; call start() first")
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"


class Served:
    """What every emulator shares: it serves through a `Serving`, is a context manager (started
    on entry unless already running, stopped on exit) and can be observed."""

    _serving: Serving
    _observers: list[Callable[[Exchange], None]]

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop serving."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while serving."""
        return self._serving.server is not None

    @property
    def base_url(self) -> str:
        """`http://host:port` while running."""
        return self._serving.base_url

    def observe(self, observer: Callable[[Exchange], None]) -> Callable[[], None]:
        """Call `observer` with every API exchange; returns a function that stops it."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer)
