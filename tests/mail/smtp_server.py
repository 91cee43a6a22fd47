"""A real SMTP server in the test process (aiosmtpd on a free port), with a mailbox that keeps
what it accepted and can be told to refuse, to ask for a login, or to hold a message unanswered."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "reports@jun.example"
PASSWORD = "Sm7p-pa55w0rd-n0t-t0-b3-l0gg3d"


@dataclass
class Mailbox:
    """What the server accepted, and how it answers next."""

    accepted: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    """The accepted messages as they came over the wire."""
    data_replies: list[str] = field(default_factory=list)
    """Answers to the next messages, in turn, before one is accepted ("451 ...", "554 ...")."""
    unknown: set[str] = field(default_factory=set)
    """Recipients refused with 550."""
    hold: bool = False
    """Take the message and never answer (the sender waits until it is killed)."""
    held: threading.Event = field(default_factory=threading.Event)
    """Set once a held message has been received whole."""
    drop: bool = False
    """Take the message and hang up without answering (the sender cannot know it arrived)."""
    transfers: int = 0
    """Messages received whole, accepted or not."""
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.transfers += 1
        if self.hold:
            self.held.set()
            await asyncio.sleep(3600)
        if self.drop:
            assert server.transport is not None
            server.transport.close()
            return "250 2.0.0 accepted (never heard)"
        if self.data_replies:
            return self.data_replies.pop(0)
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.accepted.append((list(envelope.rcpt_tos), parsed))
        self.raw.append(raw)
        return "250 2.0.0 accepted"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        """The login: right only with USERNAME and PASSWORD."""
        assert isinstance(data, LoginPassword)
        self.logins.append(data.login.decode())
        ok = data.login.decode() == USERNAME and data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A port nothing listens on now (the server binds it at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, made by `openssl` for one test."""

    cert: Path
    key: Path

    @classmethod
    def make(cls, directory: Path) -> Certificate:
        """A new key and certificate in `directory`."""
        cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
        command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        san = "subjectAltName=IP:127.0.0.1,DNS:localhost"
        extra = ["-addext", san, "-keyout", str(key), "-out", str(cert)]
        subprocess.run([*command.split(), *extra], check=True, capture_output=True)
        return cls(cert, key)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


@contextmanager
def smtp_server(
    mailbox: Mailbox,
    *,
    login: bool = False,
    tls: Literal["starttls", "ssl"] | None = None,
    certificate: Certificate | None = None,
) -> Iterator[int]:
    """Serve `mailbox` on 127.0.0.1 (requiring a login if asked; with STARTTLS required, or TLS
    from the first byte, on `certificate`); yields the port."""
    options: dict[str, Any] = {}
    if login:
        options = {"auth_required": True, "authenticator": mailbox.authenticate}
        # Without TLS: a relay on this machine, as accounts.yaml allows for localhost. aiosmtpd
        # counts only STARTTLS as TLS, so over TLS from the first byte it must be told too.
        options["auth_require_tls"] = tls == "starttls"
    if tls is not None:
        assert certificate is not None
        context = certificate.server_context()
        if tls == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        else:
            options["ssl_context"] = context
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **options
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
