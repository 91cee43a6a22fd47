"""Cut long texts into the parts X accepts: numbered thread posts of at most 280 weighted
characters (twitter-text v3, suffix " 2/3" included), and DMs of at most 10,000 characters.

Cuts fall between words where possible, otherwise between grapheme clusters, so an emoji
sequence, a flag or an accented letter is never cut, and a URL (23 whatever its length) never.
Weights are summed word by word (twitter-text weighs words apart from each other), then every
part is weighed whole; a part over the limit makes the packing start again a little tighter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from twitter_text import parse_tweet

from jun_engine.channels.graphemes import graphemes
from jun_engine.domain.statuses import OutboxKind

MAX_POST_WEIGHT = 280
MAX_DM_CHARS = 10_000
_TOKENS = re.compile(r"\s+|\S+")


def post_weight(text: str) -> int:
    """The length X counts for a post: twitter-text v3 weights after NFC normalisation."""
    return int(parse_tweet(unicodedata.normalize("NFC", text)).weightedLength)


def split_post(text: str) -> list[str]:
    """`text` alone if it fits in one post, else thread parts each ending in " N/TOTAL"."""
    if post_weight(text) <= MAX_POST_WEIGHT:
        return [text]
    total = 2
    while True:
        parts = _pack_posts(text, MAX_POST_WEIGHT - len(f" {total}/{total}"))
        if len(str(len(parts))) <= len(str(total)):
            count = len(parts)
            return [f"{part} {number}/{count}" for number, part in enumerate(parts, start=1)]
        total = len(parts)


def split(kind: OutboxKind, text: str) -> list[str]:
    """`text` as the parts X accepts for an item of `kind`: DMs, or posts of a thread."""
    return split_dm(text) if kind is OutboxKind.DM else split_post(text)


def split_dm(text: str) -> list[str]:
    """`text` alone if it fits in one DM, else parts of at most 10,000 characters each."""
    if len(text) <= MAX_DM_CHARS:
        return [text]
    return _pack(text, len, MAX_DM_CHARS)


def _pack_posts(text: str, room: int) -> list[str]:
    """Parts whose whole weight is at most `room`, tightening if summed weights were short."""
    limit = room
    while True:
        parts = _pack(text, _token_weight, limit)
        excess = max((post_weight(part) - room for part in parts), default=0)
        if excess <= 0 or limit <= excess:  # the second never happens: a grapheme weighs <= 2
            return parts
        limit -= excess


@lru_cache(maxsize=8192)
def _token_weight(token: str) -> int:
    return post_weight(token)


def _pack(text: str, weigh: Callable[[str], int], limit: int) -> list[str]:
    """Greedily fill parts with whole words; words that fit no part are cut by graphemes.

    Whitespace at a cut is dropped (it would only pad the end or start of a part).
    """
    parts: list[str] = []
    current, used = "", 0
    for token in _TOKENS.findall(text):
        if not current and token.isspace():
            continue
        weight = weigh(token)
        if used + weight <= limit:
            current, used = current + token, used + weight
            continue
        if current.strip():
            parts.append(current.rstrip())
        current, used = "", 0
        if token.isspace():
            continue
        if weight <= limit:
            current, used = token, weight
            continue
        pieces = _cut_word(token, weigh, limit)
        parts.extend(piece for piece, _ in pieces[:-1])
        current, used = pieces[-1]
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _cut_word(word: str, weigh: Callable[[str], int], limit: int) -> list[tuple[str, int]]:
    """A word too long for one part, cut between grapheme clusters into parts that fit."""
    pieces: list[tuple[str, int]] = []
    current, used = "", 0
    for cluster in graphemes(word):
        weight = weigh(cluster)
        if current and used + weight > limit:
            pieces.append((current, used))
            current, used = "", 0
        current, used = current + cluster, used + weight
    pieces.append((current, used))
    return pieces
