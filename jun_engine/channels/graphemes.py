"""Split text into user-perceived characters, so a long word is never cut inside an emoji
sequence, a flag, an accented letter written with a combining mark, or a Thai vowel sign.

A compact subset of Unicode's extended grapheme cluster rules (UAX #29): no break before
combining marks, spacing marks, ZWJ, variation selectors, emoji modifiers and tag characters;
none after ZWJ; regional indicators pair into flags; CR LF stays whole.
"""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
_EXTENDING_CATEGORIES = frozenset({"Mn", "Me", "Mc"})
_EXTENDING_RANGES = (
    (0xFE00, 0xFE0F),  # variation selectors
    (0x1F3FB, 0x1F3FF),  # emoji skin-tone modifiers
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
    (0xE0100, 0xE01EF),  # variation selectors supplement
    (0x0E33, 0x0E33),  # Thai SARA AM: a spacing mark in UAX #29
    (0x0EB3, 0x0EB3),  # Lao AM
)
_REGIONAL = (0x1F1E6, 0x1F1FF)


def graphemes(text: str) -> list[str]:
    """The grapheme clusters of `text`, in order; joined they give `text` back exactly."""
    clusters: list[str] = []
    for char in text:
        if clusters and _joins(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _joins(cluster: str, char: str) -> bool:
    last = cluster[-1]
    if last == "\r" and char == "\n":
        return True
    if last in "\r\n" or char in "\r\n":
        return False
    if last == ZWJ or _extends(char):
        return True
    return _regional(char) and _open_flag(cluster)


def _extends(char: str) -> bool:
    code = ord(char)
    if char == ZWJ or unicodedata.category(char) in _EXTENDING_CATEGORIES:
        return True
    return any(low <= code <= high for low, high in _EXTENDING_RANGES)


def _regional(char: str) -> bool:
    return _REGIONAL[0] <= ord(char) <= _REGIONAL[1]


def _open_flag(cluster: str) -> bool:
    """A cluster made of exactly one regional indicator waits for its pair."""
    return len(cluster) == 1 and _regional(cluster)
