"""Reading a resident's pick from a list of offers: "2", "la segunda", "the first", "10:30",
"ที่สอง". Returns the offer's index, or None when the answer is not a pick."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from jun_engine.routing.text import fold

MAX_WORDS = 8
"""A longer message is a new request, not a pick."""
MAX_WORDS_AROUND_A_NUMBER = 4
"""A bare number is a pick only in a short answer ("2", "la 2 por favor"): "hay 2 chicos
vendiendo droga en el parque" is a new request that happens to hold a number."""

ORDINALS: dict[str, int] = {
    "primera": 1, "primero": 1, "first": 1, "1st": 1, "1a": 1, "1º": 1,
    "segunda": 2, "segundo": 2, "second": 2, "2nd": 2, "2a": 2,
    "tercera": 3, "tercero": 3, "third": 3, "3rd": 3, "3a": 3,
    "cuarta": 4, "cuarto": 4, "fourth": 4, "4th": 4,
    "quinta": 5, "quinto": 5, "fifth": 5, "5th": 5,
    "ultima": -1, "ultimo": -1, "last": -1,
}  # fmt: skip
THAI_ORDINALS: dict[str, int] = {
    "แรก": 1,
    "ที่หนึ่ง": 1,
    "ที่ 1": 1,
    "ที่สอง": 2,
    "ที่ 2": 2,
    "ที่สาม": 3,
    "ที่ 3": 3,
    "ที่สี่": 4,
    "ที่ห้า": 5,
    "สุดท้าย": -1,
}
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:.h](\d{2})(?!\d)")
_NUMBER = re.compile(r"(?<![\d:])\d+(?![\d:])")
_WORD = re.compile(r"\w+")


def pick(text: str, offers: Sequence[datetime]) -> int | None:
    """The index in `offers` (local start times, in the order offered) the answer names."""
    folded = fold(text)
    if not offers or len(_WORD.findall(folded)) > MAX_WORDS:
        return None
    by_number = _by_number(folded, len(offers)) if _short(folded) else None
    for index in (_by_time(folded, offers), _by_ordinal(folded), by_number):
        if index is not None and -len(offers) <= index < len(offers):
            return index % len(offers)
    return None


def _short(folded: str) -> bool:
    words = [word for word in _WORD.findall(folded) if not word.isdigit()]
    return len(words) <= MAX_WORDS_AROUND_A_NUMBER


def _by_time(folded: str, offers: Sequence[datetime]) -> int | None:
    for hours, minutes in _TIME.findall(folded):
        for index, offer in enumerate(offers):
            if (offer.hour, offer.minute) == (int(hours), int(minutes)):
                return index
    return None


def _by_ordinal(folded: str) -> int | None:
    for word in _WORD.findall(folded):
        if word in ORDINALS:
            number = ORDINALS[word]
            return number - 1 if number > 0 else number
    for phrase, number in THAI_ORDINALS.items():
        if phrase in folded:
            return number - 1 if number > 0 else number
    return None


def _by_number(folded: str, count: int) -> int | None:
    numbers = [int(n) for n in _NUMBER.findall(_TIME.sub(" ", folded))]
    if len(numbers) == 1 and 1 <= numbers[0] <= count:
        return numbers[0] - 1
    return None
