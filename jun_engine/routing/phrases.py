"""Finding known phrases in a message: stemmed word sequences, or substrings for Thai and emoji.

A phrase in a spaced language ("farola apagada", "burst pipe") matches when the message holds the
same words after folding and Snowball stemming in that phrase's language, so "farolas apagadas"
matches. A phrase in a script without spaces (Thai) or without letters (emoji) matches as a
substring of the folded message.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import snowballstemmer

from jun_engine.routing.text import TextView, fold, has_letters, is_unspaced, words

T = TypeVar("T")

SNOWBALL_NAMES: Mapping[str, str] = {
    "es": "spanish",
    "en": "english",
    "ca": "catalan",
    "eu": "basque",
    "fr": "french",
    "pt": "portuguese",
    "it": "italian",
    "de": "german",
    "nl": "dutch",
    "ro": "romanian",
}
"""ISO 639-1 code -> Snowball algorithm. Other languages match whole words, unstemmed."""

_PREFIX = 4
"""Only message words sharing their first letters with some phrase stem are stemmed at all."""
_MEMO_LIMIT = 50_000


class Stemmer:
    """One language's Snowball stemmer, memoised (stemming is pure; the memo only saves time)."""

    def __init__(self, language: str) -> None:
        name = SNOWBALL_NAMES.get(language)
        self._algorithm = snowballstemmer.stemmer(name) if name else None
        self._memo: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The stem of a folded word (the word itself for a language without a stemmer)."""
        if self._algorithm is None:
            return word
        stem = self._memo.get(word)
        if stem is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            stem = self._memo[word] = str(self._algorithm.stemWord(word))
        return stem


class Stemmers:
    """One Stemmer per language, shared by every index of a RuleSet so a word is stemmed once."""

    def __init__(self) -> None:
        self._by_language: dict[str, Stemmer] = {}

    def __getitem__(self, language: str) -> Stemmer:
        stemmer = self._by_language.get(language)
        if stemmer is None:
            stemmer = self._by_language[language] = Stemmer(language)
        return stemmer


@dataclass(frozen=True, slots=True)
class Phrase(Generic[T]):
    """A phrase as written in the configuration, what it stands for, and how it is matched."""

    text: str
    language: str
    payload: T
    stems: tuple[str, ...] = ()
    """The stemmed words, for a phrase in a spaced script."""
    needle: str = ""
    """The folded phrase, for a substring match (Thai, emoji)."""


class PhraseIndex(Generic[T]):
    """Phrases compiled once; `find` returns the ones a message contains."""

    def __init__(
        self, entries: Iterable[tuple[str, str, T]], stemmers: Stemmers | None = None
    ) -> None:
        """`entries` are (language, phrase, payload) triples."""
        self._pool = stemmers or Stemmers()
        self._stemmers: dict[str, Stemmer] = {}
        self._by_first: dict[tuple[str, str], list[Phrase[T]]] = defaultdict(list)
        self._prefixes: dict[str, set[str]] = defaultdict(set)
        self._prefix_sizes: dict[str, set[int]] = defaultdict(set)
        self._substrings: list[Phrase[T]] = []
        for language, text, payload in entries:
            self._add(language, text, payload)

    def _add(self, language: str, text: str, payload: T) -> None:
        folded = fold(text)
        if not folded:
            return
        if is_unspaced(folded) or not has_letters(folded):
            self._substrings.append(Phrase(text, language, payload, needle=folded))
            return
        stemmer = self._stemmers.setdefault(language, self._pool[language])
        stems = tuple(stemmer.stem(word) for word in words(folded))
        self._by_first[(language, stems[0])].append(Phrase(text, language, payload, stems))
        self._prefixes[language].update(stem[:_PREFIX] for stem in stems)
        self._prefix_sizes[language].update(min(_PREFIX, len(stem)) for stem in stems)

    def find(self, view: TextView) -> list[Phrase[T]]:
        """Every phrase `view` contains, each once, in index order per language."""
        found: dict[int, Phrase[T]] = {}
        for language, stemmer in self._stemmers.items():
            prefixes, sizes = self._prefixes[language], self._prefix_sizes[language]
            stems = [
                stemmer.stem(w) if any(w[:n] in prefixes for n in sizes) else "" for w in view.words
            ]
            for start, stem in enumerate(stems):
                for phrase in self._by_first.get((language, stem), ()) if stem else ():
                    if tuple(stems[start : start + len(phrase.stems)]) == phrase.stems:
                        found.setdefault(id(phrase), phrase)
        for phrase in self._substrings:
            if contains(view.folded, phrase.needle):
                found.setdefault(id(phrase), phrase)
        return list(found.values())


def contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` not cut before a combining mark: Thai ไหม (a
    question) is not inside ไหม้ (to burn), which is the same letters plus a tone mark."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        if end >= len(haystack) or unicodedata.category(haystack[end]) != "Mn":
            return True
        start = haystack.find(needle, start + 1)
    return False
