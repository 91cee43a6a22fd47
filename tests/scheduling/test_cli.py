"""`jun-engine menus`, `notices` and `alert` on the command line: what a clerk types, what is
stored, `--json` for scripts, and bad input refused with one clear line and exit code 2.

The commands follow the emulator's clock (JUN_X_BASE_URL), so "today" is Monday 2 March 2026.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jun_engine.cli import alert as alert_cli
from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.testing import SHIPPED_CONFIG

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

ALLERGENS = ["crustaceans", "milk"]
"""Paella; Yogur's allergens, from the Spanish names in the file."""
HOSTILE = "Corte de agua 💧 mañana\u202e عاجل \u202c en Centro"
WEEK = """date,dishes,allergens
2026-03-03,Lentejas; Fruta,gluten
2026-03-04,Paella; Yogur,crustáceos; lácteos
2026-03-05,Cocido; Naranja,
"""


class Clerk:
    """Runs `jun-engine` commands against one database, on the emulator's clock."""

    def __init__(self, db: str, emulator: Emulator) -> None:
        self.db = db
        self.env = {"JUN_X_BASE_URL": emulator.base_url}

    def run(self, *args: str) -> tuple[int, str, str]:
        """Exit code, stdout and stderr of `jun-engine ARGS`."""
        result = CliRunner().invoke(
            app, ["-c", str(SHIPPED_CONFIG), "--db", self.db, *args], env=self.env
        )
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> Any:
        code, stdout, stderr = self.run(*args, "--json")
        assert code == ExitCode.OK, stderr
        return json.loads(stdout)

    def refused(self, *args: str) -> str:
        """The one line a refused command prints (it must exit 2 and print nothing else)."""
        code, stdout, stderr = self.run(*args)
        assert code == ExitCode.USAGE, (stdout, stderr)
        assert "Traceback" not in stdout + stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        return lines[0]


@pytest.fixture
def clerk(db_url: str, engine: object, x_emulator: Emulator) -> Clerk:
    return Clerk(db_url, x_emulator)


def week_file(directory: Path, text: str = WEEK) -> Path:
    path = directory / "semana.csv"
    path.write_text(text, encoding="utf-8")
    return path


# --- menus -------------------------------------------------------------------------------------


def test_menus_import_stores_the_week_and_a_second_import_changes_nothing(
    clerk: Clerk, tmp_path: Path
) -> None:
    first = clerk.json("menus", "import", str(week_file(tmp_path)))
    again = clerk.json("menus", "import", str(week_file(tmp_path)))
    assert first == {
        "school": "ceip_jun",
        "added": 3,
        "replaced": 0,
        "unchanged": 0,
        "warnings": [],
    }
    assert (again["added"], again["unchanged"]) == (0, 3)


def test_menus_list_shows_the_stored_days_with_dishes_allergens_and_status(
    clerk: Clerk, tmp_path: Path
) -> None:
    clerk.json("menus", "import", str(week_file(tmp_path)))
    menus = clerk.json("menus", "list", "--school", "ceip_jun")
    assert [(m["day"], m["status"]) for m in menus] == [
        ("2026-03-03", "scheduled"),
        ("2026-03-04", "scheduled"),
        ("2026-03-05", "scheduled"),
    ]
    assert menus[1]["dishes"] == ["Paella", "Yogur"]
    assert menus[1]["allergens"] == ALLERGENS
    code, table, _ = clerk.run("menus", "list")
    assert code == ExitCode.OK
    assert "Paella" in table


def test_menus_import_dry_run_checks_the_file_and_stores_nothing(
    clerk: Clerk, tmp_path: Path
) -> None:
    report = clerk.json("menus", "import", str(week_file(tmp_path)), "--dry-run")
    assert report == {"days": 3, "dry_run": True, "warnings": []}
    assert clerk.json("menus", "list") == []


