"""The pure parts of the case desk, table-driven: the status machine, references, the staff
command grammar and the privacy gate's idea of a leak."""

from __future__ import annotations

import pytest

from jun_engine.cases.commands import CommandSyntaxError, StaffCommand, Verb, parse
from jun_engine.cases.privacy import PrivateTextInPublicError, guard_public, leaked_runs
from jun_engine.config.schema import Config
from jun_engine.domain.cases import (
    TRANSITIONS,
    InvalidTransitionError,
    can_move,
    check_move,
    find_reference,
)
from jun_engine.domain.statuses import CaseStatus as S

MOVES = [
    (S.OPEN, S.ROUTED, True),
    (S.ROUTED, S.ACKNOWLEDGED, True),
    (S.ROUTED, S.FORWARDED, True),
    (S.ACKNOWLEDGED, S.ANSWERED, True),
    (S.ACKNOWLEDGED, S.REROUTED, True),
    (S.REROUTED, S.REROUTED, True),
    (S.ANSWERED, S.RESOLVED, True),
    (S.RESOLVED, S.CLOSED, True),
    (S.RESOLVED, S.REOPENED, True),
    (S.CLOSED, S.REOPENED, True),
    (S.REOPENED, S.ANSWERED, True),
    (S.ACKNOWLEDGED, S.MERGED, True),
    (S.OPEN, S.ACKNOWLEDGED, False),
    (S.RESOLVED, S.ANSWERED, False),
    (S.CLOSED, S.RESOLVED, False),
    (S.MERGED, S.REOPENED, False),
    (S.RESOLVED, S.MERGED, False),
]


@pytest.mark.parametrize(("current", "wanted", "allowed"), MOVES)
def test_the_status_machine(current: S, wanted: S, allowed: bool) -> None:
    assert can_move(current, wanted) is allowed


def test_every_status_has_a_row_and_only_merged_is_final() -> None:
    assert set(TRANSITIONS) == set(S)
    assert [s for s, nexts in TRANSITIONS.items() if not nexts] == [S.MERGED]


def test_a_refused_move_says_what_is_allowed() -> None:
    with pytest.raises(InvalidTransitionError, match=r"closed cannot become resolved.*reopened"):
        check_move(S.CLOSED, S.RESOLVED)


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("JUN-2026-000123 arreglado", "JUN-2026-000123"),
        ("re: jun-2026-000007.", "JUN-2026-000007"),
        ("ABCDEFGHI-2026-000123", None),
        ("JUN-2026-12", None),
        ("nada", None),
    ],
)
def test_references_are_found_in_any_case(text: str, reference: str | None) -> None:
    assert find_reference(text) == reference


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("JUN-2026-000123 Ya está", StaffCommand(Verb.ANSWER, "JUN-2026-000123", "Ya está")),
        ("jun-2026-000123: hecho", StaffCommand(Verb.ANSWER, "JUN-2026-000123", "hecho")),
        ("resolver JUN-2026-000123", StaffCommand(Verb.RESOLVE, "JUN-2026-000123")),
        ("Resolve JUN-2026-000123 fixed", StaffCommand(Verb.RESOLVE, "JUN-2026-000123", "fixed")),
        ("/nota JUN-2026-000001 llamar", StaffCommand(Verb.NOTE, "JUN-2026-000001", "llamar")),
        (
            "reasignar JUN-2026-000001 Water",
            StaffCommand(Verb.REROUTE, "JUN-2026-000001", department="water"),
        ),
        (
            "reroute JUN-2026-000001 police noise",
            StaffCommand(Verb.REROUTE, "JUN-2026-000001", department="police", category="noise"),
        ),
        (
            "fusionar JUN-2026-000002 en JUN-2026-000001",
            StaffCommand(Verb.MERGE, "JUN-2026-000002", into="JUN-2026-000001"),
        ),
        (
            "merge JUN-2026-000002 into jun-2026-000001",
            StaffCommand(Verb.MERGE, "JUN-2026-000002", into="JUN-2026-000001"),
        ),
        ("Ayuda", StaffCommand(Verb.HELP)),
    ],
)
def test_the_staff_grammar(text: str, command: StaffCommand) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("hola", "unknown command"),
        ("JUN-2026-000123", "no answer"),
        ("resolver", "needs a case reference"),
        ("nota JUN-2026-000123", "needs its text"),
        ("reasignar JUN-2026-000123", "department key"),
        ("fusionar JUN-2026-000123 con", "two references"),
    ],
)
def test_what_is_not_a_command_says_why(text: str, problem: str) -> None:
    with pytest.raises(CommandSyntaxError, match=problem):
        parse(text)


def test_a_leak_is_twelve_characters_in_a_row_after_normalisation(config: Config) -> None:
    secret = "Mi vecino del 3ºB vende droga en el portal"
    assert leaked_runs("ver: VENDE   DROGA en el portal!", [secret], set())
    assert not leaked_runs("vende droga", [secret], set())  # 11 characters
    assert not leaked_runs("Hemos registrado tu aviso", [secret], set())


def test_the_gate_allows_the_towns_own_names_and_refuses_private_words(config: Config) -> None:
    dm = "La Policía Local de Jun no vino; mi vecino vende droga en el portal"
    guard_public("@lola Te lo lleva Policía Local (@PoliciaLocalJun)", [dm], config, "JUN-1")
    with pytest.raises(PrivateTextInPublicError, match="JUN-1"):
        guard_public("Gracias: mi vecino vende droga", [dm], config, "JUN-1")
