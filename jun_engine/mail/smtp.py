"""One SMTP conversation, as the only code that imports smtplib: connect (STARTTLS, TLS or
plain), log in, hand one message over, and turn every failure into the engine's error tree.

    failure                                         raised as                    may have arrived
    ─────────────────────────────────────────────   ──────────────────────────   ────────────────
    no connection (refused, DNS, timeout, reset)    ConnectionFailed             no
    a 4xx or 5xx reply before the message is sent   MailRefused(code)            no
    the login refused (535, 534, 530)               AuthError                    no
    STARTTLS or AUTH not offered, a bad certificate MailRefused(None)            no
    the connection lost while sending the message   RequestTimedOut/Connection.. YES (request_sent)
    a 4xx or 5xx reply to the message itself        MailRefused(code)            no

The password goes to `login` and nowhere else: no message built here quotes it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from jun_engine.config.environment import SmtpLogin, smtp_login
from jun_engine.config.schema import Config, SmtpSecurity
from jun_engine.domain.errors import (
    AuthError,
    ChannelError,
    ConnectionFailed,
    MailRefused,
    RequestTimedOut,
)

_AUTH_CODES = frozenset({530, 534, 535})
_DETAIL_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where the town's e-mail goes out: host, port, how the connection is protected, the
    login."""

    host: str
    port: int
    security: SmtpSecurity
    timeout: float
    login: SmtpLogin | None = field(default=None, repr=False)


def town_server(config: Config, environ: Mapping[str, str]) -> SmtpServer | None:
    """The town's SMTP server (`config.mail_server()`: `smtp`, or the one an older file names
    in `reports.email`), its login read from `environ`; None when the town sends no e-mail.
    `MissingSecret` if the login's variables are unset."""
    settings = config.mail_server()
    if settings is None:
        return None
    login = smtp_login(config, environ)
    timeout = settings.timeout.total_seconds()
    return SmtpServer(settings.host, settings.port, settings.security, timeout, login)


def send(server: SmtpServer, message: EmailMessage, sender: str, to: Sequence[str]) -> list[str]:
    """Hand `message` to the server for every address in `to`; the addresses it refused
    (the rest took it). Raises a `ChannelError` as the module's table says."""
    with _session(server) as client:
        try:
            refused = _envelope(client, sender, to)
        except (OSError, smtplib.SMTPException) as error:
            raise _before_message(error) from None
        try:
            code, reply = client.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        except smtplib.SMTPResponseException as error:  # DATA itself refused: nothing sent
            raise MailRefused(error.smtp_code, _text(error.smtp_error)) from None
        except TimeoutError:
            raise RequestTimedOut("no answer to the message", request_sent=True) from None
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionFailed(_reason(error), request_sent=True) from None
    if code != 250:
        raise MailRefused(code, _text(reply))
    return refused


@contextmanager
def _session(server: SmtpServer) -> Iterator[smtplib.SMTP]:
    try:
        client = _connect(server)
    except (OSError, smtplib.SMTPException) as error:
        raise _before_message(error) from None
    try:
        yield client
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        client.ehlo()
        if server.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if server.login is not None:
            client.login(server.login.username, server.login.password)
    except BaseException:
        client.close()
        raise
    return client


def _envelope(client: smtplib.SMTP, sender: str, to: Sequence[str]) -> list[str]:
    code, reply = client.mail(sender)
    if code != 250:
        raise MailRefused(code, _text(reply))
    answers = {address: client.rcpt(address) for address in to}
    refused = [address for address, (code, _) in answers.items() if code not in (250, 251)]
    if len(refused) == len(to):
        code, reply = answers[to[0]]
        raise MailRefused(code, _text(reply))
    return refused


def _before_message(error: BaseException) -> ChannelError:
    """A failure before the message was sent: it cannot have arrived."""
    if isinstance(error, ChannelError):
        return error
    if isinstance(error, smtplib.SMTPAuthenticationError) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in _AUTH_CODES
    ):
        return AuthError(f"the SMTP server refused the login ({error.smtp_code})")
    if isinstance(error, smtplib.SMTPResponseException):
        return MailRefused(error.smtp_code, _text(error.smtp_error))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return MailRefused(None, str(error)[:_DETAIL_LENGTH])
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailRefused(None, f"the server's TLS certificate is not trusted: {error.reason}")
    return ConnectionFailed(_reason(error), request_sent=False)


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:_DETAIL_LENGTH]


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:_DETAIL_LENGTH]
