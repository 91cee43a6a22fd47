"""A response body decoded: the JSON document, and the exact text of each `data` item.

Keeping each item's text exactly as X sent it (not re-serialised) lets the store hold the raw
payload of every message for audit and replay. The body must be a JSON object; anything else
(truncated JSON, an HTML error page from a proxy, a bare list) is a `MalformedResponse`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jun_engine.domain.errors import MalformedResponse

JsonObject = dict[str, Any]

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True, slots=True)
class Body:
    """A decoded body: the whole document, and each `data` list item's source text in order."""

    document: JsonObject
    item_texts: tuple[str, ...]

    def items(self) -> list[tuple[JsonObject, str]]:
        """Each object in `data` (a list) with its source text; [] when `data` is absent."""
        data = self.document.get("data")
        if not isinstance(data, list):
            return []
        return [(item, text) for item, text in zip(data, self.item_texts, strict=True)]

    def single(self) -> JsonObject:
        """`data` when it is one object (a created post, the user in users/me)."""
        data = self.document.get("data")
        if not isinstance(data, dict):
            raise MalformedResponse("the body has no `data` object", request_sent=True)
        return data


def decode(content: bytes, status: int | None = None) -> Body:
    """Decode a UTF-8 JSON body into a `Body`; malformed bodies raise `MalformedResponse`."""
    try:
        text = content.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedResponse(_describe(content), request_sent=True, status=status) from exc
    if not isinstance(document, dict):
        reason = f"expected a JSON object, got {type(document).__name__}"
        raise MalformedResponse(reason, request_sent=True, status=status)
    items = document.get("data")
    if isinstance(items, list) and not all(isinstance(i, dict) for i in items):
        raise MalformedResponse("`data` holds a non-object", request_sent=True, status=status)
    return Body(document, _data_item_texts(text) if isinstance(items, list) else ())


def _describe(content: bytes) -> str:
    if not content.strip():
        return "empty body"
    if content.lstrip()[:1] == b"<":
        return "an HTML page instead of JSON"
    return f"unreadable JSON ({len(content)} bytes, possibly truncated)"


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _data_item_texts(text: str) -> tuple[str, ...]:
    """The source text of each element of the top-level `data` array (text is valid JSON)."""
    found: tuple[str, ...] = ()
    pos = _skip_ws(text, _skip_ws(text, 0) + 1)  # past "{"
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ":"
        if key == "data" and text[pos] == "[":
            found = _array_elements(text, pos)  # the last `data` wins, as in json.loads
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return found


def _array_elements(text: str, pos: int) -> tuple[str, ...]:
    elements: list[str] = []
    pos = _skip_ws(text, pos + 1)  # past "["
    while text[pos] != "]":
        _, end = _DECODER.raw_decode(text, pos)
        elements.append(text[pos:end])
        pos = _skip_ws(text, end)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return tuple(elements)
