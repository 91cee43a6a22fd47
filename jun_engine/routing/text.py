"""Text normalisation for matching: NFKC, case and accent folding, words, hashtags, handles.

Folding is for comparing only; what a resident wrote is always stored exactly as written.
Accents are folded on Latin letters only (the marks U+0300-U+036F): Thai vowel and tone marks
are letters of their words and are kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LATIN_MARKS = dict.fromkeys(range(768, 880))
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\s]+")
_WORD = r"[\w\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+"
_WORDS = re.compile(_WORD)
_HASHTAG = re.compile(r"[#＃](" + _WORD + ")")
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,15})")
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u4e00-\u9fff]")


def fold(text: str) -> str:
    """The form every comparison uses: NFKC, casefolded, Latin accents and invisible
    characters removed, control characters and runs of whitespace made one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text).translate(_LATIN_MARKS)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _CONTROL_OR_SPACE.sub(" ", text).strip()


def words(folded: str) -> tuple[str, ...]:
    """The words of folded text, in order (a Thai run without spaces is one word)."""
    return tuple(_WORDS.findall(folded))


def hashtags(folded: str) -> tuple[str, ...]:
    """The hashtags of folded text, with their `#`, in order."""
    return tuple("#" + tag for tag in _HASHTAG.findall(folded))


def handles(folded: str) -> tuple[str, ...]:
    """The @handles of folded text, without the `@`, in order."""
    return tuple(_HANDLE.findall(folded))


def is_unspaced(text: str) -> bool:
    """True for text in a script written without spaces between words (Thai, Lao, CJK...):
    such phrases are matched as substrings, not word by word."""
    return _UNSPACED.search(text) is not None


def has_letters(text: str) -> bool:
    """True when `text` holds at least one word character (an emoji-only phrase has none)."""
    return _WORDS.search(text) is not None


@dataclass(frozen=True, slots=True)
class TextView:
    """One message's text prepared once for every matcher: folded, split, tagged."""

    folded: str
    words: tuple[str, ...]
    hashtags: tuple[str, ...]
    handles: tuple[str, ...]

    @classmethod
    def of(cls, text: str, extra_hashtags: tuple[str, ...] = ()) -> TextView:
        """Prepare `text`; `extra_hashtags` are ones the platform reported separately."""
        folded = fold(text)
        tags = hashtags(folded) + tuple(
            fold(t if t.startswith("#") else "#" + t) for t in extra_hashtags
        )
        return cls(folded, words(folded), tuple(dict.fromkeys(tags)), handles(folded))
