"""What X recognises in a post's text: @mentions, #hashtags and URLs, with their indices."""

from __future__ import annotations

import re
import unicodedata

from twitter_text.extract_urls import extract_urls_with_indices

from jun_engine.emulator.records import Entity

_MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])")
_HASH_SIGNS = "#＃"


def mentions_in(text: str) -> tuple[Entity, ...]:
    """Every @username in the text (unresolved: `user_id` is filled in by the state)."""
    return tuple(Entity(m.start(), m.end(), m.group(1)) for m in _MENTION.finditer(text))


def hashtags_in(text: str) -> tuple[Entity, ...]:
    """Every #hashtag in the text, in any script; the tag is stored without its #."""
    found: list[Entity] = []
    for start, char in enumerate(text):
        if char not in _HASH_SIGNS or (start > 0 and _is_tag_char(text[start - 1])):
            continue
        end = start + 1
        while end < len(text) and _is_tag_char(text[end]):
            end += 1
        tag = text[start + 1 : end]
        if tag and not all(c.isdigit() or c == "_" for c in tag):
            found.append(Entity(start, end, tag))
    return tuple(found)


def _is_tag_char(char: str) -> bool:
    # Letters, digits, underscore and combining marks (Thai vowels and tones, accents).
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def urls_in(text: str) -> tuple[Entity, ...]:
    """Every URL twitter-text recognises, with or without a scheme."""
    found = extract_urls_with_indices(text)
    return tuple(Entity(int(u["indices"][0]), int(u["indices"][1]), str(u["url"])) for u in found)
