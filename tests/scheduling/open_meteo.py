"""A local HTTP server that answers like Open-Meteo's air-quality API, or fails as told."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

UNIT = "μg/m³"


def forecast_body(day: date, hourly: Mapping[str, object]) -> dict[str, object]:
    """A body in Open-Meteo's documented shape: parallel hourly arrays and their units."""
    times = [f"{day.isoformat()}T{hour:02d}:00" for hour in range(24)]
    return {
        "latitude": 37.2,
        "longitude": -3.6,
        "generationtime_ms": 0.5,
        "utc_offset_seconds": 3600,
        "timezone": "Europe/Madrid",
        "timezone_abbreviation": "GMT+1",
        "elevation": 730.0,
        "hourly_units": {"time": "iso8601", **dict.fromkeys(hourly, UNIT)},
        "hourly": {"time": times, **hourly},
    }


@dataclass
class Answer:
    """What the server says next: a status and a body (JSON or raw bytes), or nothing (hang)."""

    status: int = 200
    body: object = None
    raw: bytes | None = None
    hang: bool = False


@dataclass
class OpenMeteoStub:
    """The server's state: the answer to give and the query strings it received."""

    answer: Answer = field(default_factory=Answer)
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _handler(stub: OpenMeteoStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stub.queries.append(parse_qs(urlsplit(self.path).query))
            answer = stub.answer
            if answer.hang:
                stub.release.wait(10)
                return
            payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads `stub.queries` instead."""

    return Handler


@contextmanager
def open_meteo_stub() -> Iterator[OpenMeteoStub]:
    """A running stub on a free loopback port, at /v1/air-quality."""
    stub = OpenMeteoStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1/air-quality"
    try:
        yield stub
    finally:
        stub.release.set()
        server.shutdown()
        server.server_close()
