"""Serving the desk with uvicorn (one process; the database is the shared state)."""

from __future__ import annotations

import socket

import uvicorn
from starlette.applications import Starlette


def serve(app: Starlette, host: str, port: int, *, sock: socket.socket | None = None) -> None:
    """Serve `app` until interrupted (on `sock` when given: tests bind port 0 themselves; make
    it with `socket.IPPROTO_TCP`, or asyncio leaves Nagle on and each response waits ~40 ms)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock] if sock is not None else None)
