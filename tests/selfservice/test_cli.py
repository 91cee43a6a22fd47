"""`jun-engine slots` and `jun-engine appointments`: staff see and change days, list and cancel."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.store.session import session_scope
from tests.selfservice.town import add_resident, later, outbox, say_and_process


def _run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--config", str(SHIPPED_CONFIG), "--db", db_url, *args])
    return result.exit_code, result.stdout, result.stderr


def _book(engine: Engine, config: Config, now: datetime, name: str, pick: str) -> None:
    with session_scope(engine) as session:
        person = add_resident(session, name=name)
    say_and_process(engine, config, person, "quiero cita con el médico", now)
    say_and_process(engine, config, person, pick, later(now, minutes=1))


def test_staff_list_the_day_s_appointments_as_json_and_as_a_table(
    db_url: str, engine: Engine, config: Config, now: datetime
) -> None:
    _book(engine, config, now, "Lola García", "2")
    _book(engine, config, now, "Manuel Ruiz", "1")
    code, out, _ = _run(db_url, "appointments", "list", "--date", "2026-03-02", "--json")
    assert code == ExitCode.OK
    listed = json.loads(out)["appointments"]
    assert [(a["time"], a["name"], a["reference"]) for a in listed] == [
        ("11:00", "Manuel Ruiz", "JUN-A00002"),
        ("11:15", "Lola García", "JUN-A00001"),
    ]
    code, out, _ = _run(db_url, "appointments", "list", "--date", "2026-03-02")
    assert code == ExitCode.OK
    assert "Lola García" in out
    assert "JUN-A00002" in out


def test_staff_cancel_by_reference_and_the_resident_hears_by_dm(
    db_url: str, engine: Engine, config: Config, now: datetime
) -> None:
    _book(engine, config, now, "Lola García", "1")
    code, out, _ = _run(db_url, "appointments", "cancel", "jun-a00001")
    assert (code, out.strip()) == (ExitCode.OK, "cancelled JUN-A00001 and told the resident by DM")
    told = outbox(engine)[-1]
    assert told.kind is OutboxKind.DM
    assert told.text.startswith("Tu cita JUN-A00001 del lunes 2 de marzo a las 11:00")
    code, _, err = _run(db_url, "appointments", "cancel", "JUN-A00001")
    assert (code, err.strip()) == (
        ExitCode.FAILURE,
        "error: appointment JUN-A00001 is already cancelled",
    )
    code, _, err = _run(db_url, "appointments", "cancel", "JUN-A99999")
    assert code == ExitCode.FAILURE
    assert "no appointment has the reference" in err


def test_slots_list_close_and_open_a_day(db_url: str, engine: Engine) -> None:
    code, out, _ = _run(db_url, "slots", "list", "--date", "2026-03-04", "--json")
    assert code == ExitCode.OK
    listed = json.loads(out)
    assert (listed["department"], len(listed["slots"])) == ("health", 22)
    assert listed["slots"][0] == {"time": "08:30", "ends": "08:45", "capacity": 1, "booked": 0}
    code, out, _ = _run(db_url, "slots", "close", "--date", "2026-03-04")
    assert (code, out.strip()) == (
        ExitCode.OK,
        "health: 2026-03-04 is closed (22 free slots removed)",
    )
    assert (
        json.loads(_run(db_url, "slots", "list", "--date", "2026-03-04", "--json")[1])["slots"]
        == []
    )
    # a Saturday opened for a vaccination morning
    code, out, _ = _run(db_url, "slots", "open", "--date", "2026-03-07", "--hours", "09:00-11:00")
    assert (code, out.strip()) == (ExitCode.OK, "health: 2026-03-07 is open, 8 slots")


def test_bad_input_is_one_clear_line_not_a_traceback(db_url: str, engine: Engine) -> None:
    cases = [
        (("slots", "list", "--date", "tomorrow"), "--date 'tomorrow' is not a date"),
        (("slots", "list", "--department", "water"), "department 'water' takes no appointments"),
        (("slots", "open", "--date", "2026-03-07"), "has no appointment hours on Saturdays"),
        (("slots", "open", "--date", "2026-03-07", "--hours", "9-13"), "is not a range"),
        (("appointments", "list", "--department", "police"), "takes no appointments"),
    ]
    for args, message in cases:
        code, _, err = _run(db_url, *args)
        assert code == ExitCode.USAGE, (args, err)
        assert message in err, (args, err)
        assert "Traceback" not in err
