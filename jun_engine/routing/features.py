"""The model's features: character n-grams inside word boundaries, plus words and word pairs.

Character n-grams (1 to 5, each word padded with spaces) carry stems, misspellings, Thai runs
without spaces and emoji; words and pairs carry phrases. Training and prediction call this same
function, so the two can never disagree.
"""

from __future__ import annotations

from itertools import pairwise

from jun_engine.routing.text import fold

CHAR_NGRAMS = (1, 5)
WORD_MARK = "\x00"
"""Prefix of word features; folding turns control characters into spaces, so text cannot."""


def features(text: str) -> list[str]:
    """The feature strings of one text, repeated as often as they occur."""
    tokens = fold(text).split()
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for token in tokens:
        padded = f" {token} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    grams.extend(WORD_MARK + token for token in tokens)
    grams.extend(f"{WORD_MARK}{a} {b}" for a, b in pairwise(tokens))
    return grams
