"""LINE's text limits: at most 5,000 UTF-16 code units a text message and 5 message objects a
request, so a long answer is cut into text messages and the messages grouped into requests.

An outbox part is one request: `split` returns parts that `messages` cuts back into at most five
messages each (checked as they are grouped, so the two always agree). Cuts fall after a space
where there is one, never inside a grapheme cluster (an emoji, a Thai vowel sign).
"""

from __future__ import annotations

from jun_engine.channels.graphemes import graphemes

TEXT_UNITS = 5_000
"""The longest text message, in UTF-16 code units."""
MESSAGES_PER_REQUEST = 5
"""The most message objects one reply or push carries."""


def units(text: str) -> int:
    """`text`'s length as LINE counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def messages(part: str, limit: int = TEXT_UNITS) -> list[str]:
    """`part` as text messages of at most `limit` units; joined they give `part` back."""
    if units(part) <= limit:
        return [part]  # most answers: one message, no grapheme to find
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for cluster in graphemes(part):
        weight = units(cluster)
        while current and size + weight > limit:
            cut = _last_space_end(current) or len(current)
            chunks.append("".join(current[:cut]))
            current = current[cut:]
            size = sum(units(c) for c in current)
        current.append(cluster)
        size += weight
    if current or not chunks:
        chunks.append("".join(current))
    return chunks


def _last_space_end(clusters: list[str]) -> int:
    """Where a cut after the last space would fall (0: no space to cut after)."""
    for index in range(len(clusters) - 1, -1, -1):
        if clusters[index].isspace():
            return index + 1
    return 0


def split(text: str) -> list[str]:
    """`text` as outbox parts, each one request of at most five text messages."""
    chunks = messages(text)
    parts: list[str] = []
    start = 0
    while start < len(chunks):
        count = min(MESSAGES_PER_REQUEST, len(chunks) - start)
        while count > 1 and too_many(chunks[start : start + count]):
            count -= 1
        parts.append("".join(chunks[start : start + count]))
        start += count
    return parts


def too_many(chunks: list[str]) -> bool:
    """Whether `chunks` joined would be cut back into more messages than a request carries."""
    return len(messages("".join(chunks))) > MESSAGES_PER_REQUEST