def test_a_malformed_menu_file_is_rejected_whole_with_its_line_numbers(
    clerk: Clerk, tmp_path: Path
) -> None:
    broken = week_file(tmp_path, WEEK + "2026-02-30,Sopa,\nmañana,Arroz,\n")
    code, stdout, stderr = clerk.run("menus", "import", str(broken))
    assert code == ExitCode.USAGE
    assert "rejected" in stderr
    assert "nothing was imported" in stderr
    assert "semana.csv:5" in stdout
    assert "semana.csv:6" in stdout
    assert clerk.json("menus", "list") == []


def test_a_malformed_menu_file_with_json_lists_its_problems_as_json(
    clerk: Clerk, tmp_path: Path
) -> None:
    broken = week_file(tmp_path, WEEK + "mañana,Arroz,\n")
    code, stdout, _ = clerk.run("menus", "import", str(broken), "--json")
    assert code == ExitCode.USAGE
    problems = json.loads(stdout)["problems"]
    assert len(problems) >= 1


def test_menus_refuse_a_missing_file_and_a_bad_day_in_one_line(
    clerk: Clerk, tmp_path: Path
) -> None:
    assert "nothing was imported" in clerk.refused("menus", "import", str(tmp_path / "no.csv"))
    assert "write a day such as 2026-03-02" in clerk.refused("menus", "list", "--from", "lunes")


# --- notices -----------------------------------------------------------------------------------


def test_notices_add_list_and_cancel_a_one_off_notice(clerk: Clerk) -> None:
    added = clerk.json("notices", "add", "Pleno municipal a las 20:00", "--at", "2026-03-05 19:00")
    assert added["status"] == "scheduled"
    assert added["run_at"] == "2026-03-05T18:00:00+00:00"  # 19:00 in Madrid (winter time)
    assert [n["id"] for n in clerk.json("notices", "list")] == [added["id"]]
    code, stdout, _ = clerk.run("notices", "cancel", str(added["id"]))
    assert code == ExitCode.OK
    assert f"notice {added['id']} cancelled" in stdout
    assert clerk.json("notices", "list") == []
    assert [n["status"] for n in clerk.json("notices", "list", "--all")] == ["cancelled"]


def test_a_recurring_notice_is_listed_with_its_rule(clerk: Clerk) -> None:
    code, said, _ = clerk.run(
        "notices", "add", "Mañana pasa el camión", "--cron", "0 20 * * sun,tue"
    )
    assert code == ExitCode.OK
    assert "scheduled for 2026-03-03 20:00 Europe/Madrid (every 0 20 * * sun,tue)" in said
    [listed] = clerk.json("notices", "list")
    assert listed["recurrence"] == "0 20 * * sun,tue"
    assert listed["run_at"] == "2026-03-03T19:00:00+00:00"
    code, table, _ = clerk.run("notices", "list")
    assert code == ExitCode.OK
    assert "sun,tue" in table


def test_hostile_notice_text_is_stored_exactly(clerk: Clerk) -> None:
    added = clerk.json("notices", "add", HOSTILE, "--at", "2026-03-05 19:00")
    assert added["text"] == HOSTILE
    assert clerk.json("notices", "list")[0]["text"] == HOSTILE


def test_a_dm_notice_reports_its_progress_before_it_is_due(clerk: Clerk) -> None:
    added = clerk.json(
        "notices", "add", "Corte de agua el jueves", "--dm", "--topic", "water_cuts",
        "--district", "Centro", "--at", "2026-03-04 09:00",
    )  # fmt: skip
    progress = clerk.json("notices", "status", str(added["id"]))
    assert [(p["notice"], p["recipients"], p["total"]) for p in progress] == [
        (added["id"], None, 0)
    ]
    code, text, _ = clerk.run("notices", "status")
    assert code == ExitCode.OK
    assert "to be queued at 2026-03-04 09:00" in text


REFUSALS = [
    (("", "--at", "2026-03-05 19:00"), "the text is empty"),
    (("x" * 4001,), "at most 4000"),
    (("Pleno", "--at", "el jueves"), "--at 'el jueves'"),
    (("Pleno", "--cron", "every day"), "every day"),
    (("Pleno", "--account", "nobody"), "unknown account 'nobody'"),
    (("Corte", "--dm"), "needs --topic"),
    (("Corte", "--topic", "water_cuts"), "need --dm"),
    (("Corte", "--dm", "--topic", "gossip"), "unknown topic 'gossip'"),
    (("Pleno", "--at", "2026-03-05 19:00", "--until", "2026-03-05 18:00"), "before"),
]


