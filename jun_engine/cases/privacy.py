"""The one gate every public post of the case desk goes through: no private words in public.

A text counts as leaked when any run of `RUN` characters of a private text (a DM, or a message
in a private category), after normalisation, appears in the public text outside the town's
public vocabulary (the desk's templates, configured names and handles): those are masked out of
the public text first, since a DM that says "Policía Local" must not stop an acknowledgement
that names the Policía Local. Normalisation: NFKC, case folding, and every run of
non-alphanumeric characters as one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from jun_engine.cases.errors import CaseError
from jun_engine.cases.texts import FIELD, templates
from jun_engine.config.schema import Config

RUN = 12
"""Characters in a row that make a leak; shorter runs are common words and names."""

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


class PrivateTextInPublicError(CaseError):
    """A public post would have carried words from a private message; nothing was queued."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"refused to post in public for case {reference}: the text repeats words of a "
            "private message (a DM or a private category); answer by DM instead"
        )


def normalise(text: str) -> str:
    """NFKC, case-folded, with every run of spaces and punctuation as one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def runs(text: str, length: int = RUN) -> set[str]:
    """Every run of `length` characters of the normalised text."""
    flat = normalise(text)
    return {flat[i : i + length] for i in range(len(flat) - length + 1)}


def public_vocabulary(config: Config) -> list[str]:
    """The normalised phrases any public text of this town may carry, longest first."""
    phrases = {normalise(text) for text in _public_words(config)}
    return sorted((p for p in phrases if p), key=len, reverse=True)


def masked(public_text: str, vocabulary: Collection[str]) -> str:
    """The normalised public text with every vocabulary phrase blanked out (NUL characters)."""
    flat = normalise(public_text)
    covered = bytearray(len(flat))
    for phrase in vocabulary:
        start = flat.find(phrase)
        while start != -1:
            covered[start : start + len(phrase)] = b"\x01" * len(phrase)
            start = flat.find(phrase, start + 1)
    return "".join("\0" if hidden else char for char, hidden in zip(flat, covered, strict=True))


def leaked_runs(
    public_text: str, private_texts: Iterable[str], vocabulary: Collection[str]
) -> set[str]:
    """The runs of the private texts that appear in `public_text` outside the vocabulary."""
    flat = masked(public_text, vocabulary)
    public = {flat[i : i + RUN] for i in range(len(flat) - RUN + 1)} - {""}
    public = {run for run in public if "\0" not in run}
    if not public:
        return set()
    leaked: set[str] = set()
    for private in private_texts:
        leaked |= public & runs(private)
    return leaked


def guard_public(
    public_text: str, private_texts: Iterable[str], config: Config, reference: str
) -> None:
    """Raise PrivateTextInPublicError if `public_text` carries any private run."""
    if leaked_runs(public_text, private_texts, public_vocabulary(config)):
        raise PrivateTextInPublicError(reference)


def _public_words(config: Config) -> Iterable[str]:
    for template in templates():
        yield from FIELD.split(template)[::2]
    yield config.town.name
    for account in config.accounts.values():
        yield f"@{account.handle}"
        yield account.display_name or ""
    for dept in config.departments.values():
        yield from dept.name.values()
        for category in dept.categories.values():
            yield from category.name.values()
    for body in config.external_bodies.values():
        yield body.name
        yield f"@{body.handle}"
