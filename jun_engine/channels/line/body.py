"""A LINE webhook body read strictly: JSON text, `destination` and `events`, and each event's own
JSON text exactly as it stood in the body (what a stored message keeps as `raw`).

Python's `json` says where each value ends (`raw_decode`), so the body is walked once at the top
level and once along `events`: every event comes with its slice of the body, never re-serialised.
Anything that is not such a body raises `BodyError` (the webhook answers 400, storing nothing).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

DESTINATION = re.compile(r"U[0-9a-f]{32}")
"""A bot's user id, as LINE's webhook.yml writes the pattern of `destination`."""
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class BodyError(ValueError):
    """The body is not a LINE webhook body; the message says what is wrong, never what it held."""


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One event: parsed, and its JSON text as received."""

    data: dict[str, Any]
    raw: str


@dataclass(frozen=True, slots=True)
class Body:
    """A webhook body: the bot it is for, and its events in the order LINE listed them."""

    destination: str
    events: tuple[RawEvent, ...]


def read_body(data: bytes) -> Body:
    """The body of a webhook request, or `BodyError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError("the body is not UTF-8") from error
    fields = _top_level(text)
    destination = fields.get("destination")
    if not isinstance(destination, tuple) or not isinstance(destination[0], str):
        raise BodyError("`destination` is missing or not a string")
    if not DESTINATION.fullmatch(destination[0]):
        raise BodyError("`destination` is not a bot user id")
    events = fields.get("events")
    if events is None or not isinstance(events[0], list):
        raise BodyError("`events` is missing or not an array")
    return Body(destination[0], tuple(_events(text, events[1])))


def _top_level(text: str) -> dict[str, tuple[Any, int]]:
    """Each member of the top-level object: its value and where the value starts."""
    at = _skip(text, 0)
    if text[at : at + 1] != "{":
        raise BodyError("the body is not a JSON object")
    fields: dict[str, tuple[Any, int]] = {}
    at = _skip(text, at + 1)
    if text[at : at + 1] == "}":
        return _end(text, at + 1, fields)
    while True:
        key, at = _value(text, at)
        if not isinstance(key, str):
            raise BodyError("the body is not a JSON object")
        if key in fields:
            raise BodyError(f"`{key[:40]}` appears twice")
        at = _skip(text, at)
        if text[at : at + 1] != ":":
            raise BodyError("the body is not valid JSON")
        start = _skip(text, at + 1)
        value, at = _value(text, start)
        fields[key] = (value, start)
        at = _skip(text, at)
        if text[at : at + 1] == "}":
            return _end(text, at + 1, fields)
        if text[at : at + 1] != ",":
            raise BodyError("the body is not valid JSON")
        at = _skip(text, at + 1)


def _end(text: str, at: int, fields: dict[str, tuple[Any, int]]) -> dict[str, tuple[Any, int]]:
    if _skip(text, at) != len(text):
        raise BodyError("the body has more than one JSON value")
    return fields


def _events(text: str, start: int) -> list[RawEvent]:
    """The elements of the `events` array starting at `start`, each with its own text."""
    out: list[RawEvent] = []
    at = _skip(text, start + 1)  # past "["
    if text[at : at + 1] == "]":
        return out
    while True:
        value, end = _value(text, at)
        if not isinstance(value, dict):
            raise BodyError(f"events[{len(out)}] is not an object")
        out.append(RawEvent(value, text[at:end]))
        at = _skip(text, end)
        if text[at : at + 1] == "]":
            return out
        at = _skip(text, at + 1)  # past ","; the whole array already parsed as JSON


def _value(text: str, at: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, at)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BodyError("the body is not valid JSON") from error


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at
