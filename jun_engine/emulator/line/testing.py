"""A pytest plugin: `line_emulator` (a LineEmulator whose every response is validated against
LINE's OpenAPI files) and `line_webhook_inbox` (a loopback server that receives its webhooks).

Use it from a conftest with `from jun_engine.emulator.line.testing import *` or by listing
`jun_engine.emulator.line.testing` in `pytest_plugins`. The clock stands still until the test
steps it.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jun_engine.emulator.clock import Clock
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.openapi import LineResponseValidator
from jun_engine.emulator.line.webhooks import SIGNATURE_HEADER
from jun_engine.emulator.testing import TEST_START, fail_on_violations
from jun_engine.emulator.wire import Exchange

__all__ = [
    "Received",
    "WebhookInbox",
    "line_emulator",
    "line_openapi_validator",
    "line_webhook_inbox",
]


@dataclass(frozen=True, slots=True)
class Received:
    """One webhook as it arrived: the exact bytes and the signature header."""

    body: bytes
    signature: str


class WebhookInbox:
    """A loopback HTTP server that keeps every webhook body; answers `statuses` in turn
    (then 200). A status of 0 means: hold the request and never answer (a timeout)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self._changed = threading.Condition()
        self._release = threading.Event()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with inbox._changed:
                    inbox.received.append(Received(body, self.headers.get(SIGNATURE_HEADER, "")))
                    status = inbox.statuses.pop(0) if inbox.statuses else 200
                    inbox._changed.notify_all()
                if status == 0:
                    inbox._release.wait(30)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def url(self) -> str:
        """Where to send webhooks."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/callback"

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until `count` webhooks have arrived in all."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.received) >= count, timeout)

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Release held requests and stop."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def line_openapi_validator() -> LineResponseValidator | None:
    """LINE's OpenAPI files loaded once per session (None without openapi-core)."""
    if importlib.util.find_spec("openapi_core") is None:
        return None
    return LineResponseValidator()


@pytest.fixture
def line_webhook_inbox() -> Iterator[WebhookInbox]:
    """A running webhook receiver."""
    inbox = WebhookInbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def line_emulator(
    line_openapi_validator: LineResponseValidator | None, line_webhook_inbox: WebhookInbox
) -> Iterator[LineEmulator]:
    """A running LINE emulator with a stepped clock, posting webhooks to `line_webhook_inbox`;
    its API responses are validated at teardown."""
    emulator = LineEmulator(
        seed=0, clock=Clock.stepped(TEST_START), webhook_url=line_webhook_inbox.url
    )
    seen: list[Exchange] = []
    emulator.observe(seen.append)
    with emulator:
        yield emulator
    if line_openapi_validator is not None:
        problems = [v for e in seen for v in line_openapi_validator.violations(e)]
        fail_on_violations(problems, "LINE's OpenAPI files")
