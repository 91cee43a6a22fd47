"""Plural forms by the Unicode CLDR's rules (through Babel), for every text people read.

A text that holds a count is written once per plural category of its language: Spanish and
English have `one` and `other` (Spanish also `many`, for millions), Thai has only `other`.
`choose` picks the form the count takes in that language, so "1 caso abierto" and "2 casos
abiertos" come from the rules, never from "caso(s)" or an `if n == 1` in the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from babel import Locale, UnknownLocaleError

Forms = Mapping[str, str]
"""One text per CLDR plural category (`zero`, `one`, `two`, `few`, `many`, `other`); `other`
is required, since every language has it and it is the fallback."""


def category(language: str, count: int) -> str:
    """The CLDR plural category of `count` in `language` (`other` for an unknown language)."""
    rules = _locale(language)
    return rules.plural_form(abs(count)) if rules is not None else "other"


def choose(forms: Forms, language: str, count: int) -> str:
    """The form of `forms` that `count` takes in `language` (else `other`)."""
    return forms.get(category(language, count)) or forms["other"]


@cache
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None
