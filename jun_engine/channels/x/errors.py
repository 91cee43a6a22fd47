"""The one place where tweepy's and requests' exceptions become the engine's error tree."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeAlias

import requests
import tweepy
from urllib3.exceptions import NewConnectionError

from jun_engine.channels.x.ratelimit import reset_time
from jun_engine.domain import errors as e

_DUPLICATE = "duplicate content"
_REPLY_RESTRICTED = "reply to this conversation is not allowed"
_USAGE_CAPPED = "usage-capped"
_MAX_DETAIL = 300

TransportError: TypeAlias = tweepy.HTTPException | requests.RequestException
"""What a tweepy call can raise besides programming errors."""


@dataclass(frozen=True, slots=True)
class Problem:
    """What an error body says (X's problem JSON, or the legacy `errors` list), if readable."""

    detail: str = ""
    type: str = ""
    parameters: tuple[str, ...] = ()


def channel_error(exc: TransportError, *, sending_dm: bool = False) -> e.ChannelError:
    """The engine's error for a failed call; `sending_dm` marks a 403 as `DmNotPermitted`."""
    if isinstance(exc, tweepy.HTTPException):
        return from_response(exc.response, sending_dm=sending_dm)
    return _from_transport(exc)


def from_response(response: requests.Response, *, sending_dm: bool = False) -> e.ChannelError:
    """The engine's error for an HTTP error status."""
    status = response.status_code
    problem = read_problem(response.content)
    detail = problem.detail
    if status == 400:
        return e.InvalidRequest(detail, problem.parameters)
    if status == 401:
        return e.AuthError(detail)
    if status == 403:
        return _forbidden(detail, sending_dm=sending_dm)
    if status == 404:
        return e.NotFound(detail)
    if status == 429:
        capped = problem.type.endswith(_USAGE_CAPPED)
        return e.RateLimited(reset_time(response.headers), usage_capped=capped, detail=detail)
    if status >= 500:
        return e.ServerError(status, detail)
    return e.UnexpectedStatus(status, detail)


def _forbidden(detail: str, *, sending_dm: bool) -> e.Forbidden:
    lowered = detail.lower()
    if _DUPLICATE in lowered:
        return e.DuplicateContent(detail)
    if _REPLY_RESTRICTED in lowered:
        return e.ReplyNotAllowed(detail)
    if sending_dm:
        return e.DmNotPermitted(detail)
    return e.Forbidden(detail)


def read_problem(content: bytes) -> Problem:
    """The detail, type and offending parameters of an error body; empty when unreadable."""
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, ValueError):
        return Problem()
    if not isinstance(body, dict):
        return Problem()
    errors = [x for x in body.get("errors") or () if isinstance(x, dict)]
    messages = [str(x.get("message") or x.get("detail") or "") for x in errors]
    detail = str(body.get("detail") or next(filter(None, messages), "") or body.get("title") or "")
    parameters = tuple(
        dict.fromkeys(
            str(p) for x in errors if isinstance(x.get("parameters"), dict) for p in x["parameters"]
        )
    )
    return Problem(detail[:_MAX_DETAIL], str(body.get("type") or ""), parameters)


def _from_transport(exc: requests.RequestException) -> e.NetworkError:
    if isinstance(exc, requests.ConnectTimeout):
        return e.RequestTimedOut("could not connect in time", request_sent=False)
    if isinstance(exc, requests.Timeout):
        return e.RequestTimedOut("no answer within the read timeout", request_sent=True)
    if isinstance(exc, requests.JSONDecodeError | requests.exceptions.ChunkedEncodingError):
        return e.MalformedResponse("the body was cut short or is not JSON", request_sent=True)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return e.MalformedResponse("the body could not be decompressed", request_sent=True)
    if isinstance(exc, requests.ConnectionError):
        sent = not _never_connected(exc)
        reason = "connection broke" if sent else "could not connect"
        return e.ConnectionFailed(reason, request_sent=sent)
    return e.ConnectionFailed(type(exc).__name__, request_sent=True)


def _never_connected(exc: requests.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)
