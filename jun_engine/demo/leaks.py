"""The demo's leak check: which of the engine's public posts repeat words of a private text.

It applies the case desk's notion of a leak (`jun_engine.cases.privacy`: a run of 12 normalised
characters of a private text appearing in public outside the town's public vocabulary) to
everything the engine's accounts posted, against every DM people sent and every mention in a
private category. The town's districts join the vocabulary: they are configured public names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jun_engine.cases.privacy import RUN, masked, normalise, public_vocabulary, runs
from jun_engine.config.schema import Config


def vocabulary(config: Config) -> list[str]:
    """The phrases a public post may carry even if a private text holds them, longest first."""
    phrases = set(public_vocabulary(config))
    phrases |= {normalise(district) for district in config.town.districts}
    return sorted((p for p in phrases if p), key=len, reverse=True)


def leaking(
    public_texts: Sequence[str], private_texts: Iterable[str], words: Sequence[str]
) -> list[int]:
    """The indexes of the public texts that carry a run of any private text."""
    private: set[str] = set()
    for text in private_texts:
        private |= runs(text)
    if not private:
        return []
    return [n for n, text in enumerate(public_texts) if _public_runs(text, words) & private]


def _public_runs(text: str, words: Sequence[str]) -> set[str]:
    flat = masked(text, words)
    found = {flat[i : i + RUN] for i in range(len(flat) - RUN + 1)}
    return {run for run in found if run and "\0" not in run}
