"""SIGKILL while the weekly report, or a department's e-mail, is being sent: a restarted daemon
never sends it twice.

A real `jun-engine run --once` process makes last week's report and e-mails it to a real SMTP
server (aiosmtpd, in the test process) that takes the message and holds its answer; the daemon
is killed there with SIGKILL. The attempt was recorded before it was made, so the restarted
daemons leave it alone: at once (the attempt may still be under way elsewhere), and once it is
stale they mark it `unconfirmed` with a WARNING and still do not resend; `jun-engine web reports`
shows it (tests/mail/test_cli.py: only `web report --send --again` sends such a report again).
A department's e-mail of a new private case, killed the same way, is never resent either; the
department's digest, which surely never went, still goes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.config.loading import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import DepartmentMailKind
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail.attempts import STALE_AFTER
from jun_engine.mail.delivery import mail_states
from jun_engine.store.session import session_scope
from jun_engine.store.tables import DepartmentMailRow
from tests.daemon.harness import REPO, START, daemon_process, running_town, wait_until
from tests.mail.conftest import department_town, email_section, opened, town_config
from tests.mail.smtp_server import Mailbox, smtp_server

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_daemon_killed_while_mailing_the_report_never_sends_it_twice(
    town_config_: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    mailbox = Mailbox(hold=True)
    log = tmp_path / "daemon.log"
    with (
        smtp_server(mailbox) as port,
        running_town(town_config_, speed=1, rate_per_hour=1) as (emulator, _),
    ):
        config_path = town_config(tmp_path, email_section(port))
        # Given a daemon that made last week's report and is handing it to the SMTP server
        with daemon_process(emulator, db, log, "--once") as first:
            wait_until(mailbox.held.is_set, 120, "the report's message at the SMTP server")
            # When it is killed before the server answers
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        [state] = mail_states(engine, limit=1)
        assert (state.status, state.attempts) == (Mail.SENDING, 1)
        mailbox.hold = False
        # Then a daemon restarted at once does not send it again
        with daemon_process(emulator, db, log, "--once") as second:
            assert second.wait(timeout=120) == 0
        assert (mailbox.transfers, mailbox.accepted) == (1, [])
        # Nor one restarted once the attempt is stale: it says the send is unconfirmed
        emulator.clock.step(STALE_AFTER + timedelta(minutes=1))
        with daemon_process(emulator, db, log, "--once") as third:
            assert third.wait(timeout=120) == 0
        assert (mailbox.transfers, mailbox.accepted) == (1, [])
        assert "may have arrived; it is NOT resent" in log.read_text(encoding="utf-8")
        # And `jun-engine web reports` shows it, for a person to check the mailbox
        shown = _cli(config_path, db, "web", "reports")
        assert shown.returncode == 0
        [row] = [line for line in shown.stdout.splitlines() if "2026-02-23" in line]
        assert "unconfirmed" in row


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_daemon_killed_while_mailing_a_department_never_sends_it_twice(
    town_config_: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    mailbox = Mailbox(hold=True)
    log = tmp_path / "daemon.log"
    with (
        smtp_server(mailbox) as port,
        running_town(town_config_, speed=1, rate_per_hour=1) as (emulator, _),
    ):
        # Given a private case of the health centre, which is e-mailed
        config = load_config(department_town(tmp_path, port, departments=("health",))).config
        reference = opened(engine, config, "necesito cambiar mi cita", "health", at=START)
        # And a daemon handing its e-mail to the SMTP server
        with daemon_process(emulator, db, log, "--once") as first:
            wait_until(mailbox.held.is_set, 120, "the case's e-mail at the SMTP server")
            # When it is killed before the server answers
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        assert _mail_states(engine) == {
            DepartmentMailKind.CASE: (Mail.SENDING, 1),
            DepartmentMailKind.DIGEST: (Mail.UNSENT, 0),  # recorded, its turn not yet come
        }
        mailbox.hold = False
        # Then a daemon restarted at once does not send it again; the day's digest, which
        # surely never went, it sends
        with daemon_process(emulator, db, log, "--once") as second:
            assert second.wait(timeout=120) == 0
        [(_, digest)] = mailbox.accepted
        assert digest["Subject"].startswith("[Jun] Resumen diario de Consultorio de Salud")
        assert reference in str(digest.get_body(("plain",)))
        # Nor one restarted once the attempt is stale: it says the e-mail may have arrived
        emulator.clock.step(STALE_AFTER + timedelta(minutes=1))
        with daemon_process(emulator, db, log, "--once") as third:
            assert third.wait(timeout=120) == 0
        assert (mailbox.transfers, len(mailbox.accepted)) == (2, 1)
        assert _mail_states(engine) == {
            DepartmentMailKind.CASE: (Mail.UNCONFIRMED, 1),
            DepartmentMailKind.DIGEST: (Mail.SENT, 1),
        }
        assert "was interrupted and may have arrived" in log.read_text(encoding="utf-8")


def _mail_states(engine: Engine) -> dict[DepartmentMailKind, tuple[Mail, int]]:
    with session_scope(engine) as session:
        rows = session.exec(select(DepartmentMailRow)).all()
        return {row.kind: (row.status, row.attempts) for row in rows}


@pytest.fixture
def town_config_(town_config: Config) -> Config:
    """The shipped town (the emulator's accounts)."""
    return town_config


def _cli(config: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "jun_engine", "-c", str(config), "--db", db, *args]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=REPO, env=env, check=False
    )
