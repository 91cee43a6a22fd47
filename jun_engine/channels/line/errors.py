"""The one place where line-bot-sdk's and urllib3's exceptions become the engine's error tree.

LINE's errors carry no codes: the cause is told by the body's `message` (a 429 is either the
rate limit or the month's quota; a 400 "Invalid reply token" means a spent or expired token).
A 409 on a request with a retry key means LINE already carried it out: `AlreadyAccepted`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from linebot.v3.messaging import ApiException
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from jun_engine.domain import errors as e

INVALID_REPLY_TOKEN = "invalid reply token"  # noqa: S105 (LINE's error text, not a secret)
MONTHLY_LIMIT = "monthly limit"
RATE_LIMIT_WAIT = timedelta(seconds=1)
"""LINE sends no reset time; its windows are a second long for reply and push."""
ACCEPTED_HEADER = "x-line-accepted-request-id"
_MAX_DETAIL = 300


class InvalidReplyToken(e.InvalidRequest):
    """400 "Invalid reply token": the token was used or has expired; push instead."""


class AlreadyAccepted(e.ChannelError):
    """409 on a retry key: LINE carried out the first request with that key (`request_id`)."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"already accepted as request {request_id}", status=409)


def channel_error(exc: Exception, now: datetime) -> e.ChannelError:
    """The engine's error for a failed SDK call (an `ApiException` or a transport failure)."""
    if isinstance(exc, ApiException):
        return from_status(exc.status or 0, _message(exc.body), exc.headers or {}, now)
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        return channel_error(exc.reason, now)
    if isinstance(exc, ConnectTimeoutError | NewConnectionError):
        return e.ConnectionFailed(type(exc).__name__, request_sent=False)
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        return e.RequestTimedOut("no answer in time", request_sent=True)
    if isinstance(exc, ProtocolError | HTTPError | ConnectionError):
        return e.ConnectionFailed(type(exc).__name__, request_sent=True)
    if isinstance(exc, ValueError):  # the SDK could not read the body
        return e.MalformedResponse("unreadable answer", request_sent=True)
    raise exc


def from_status(
    status: int, message: str, headers: Mapping[str, str], now: datetime
) -> e.ChannelError:
    """The error an HTTP status and LINE's `message` stand for."""
    folded = message.casefold()
    if status == 409 and _header(headers, ACCEPTED_HEADER):
        return AlreadyAccepted(_header(headers, ACCEPTED_HEADER))
    if status == 400 and INVALID_REPLY_TOKEN in folded:
        return InvalidReplyToken(message)
    if status == 429:
        if MONTHLY_LIMIT in folded:
            return e.RateLimited(None, usage_capped=True, detail=message)
        return e.RateLimited(now + RATE_LIMIT_WAIT, detail=message)
    if status in (401, 403):
        return e.AuthError(f"{status}: {message}")
    if status == 404:
        return e.NotFound(message)
    if 500 <= status < 600:
        return e.ServerError(status, message)
    if 400 <= status < 500:
        return e.InvalidRequest(message)
    return e.UnexpectedStatus(status, message)


def _message(body: object) -> str:
    """LINE's `message`, else the start of the body (never a resident's text: LINE's errors
    name properties, not values)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:_MAX_DETAIL]
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return str(parsed["message"])[:_MAX_DETAIL]
    return text[:_MAX_DETAIL]


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value)
    return ""
