"""Did-you-mean, durations, field paths and how a problem reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jun_engine.config import Problem, Severity
from jun_engine.config.problems import ConfigError, did_you_mean, suggestion
from jun_engine.config.schema import parse_duration
from jun_engine.config.source import format_path

ACCOUNTS = ["town", "water", "public_works", "street_cleaning", "police"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("watr", "water"),
        ("Water", "water"),
        ("WATER", "water"),
        ("public_work", "public_works"),
        ("publicworks", "public_works"),
        ("polcie", "police"),
        ("street-cleaning", "street_cleaning"),
        ("agua", None),
        ("x", None),
        ("", None),
    ],
)
def test_did_you_mean_finds_the_close_choice(word: str, expected: str | None) -> None:
    assert did_you_mean(word, ACCOUNTS) == expected


def test_suggestion_lists_the_known_choices_when_nothing_is_close() -> None:
    assert suggestion("watr", ACCOUNTS) == " (did you mean 'water'?)"
    assert suggestion("agua", ["water", "town"], known="accounts defined") == (
        " (accounts defined: town, water)"
    )
    assert suggestion("agua", []) == ""
    many = [f"key{i:02}" for i in range(20)]
    assert suggestion("zzz", many).endswith("key11, ...)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1d 12h", timedelta(days=1, hours=12)),
        ("1d12h30m", timedelta(days=1, hours=12, minutes=30)),
        (" 30m ", timedelta(minutes=30)),
        (3600, timedelta(hours=1)),
        (0, timedelta(0)),
        (timedelta(hours=3), timedelta(hours=3)),
    ],
)
def test_durations_read_as_written(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["soon", "", "4", "4 hours", "h", "-1h", "2w", -5, True, 1.5, None]
)
def test_anything_else_is_not_a_duration(text: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as '30m'"):
        parse_duration(text)


def test_paths_read_like_the_yaml() -> None:
    assert (
        format_path(("departments", "water", "hours", "mon", 0)) == "departments.water.hours.mon[0]"
    )
    assert format_path(("town",)) == "town"
    assert format_path(()) == ""


def test_a_problem_reads_like_a_compiler_message() -> None:
    problem = Problem(
        "accounts.yaml",
        12,
        5,
        "departments.water.account",
        Severity.ERROR,
        "unknown account 'agua'",
    )
    assert str(problem) == (
        "accounts.yaml:12:5: error: departments.water.account: unknown account 'agua'"
    )
    whole_file = Problem("accounts.yaml", None, None, "", Severity.ERROR, "no such file")
    assert str(whole_file) == "accounts.yaml: error: no such file"
    assert problem.to_dict()["severity"] == "error"


def test_config_error_counts_errors_not_warnings() -> None:
    warning = Problem("a.yaml", 1, 1, "x", Severity.WARNING, "careful")
    error = Problem("a.yaml", 2, 1, "y", Severity.ERROR, "wrong")
    raised = ConfigError([warning, error])
    assert raised.problems == (warning, error)
    assert str(raised) == "invalid configuration (1 error):\na.yaml:2:1: error: y: wrong"
