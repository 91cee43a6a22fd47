"""The daemon's own /metrics and /healthz: a small HTTP listener (the standard library's threading
server, one short-lived thread per request) that `jun-engine run --metrics HOST:PORT` starts.

`/metrics` is Prometheus' text format from `jun_engine.web.metrics.prometheus_text`, read from the
database alone, so the daemon and the web desk say the same. `/healthz` answers 200 while the
daemon runs and its database answers, 503 otherwise. Off unless asked for; on an address beyond
loopback, `JUN_METRICS_TOKEN` must be set and `/metrics` then wants it as a bearer token.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jun_engine.config.schema import LineAccount
from jun_engine.web.metrics import CONTENT_TYPE, prometheus_text

log = logging.getLogger(__name__)

METRICS_TOKEN_ENV = "JUN_METRICS_TOKEN"  # noqa: S105 - the variable's name, not a token


class ListenerError(ValueError):
    """An address the listener cannot use, said in one sentence."""


@dataclass(frozen=True, slots=True)
class Address:
    """Where the listener listens."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """`HOST:PORT` (`[::1]:9464` for IPv6); port 0 picks a free one."""
        host, sep, port = text.strip().rpartition(":")
        host = host.strip("[]")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            raise ListenerError(f"--metrics wants HOST:PORT, e.g. 127.0.0.1:9464, not {text!r}")
        return cls(host, int(port))

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach it."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def check_exposable(address: Address, token: str) -> None:
    """Refuse to publish the figures beyond loopback without a token to ask for."""
    if not address.loopback and not token:
        raise ListenerError(
            f"--metrics {address.host}:{address.port} is reachable beyond this machine: "
            f"set {METRICS_TOKEN_ENV} (scrapers then send it as a bearer token), or listen on "
            "127.0.0.1"
        )


@dataclass(frozen=True, slots=True)
class Exposition:
    """What the listener reads: the database, the daemon's clock, whether the daemon runs, and
    the town's LINE accounts (for their quotas)."""

    engine: Engine
    now: Callable[[], datetime]
    running: Callable[[], bool]
    token: str = ""
    line: Mapping[str, LineAccount] = field(default_factory=dict)

    def metrics(self) -> str:
        """Every metric, in Prometheus' text format (read without a transaction: on SQLite
        that never takes the write lock the daemon's stages need)."""
        with self.engine.connect() as connection:
            reader = connection.execution_options(isolation_level="AUTOCOMMIT")
            with Session(bind=reader) as session:
                return prometheus_text(session, self.now(), self.line)

    def health(self) -> tuple[int, dict[str, str]]:
        """The status code and body of /healthz."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            database = "ok"
        except sa.exc.SQLAlchemyError:
            database = "unreachable"
        running = self.running()
        ok = running and database == "ok"
        body = {
            "status": "ok" if ok else "unavailable",
            "daemon": "running" if running else "stopping",
            "database": database,
        }
        return (200 if ok else 503), body


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _handler(exposition: Exposition) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "jun-engine"
        sys_version = ""
        disable_nagle_algorithm = True  # headers and body are two writes

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                status, body = exposition.health()
                self._send(status, "application/json", json.dumps(body).encode())
            elif path == "/metrics":
                if not self._authorized():
                    self._send(401, "text/plain; charset=utf-8", b"a bearer token is needed\n")
                    return
                try:
                    text = exposition.metrics()
                except sa.exc.SQLAlchemyError as error:
                    log.warning("metrics: the database cannot be read: %s", type(error).__name__)
                    self._send(503, "text/plain; charset=utf-8", b"database unavailable\n")
                    return
                self._send(200, CONTENT_TYPE, text.encode())
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _authorized(self) -> bool:
            if not exposition.token:
                return True
            sent = self.headers.get("Authorization", "")
            return secrets.compare_digest(sent.encode(), f"Bearer {exposition.token}".encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("metrics listener: " + format, *args)

    return Handler


@contextmanager
def listening(address: Address, exposition: Exposition) -> Iterator[Address]:
    """Serve /metrics and /healthz on `address` in a thread until the block ends; the address
    actually bound (its port chosen when 0 was asked)."""
    check_exposable(address, exposition.token)
    server_class = _Server6 if ":" in address.host else ThreadingHTTPServer
    try:
        server = server_class((address.host, address.port), _handler(exposition))
    except OSError as error:
        raise ListenerError(
            f"cannot listen on {address.host}:{address.port}: {error.strerror or error}"
        ) from None
    server.daemon_threads = True
    bound = Address(address.host, int(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    log.info("metrics on http://%s:%d/metrics, health on /healthz", bound.host, bound.port)
    try:
        yield bound
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
