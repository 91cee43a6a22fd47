"""Opaque pagination tokens and the paging of newest-first lists (since/until exclusive)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from jun_engine.emulator.problems import invalid_request

T = TypeVar("T")

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE32 = "0123456789ABCDEFGHIJKLMNOPQRSTUV"


def _encode(value: int, alphabet: str) -> str:
    digits: list[str] = []
    while True:
        value, rest = divmod(value, len(alphabet))
        digits.append(alphabet[rest])
        if value == 0:
            return "".join(reversed(digits))


def _check(value: int, alphabet: str) -> str:
    return _encode(zlib.crc32(str(value).encode()) % len(alphabet) ** 2, alphabet).rjust(2, "0")


def cursor_token(after_id: str, *, dm: bool = False) -> str:
    """A token meaning "items older than `after_id`": base36 for posts, 16+ chars for DMs."""
    value = int(after_id)
    if dm:
        body = _encode(value, _BASE32).rjust(14, "0")
        return body + _check(value, _BASE32) + "ZZZZ"
    return _encode(value, _BASE36) + _check(value, _BASE36)


def read_token(name: str, token: str, *, dm: bool = False) -> str:
    """The id a token stands for; 400 when it is not a token this emulator made."""
    alphabet = _BASE32 if dm else _BASE36
    body = token.removesuffix("ZZZZ") if dm else token
    try:
        value = int(body[:-2].lower() if not dm else body[:-2], len(alphabet))
    except ValueError:
        value = -1
    if value < 0 or _check(value, alphabet) != body[-2:]:
        raise invalid_request(
            f"The `{name}` query parameter value [{token}] is not valid", {name: [token]}
        )
    return str(value)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a newest-first list and the token for the rest (None at the end)."""

    items: list[T]
    next_after: str | None


def page_of(
    items: Sequence[T],
    key: Callable[[T], str],
    *,
    limit: int,
    since_id: str | None = None,
    until_id: str | None = None,
    after: str | None = None,
) -> Page[T]:
    """The first `limit` items (newest first) newer than since_id and older than until/after."""
    floor = int(since_id) if since_id else -1
    ceiling = min(int(x) for x in (until_id, after) if x) if (until_id or after) else None
    chosen: list[T] = []
    more = False
    for item in items:
        value = int(key(item))
        if ceiling is not None and value >= ceiling:
            continue
        if value <= floor:
            break
        if len(chosen) == limit:
            more = True
            break
        chosen.append(item)
    return Page(chosen, key(chosen[-1]) if more and chosen else None)
