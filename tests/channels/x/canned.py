"""A real local HTTP server that answers with canned responses and records what it was sent."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Canned:
    """One answer. `hang` holds the answer until the test ends; `truncate_to` cuts the body
    short after announcing its full length, then closes the connection."""

    status: int = 200
    body: bytes = b'{"meta": {"result_count": 0}}'
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    truncate_to: int | None = None

    @classmethod
    def json(cls, status: int, payload: Any, **headers: str) -> Canned:
        text = json.dumps(payload, ensure_ascii=False).encode()
        return cls(status, text, {"content-type": "application/json; charset=utf-8", **headers})


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class CannedServer:
    """Serves queued `Canned` answers in order (the last one repeats) on 127.0.0.1."""

    def __init__(self) -> None:
        self.answers: deque[Canned] = deque([Canned()])
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, *answers: Canned) -> None:
        self.answers = deque(answers)

    def next_answer(self) -> Canned:
        return self.answers.popleft() if len(self.answers) > 1 else self.answers[0]

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _handler_for(server: CannedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            parts = urlsplit(self.path)
            server.seen.append(
                Seen(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
            )
            canned = server.next_answer()
            if canned.hang:
                server.release.wait()
                return
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(canned.body)))
            self.end_headers()
            body = canned.body
            if canned.truncate_to is not None:
                body = body[: canned.truncate_to]
                self.close_connection = True
            self.wfile.write(body)
            self.wfile.flush()

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def refused_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
