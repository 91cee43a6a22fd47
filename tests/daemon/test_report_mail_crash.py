"""SIGKILL while the weekly report is being e-mailed: a restarted daemon never sends it twice.

A real `jun-engine run --once` process makes last week's report and e-mails it to a real SMTP
server (aiosmtpd, in the test process) that takes the message and holds its answer; the daemon
is killed there with SIGKILL. The attempt was recorded before it was made, so the restarted
daemons leave it alone: at once (the attempt may still be under way elsewhere), and once it is
stale they mark it `unconfirmed` with a WARNING and still do not resend; `jun-engine web reports`
shows it (tests/mail/test_cli.py: only `web report --send --again` sends such a report again).
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

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import ReportMailStatus as Mail
from jun_engine.mail.delivery import STALE_AFTER, mail_states
from tests.daemon.harness import REPO, daemon_process, running_town, wait_until
from tests.mail.conftest import email_section, town_config
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
