"""One HTTP exchange as the handlers see it: a parsed request in, a JSON response out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True, slots=True)
class Request:
    """An incoming request: method, path, decoded query pairs, lower-cased headers, raw body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        """Split a request target such as `/2/tweets?x=1` into path and decoded query pairs."""
        path, _, query = target.partition("?")
        pairs = tuple(parse_qsl(query, keep_blank_values=True))
        lowered = {k.lower(): v for k, v in headers.items()}
        return cls(method.upper(), path, pairs, lowered, body)

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        found = None
        for key, value in self.query:
            if key == name:
                found = value
        return found

    def json(self) -> Any:
        """The body parsed as JSON (ValueError if it is not JSON)."""
        return json.loads(self.body.decode("utf-8")) if self.body else None


def unencodable_field(value: Any, where: str = "") -> str | None:
    """The dotted name of the first string in a parsed JSON value that is not Unicode text.

    JSON's `\\ud800` escape parses to a lone surrogate, which no UTF-8 text can carry: stored,
    it would poison every later answer that includes it. None when every key and string is fine.
    """
    if isinstance(value, str):
        return None if _encodable(value) else (where or "body")
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if not _encodable(str(key)):
                return printable(name)
            found = unencodable_field(item, name)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unencodable_field(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def printable(text: str) -> str:
    """`text` with anything UTF-8 cannot carry (lone surrogates) shown as a `\\udXXX` escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(slots=True)
class Response:
    """An outgoing response: status, JSON body (or none), extra headers."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encode(self) -> bytes:
        """The body as compact UTF-8 JSON, or nothing."""
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Exchange:
    """What an observer sees of one API exchange: the request and the bytes sent back."""

    request: Request
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str
    route: str | None
    """The OpenAPI path template the request matched (e.g. `/2/users/{id}/mentions`)."""
