"""The staff command grammar (DMs from department accounts to the town account), parsed purely.

    JUN-2026-000123 <answer>            answer the resident
    resolve|resolver REF [answer]       mark resolved (with a last answer)
    note|nota REF <text>                an internal note
    reroute|reasignar REF DEPT [CAT]    move to another department
    merge|fusionar REF into|en REF2     REF duplicates REF2
    help|ayuda                          the list

Words are matched case-insensitively, with or without accents and a leading slash.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from jun_engine.domain.cases import REFERENCE, find_reference


class Verb(StrEnum):
    ANSWER = "answer"
    RESOLVE = "resolve"
    NOTE = "note"
    REROUTE = "reroute"
    MERGE = "merge"
    HELP = "help"


ALIASES: dict[str, Verb] = {
    "resolve": Verb.RESOLVE, "resolver": Verb.RESOLVE, "resuelto": Verb.RESOLVE,
    "note": Verb.NOTE, "nota": Verb.NOTE,
    "reroute": Verb.REROUTE, "reasignar": Verb.REROUTE,
    "merge": Verb.MERGE, "fusionar": Verb.MERGE,
    "help": Verb.HELP, "ayuda": Verb.HELP, "?": Verb.HELP,
}  # fmt: skip
INTO_WORDS = frozenset({"into", "en", "con", "with", "->"})


@dataclass(frozen=True, slots=True)
class StaffCommand:
    """One parsed command."""

    verb: Verb
    reference: str | None = None
    text: str = ""
    department: str | None = None
    category: str | None = None
    into: str | None = None


class CommandSyntaxError(ValueError):
    """A DM that is not a command; the message says what was expected.

    `problem` is the English sentence; `key` and `values` name the same problem for
    `cases.texts` (`problem_<key>`), so staff are told in their town's language."""

    def __init__(self, problem: str, key: str, **values: str) -> None:
        self.problem = problem
        self.key = key
        self.values = values
        super().__init__(problem)


def parse(text: str) -> StaffCommand:
    """The command in a staff DM, or CommandSyntaxError saying what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise CommandSyntaxError("the message is empty", "empty")
    head, _, rest = stripped.partition(" ")
    head_ref = _reference_only(head)
    if head_ref is not None:
        return _answer(head_ref, rest)
    verb = ALIASES.get(_word(head))
    if verb is None:
        raise CommandSyntaxError(
            f"unknown command {head[:30]!r}", "unknown_command", word=head[:30]
        )
    if verb is Verb.HELP:
        return StaffCommand(Verb.HELP)
    reference, rest = _leading_reference(rest, verb)
    return _PARSERS[verb](reference, rest)


def _answer(reference: str, rest: str) -> StaffCommand:
    if not rest.strip():
        raise CommandSyntaxError(f"no answer after {reference}", "no_answer", reference=reference)
    return StaffCommand(Verb.ANSWER, reference, rest.strip())


def _resolve(reference: str, rest: str) -> StaffCommand:
    return StaffCommand(Verb.RESOLVE, reference, rest.strip())


def _note(reference: str, rest: str) -> StaffCommand:
    if not rest.strip():
        raise CommandSyntaxError("a note needs its text", "note_empty")
    return StaffCommand(Verb.NOTE, reference, rest.strip())


def _reroute(reference: str, rest: str) -> StaffCommand:
    words = rest.split()
    if not 1 <= len(words) <= 2:
        raise CommandSyntaxError(
            "reroute takes a department key and optionally a category key", "reroute_words"
        )
    category = words[1].lower() if len(words) == 2 else None
    return StaffCommand(Verb.REROUTE, reference, department=words[0].lower(), category=category)


def _merge(reference: str, rest: str) -> StaffCommand:
    words = rest.split()
    if words and _word(words[0]) in INTO_WORDS:
        words = words[1:]
    into = _reference_only(words[0]) if len(words) == 1 else None
    if into is None:
        raise CommandSyntaxError("merge takes two references: merge REF into REF2", "merge_words")
    return StaffCommand(Verb.MERGE, reference, into=into)


_PARSERS = {
    Verb.RESOLVE: _resolve,
    Verb.NOTE: _note,
    Verb.REROUTE: _reroute,
    Verb.MERGE: _merge,
}


def _leading_reference(rest: str, verb: Verb) -> tuple[str, str]:
    head, _, tail = rest.strip().partition(" ")
    reference = _reference_only(head)
    if reference is None:
        raise CommandSyntaxError(
            f"{verb.value} needs a case reference such as JUN-2026-000123", "needs_reference"
        )
    return reference, tail


def _reference_only(word: str) -> str | None:
    cleaned = word.strip(".,:;!¡?¿()[]")
    match = REFERENCE.fullmatch(cleaned)
    return find_reference(cleaned) if match else None


def _word(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.lower().lstrip("/").strip(".,:;!¡¿"))
    return "".join(c for c in folded if not unicodedata.combining(c))