def test_notices_add_refuses_bad_input_in_one_line(clerk: Clerk) -> None:
    for args, says in REFUSALS:
        assert says in clerk.refused("notices", "add", *args), args
    assert clerk.json("notices", "list", "--all") == []


def test_notices_cancel_refuses_an_unknown_or_closed_notice(clerk: Clerk) -> None:
    added = clerk.json("notices", "add", "Pleno", "--at", "2026-03-05 19:00")
    clerk.run("notices", "cancel", str(added["id"]))
    code, _, stderr = clerk.run("notices", "cancel", "999")
    assert code != ExitCode.OK
    assert "999" in stderr
    code, _, stderr = clerk.run("notices", "cancel", str(added["id"]))
    assert code != ExitCode.OK
    assert "cancelled" in stderr


# --- alert -------------------------------------------------------------------------------------


def test_an_alert_is_queued_at_once_and_listed(clerk: Clerk) -> None:
    queued = clerk.json("alert", "Corte de la A-92 por accidente: eviten la zona", "--yes")
    assert queued["dms"] == 0
    assert queued["key"].startswith("alert:")
    assert "Corte de la A-92" in queued["text"]
    listed = clerk.json("notices", "list", "--all")
    assert [n["id"] for n in listed] == [queued["alert"]]
    code, stdout, _ = clerk.run("alert", "Segundo aviso: la A-92 sigue cortada", "-y")
    assert code == ExitCode.OK
    assert "queued: a post from @AytoJun" in stdout


def test_an_alert_without_yes_and_without_a_terminal_is_refused_and_queues_nothing(
    clerk: Clerk,
) -> None:
    said = clerk.refused("alert", "Incendio en el monte: no se acerquen")
    assert said == "error: refusing to send an alert without --yes (no terminal)"
    assert clerk.json("notices", "list", "--all") == []


def test_an_alert_asks_first_and_a_no_queues_nothing(
    clerk: Clerk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alert_cli, "interactive", lambda: True)
    result = CliRunner().invoke(
        app,
        ["-c", str(SHIPPED_CONFIG), "--db", clerk.db, "alert", "Incendio", "--dm"],
        input="n\n",
        env=clerk.env,
    )
    assert result.exit_code == ExitCode.FAILURE
    assert "Send this now as a post from @AytoJun and a DM to 0 residents?" in result.stdout
    assert "alert cancelled, nothing queued" in result.stderr
    assert clerk.json("notices", "list", "--all") == []
    result = CliRunner().invoke(
        app,
        ["-c", str(SHIPPED_CONFIG), "--db", clerk.db, "alert", "Incendio"],
        input="y\n",
        env=clerk.env,
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    assert len(clerk.json("notices", "list", "--all")) == 1


def test_an_alert_dry_run_says_what_it_would_send_and_queues_nothing(clerk: Clerk) -> None:
    rehearsed = clerk.json("alert", "Incendio en el monte", "--dm", "--dry-run")
    assert (rehearsed["dry_run"], rehearsed["alert"], rehearsed["dms"]) == (True, None, 0)
    assert "Incendio en el monte" in rehearsed["text"]
    code, stdout, _ = clerk.run("alert", "Incendio en el monte", "--dry-run")
    assert code == ExitCode.OK
    assert "dry run: would queue a post from @AytoJun; nothing queued" in stdout
    assert clerk.json("notices", "list", "--all") == []


def test_alert_refuses_bad_input_in_one_line(clerk: Clerk) -> None:
    assert "empty" in clerk.refused("alert", "")
    assert "--district needs --dm" in clerk.refused("alert", "Incendio", "--district", "Centro")
    assert "unknown district 'Marte'" in clerk.refused(
        "alert", "Incendio", "--dm", "--district", "Marte"
    )
