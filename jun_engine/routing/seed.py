"""The day-one seed set (seed_jun.yaml): examples for a town that has no history yet."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

import yaml

from jun_engine.routing.dataset import Example, department_of

SEED_FILE = "seed_jun.yaml"


def seed_examples(departments: Iterable[str] | None = None) -> list[Example]:
    """The seed examples, keeping only those of `departments` when given."""
    text = resources.files("jun_engine.routing").joinpath(SEED_FILE).read_text(encoding="utf-8")
    document: dict[str, dict[str, list[str]]] = yaml.safe_load(text)
    wanted = set(departments) if departments is not None else None
    examples: list[Example] = []
    for label, by_language in document.items():
        department = department_of(label)
        if wanted is not None and department not in wanted:
            continue
        for phrases in by_language.values():
            examples.extend(Example(str(phrase), label, department) for phrase in phrases)
    return examples
