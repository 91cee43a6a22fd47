"""`jun-engine check` on every file of tests/config/broken/: exit 2, naming line, path and fault.

Each file is a small accounts.yaml with one thing wrong (its first line says what). The table says
where `check` must point and which words it must use.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode

BROKEN = Path(__file__).parent / "broken"
REPO = Path(__file__).parents[2]


@dataclass(frozen=True)
class Case:
    file: str
    line: int
    path: str
    words: str


CASES = [
    Case("syntax_unclosed_brace", 28, "", "YAML syntax: did not find expected ',' or '}'"),
    Case("tab_indent", 28, "", "a tab indents this line"),
    Case("duplicate_key", 18, "accounts.water.handle", "duplicate key 'handle'"),
    Case("duplicate_department", 29, "departments.water", "already set at line 26"),
    Case("accounts_not_mapping", 11, "accounts", "must be a mapping"),
    Case("accounts_empty", 10, "accounts", "must not be empty"),
    Case("missing_department_account", 26, "departments.water.account", "required key is missing"),
    Case("missing_town", 1, "town", "required key is missing"),
    Case("unknown_key_typo", 28, "departments.water.acount", "did you mean 'account'?"),
    Case("unknown_section_typo", 21, "departmens", "did you mean 'departments'?"),
    Case(
        "undefined_department_account",
        28,
        "departments.water.account",
        "unknown account 'agua' (accounts defined: town, water)",
    ),
    Case("undefined_account_close", 28, "departments.water.account", "did you mean 'water'?"),
    Case("undefined_town_account", 5, "town.account", "unknown account 'ayuntamiento'"),
    Case("undefined_lead_account", 26, "departments.town_hall.lead_account", "'mayor'"),
    Case("undefined_staff_account", 26, "departments.town_hall.staff_accounts[1]", "'deputy'"),
    Case("undefined_school_account", 32, "schools.ceip_jun.account", "unknown account 'school'"),
    Case("undefined_escalation_account", 30, "cases.escalation_account", "unknown account"),
    Case("undefined_notices_account", 30, "notices.default_account", "did you mean 'town'?"),
    Case("undefined_air_quality_account", 32, "air_quality.account", "unknown account 'weather'"),
    Case(
        "undefined_external_body",
        32,
        "departments.water.categories.supply.external_body",
        "unknown external body 'emasagra'",
    ),
    Case(
        "notify_by_dm_without_dm_access",
        29,
        "departments.water.notify_by_dm",
        "has no 'dm_access: true'",
    ),
    Case(
        "notify_by_dm_town_only",
        22,
        "departments.town_hall.notify_by_dm",
        "cannot DM itself",
    ),
    Case(
        "department_email_without_smtp",
        29,
        "departments.water.email",
        "add a top-level `smtp` section",
    ),
    Case("duplicate_handle_case", 17, "accounts.water.handle", "already used by accounts.town"),
    Case("duplicate_user_id", 33, "external_bodies.endesa.user_id", "used by accounts.water"),
    Case("no_triage", 21, "departments", "no department has 'triage: true'"),
    Case("two_triage", 29, "departments.water.triage", "'town_hall' has it already"),
    Case("default_language_not_spoken", 6, "town.default_language", "'fr' is not one of"),
    Case("hours_end_before_start", 31, "departments.water.hours.tue[0]", "ends before it starts"),
    Case("literal_access_token", 19, "accounts.water.access_token_env", "looks like a secret"),
    Case("literal_bearer_token", 13, "accounts.town.display_name", "looks like a secret"),
    Case("env_name_lowercase", 9, "x.app.consumer_secret_env", "NAME of an environment variable"),
    Case("bad_duration", 30, "departments.water.sla.first_response", "expected a duration"),
    Case("bad_handle", 17, "accounts.water.handle", "without the @"),
    Case("bad_timezone", 6, "town.timezone", "unknown time zone 'Europe/Jun'"),
    Case("bad_date", 6, "town.holidays[1]", "not a valid date"),
    Case("unquoted_time", 33, "schools.ceip_jun.menu_time", 'write "12:30"'),
    Case("norway_language", 6, "town.languages[1]", "put the word in quotes"),
    Case("empty", 1, "", "the file is empty"),
    Case("top_level_list", 2, "", "the top level must be a mapping"),
    Case("deep_nesting", 2, "", "nested more than 64 levels deep"),
    Case("billion_laughs", 2, "", "more than 100,000 values"),
    Case("unsupported_tag", 4, "town.name", "unsupported YAML tag !!python/object/apply"),
    Case("two_documents", 29, "", "a second YAML document"),
    Case("unknown_alias", 27, "", "alias *aguas has no complete &aguas"),
    Case("user_id_is_handle", 18, "accounts.water.user_id", "numeric X user id"),
    Case("wrong_version", 2, "version", "must be 1"),
    Case("control_character", 4, "", "control characters are not allowed"),
    Case("age_group_inverted", 31, "notices.age_groups.youth.min_age", "above max_age 12"),
    Case("air_quality_without_coordinates", 30, "air_quality.enabled", "need town.coordinates"),
    Case("privacy_word", 29, "departments.water.privacy", "must be 'public' or 'private'"),
]


def test_every_broken_file_has_a_case() -> None:
    # Given the corpus on disk, then each file is in the table and there are at least 30
    on_disk = {p.stem for p in BROKEN.glob("*.yaml")}
    assert on_disk == {case.file for case in CASES}
    assert len(on_disk) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_check_rejects_broken_file_naming_line_path_and_fault(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a broken accounts.yaml
    monkeypatch.chdir(REPO)
    path = f"tests/config/broken/{case.file}.yaml"
    # When `jun-engine check` reads it
    result = CliRunner().invoke(app, ["check", "--target", "emulator", path])
    # Then it exits 2, without a traceback, with one line naming the place, the path and the fault
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    prefix = f"{path}:{case.line}:"
    named = f": error: {case.path}: " if case.path else ": error: "
    assert any(
        line.startswith(prefix) and named in line and case.words in line for line in lines
    ), result.output
    assert "is invalid:" in result.output.splitlines()[-1]


def test_check_as_a_real_process_names_the_problem() -> None:
    # Given a broken file, when `python -m jun_engine check` runs as its own process
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("JUN_X_BASE_URL", None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "jun_engine",
            "check",
            "tests/config/broken/undefined_account_close.yaml",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it exits 2 and prints the problem in the compiler-like form, on stdout
    assert completed.returncode == ExitCode.USAGE
    assert (
        "tests/config/broken/undefined_account_close.yaml:28:14: error: departments.water.account: "
        "unknown account 'watr' (did you mean 'water'?)"
    ) in completed.stdout
    assert "Traceback" not in completed.stderr
