"""`jun-engine web report --send` and `jun-engine web reports`: make and e-mail last week's report
by hand, see where each report's e-mail is, and resend an unconfirmed one only when told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from tests.mail.conftest import REPO, email_section, town_config
from tests.mail.smtp_server import Mailbox


def _invoke(config: Path, db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["-c", str(config), "--db", db_url, *args], env={"COLUMNS": "200"}
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_send_by_hand_then_an_unconfirmed_send_needs_again(
    engine: Engine, db_url: str, tmp_path: Path, port: int, mailbox: Mailbox
) -> None:
    config = town_config(tmp_path, email_section(port))
    # Given a server that takes the message and hangs up before answering
    mailbox.drop = True
    # When the report is made and sent by hand, the command says it is unconfirmed (exit 1)
    code, _, err = _invoke(config, db_url, "web", "report", "--send")
    assert code == ExitCode.FAILURE
    assert "is unconfirmed" in err
    assert "`--again` sends it anyway" in err
    # And `web reports` shows it
    code, out, _ = _invoke(config, db_url, "web", "reports", "--json")
    assert code == ExitCode.OK
    [state] = json.loads(out)
    assert (state["status"], state["attempts"]) == ("unconfirmed", 1)
    # And a plain --send does not send it again
    mailbox.drop = False
    code, _, err = _invoke(config, db_url, "web", "report", "--send")
    assert (code, mailbox.transfers) == (ExitCode.FAILURE, 1)
    # Only --send --again does
    code, out, _ = _invoke(config, db_url, "web", "report", "--send", "--again")
    assert code == ExitCode.OK
    assert "e-mailed the report of the week of" in out
    assert len(mailbox.accepted) == 1
    code, out, _ = _invoke(config, db_url, "web", "reports")
    assert "sent" in out
    assert "weekly reports" in out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_send_without_reports_email_or_its_password_is_a_usage_error(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    code, _, err = _invoke(REPO / "accounts.yaml", db_url, "web", "report", "--send")
    assert code == ExitCode.USAGE
    assert "no `reports.email`" in err
    login = "    username_env: JUN_SMTP_USER\n    password_env: JUN_SMTP_PASSWORD\n"
    config = town_config(tmp_path, email_section(25, extra=login))
    code, _, err = _invoke(config, db_url, "web", "report", "--send")
    assert code == ExitCode.USAGE
    assert "JUN_SMTP_USER, JUN_SMTP_PASSWORD" in err
