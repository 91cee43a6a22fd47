"""The weekly report's e-mail through a real SMTP server: what arrives, retries on a 4xx or a
refused connection, a 5xx recorded for good, a login whose password is never shown, a message
lost mid-way never resent, and the desk job that makes the report and sends it once."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail.attempts import MAX_ATTEMPTS
from jun_engine.mail.delivery import (
    MailState,
    ReportMailer,
    mail_states,
    report_mailer,
    send_due_report,
    send_latest,
)
from jun_engine.scheduling.desk_jobs import DeskJobs
from tests.mail.conftest import NOW, PDF, WEEK, email_section, keep_report, town_config
from tests.mail.smtp_server import PASSWORD, USERNAME, Mailbox, free_port, smtp_server


def _mailer(config: Config, environ: dict[str, str] | None = None) -> ReportMailer:
    mailer = report_mailer(config, environ or {})
    assert mailer is not None
    return mailer


def _state(engine: Engine) -> MailState:
    return mail_states(engine, limit=1)[0]


def test_the_report_arrives_as_html_with_its_pdf_attached(
    engine: Engine, config: Config, mailbox: Mailbox
) -> None:
    # Given last week's report kept in the desk
    keep_report(engine, html="<h1>Informe semanal</h1><p>12 casos</p>")
    # When the desk's step e-mails it
    assert send_due_report(engine, config, NOW, _mailer(config)) == 1
    # Then one message arrived for the mayor's office, from the town's address
    [(recipients, message)] = mailbox.accepted
    assert recipients == ["alcaldia@jun.example"]
    assert message["From"] == "informes@jun.example"
    assert message["To"] == "alcaldia@jun.example"
    assert message["Message-ID"] == "<weekly-report.2026-02-23.jun@jun.example>"
    assert message["Date"] is not None
    # With the report as its HTML body, a plain-text part, and the PDF attached
    html = message.get_body(("html",))
    plain = message.get_body(("plain",))
    assert html is not None
    assert plain is not None
    assert isinstance(html, EmailMessage)
    assert isinstance(plain, EmailMessage)
    assert "<p>12 casos</p>" in html.get_content()
    assert "2026-02-23" in plain.get_content()
    [attachment] = list(message.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "weekly-report-2026-02-23.pdf"
    assert attachment.get_content() == PDF
    # And the send is recorded
    state = _state(engine)
    assert (state.status, state.attempts, state.sent_at, state.error) == (Mail.SENT, 1, NOW, None)


@pytest.mark.parametrize(
    ("language", "subject", "on_the_wire"),
    [
        ("es", "Informe semanal: Jun, 2026-02-23 - 2026-03-01", b"Subject: Informe semanal: "),
        ("en", "Weekly report: Jun, 2026-02-23 - 2026-03-01", b"Subject: Weekly report: "),
        ("th", "รายงานประจำสัปดาห์: Jun, 2026-02-23 - 2026-03-01", b"Subject: =?utf-8?"),
    ],
)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_subject_is_in_the_towns_language_encoded_for_any_mail_reader(
    engine: Engine,
    tmp_path: Path,
    port: int,
    mailbox: Mailbox,
    language: str,
    subject: str,
    on_the_wire: bytes,
) -> None:
    config = load_config(town_config(tmp_path, email_section(port), language=language)).config
    keep_report(engine)
    send_due_report(engine, config, NOW, _mailer(config))
    [(_, message)] = mailbox.accepted
    assert message["Subject"] == subject
    assert message["Content-Language"] == language
    # And the whole message went as 7-bit ASCII (encoded words, base64), as every server takes
    [raw] = mailbox.raw
    assert raw.isascii()
    assert on_the_wire in raw


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_4xx_is_retried_after_the_retry_policys_backoff_then_sent_once(
    engine: Engine, config: Config, mailbox: Mailbox
) -> None:
    keep_report(engine)
    mailer = _mailer(config)
    # Given a server that answers the first message "try again later"
    mailbox.data_replies.append("451 4.3.0 mailbox busy, try again later")
    # When the step runs, the report is not sent and is waiting to be retried
    assert send_due_report(engine, config, NOW, mailer) == 0
    state = _state(engine)
    assert state.status is Mail.RETRYING
    assert state.next_at is not None
    assert state.next_at > NOW
    assert "451" in (state.error or "")
    # And before its moment, the next ticks leave it alone
    assert send_due_report(engine, config, NOW + timedelta(milliseconds=50), mailer) == 0
    assert mailbox.transfers == 1
    # When its moment comes, it is sent, once
    assert send_due_report(engine, config, state.next_at, mailer) == 1
    assert send_due_report(engine, config, state.next_at + timedelta(hours=1), mailer) == 0
    assert len(mailbox.accepted) == 1
    assert (_state(engine).status, _state(engine).attempts) == (Mail.SENT, 2)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_refused_connection_is_retried_and_gives_up_after_max_attempts(
    engine: Engine, tmp_path: Path
) -> None:
    # Given a server that is not there
    config = load_config(town_config(tmp_path, email_section(free_port()))).config
    keep_report(engine)
    mailer = _mailer(config)
    moment = NOW
    # When the step keeps trying at each moment the policy gives
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send_due_report(engine, config, moment, mailer) == 0
        state = _state(engine)
        assert state.attempts == attempt
        moment = state.next_at or moment
    # Then it was retried with backoff, and given up after MAX_ATTEMPTS
    assert state.status is Mail.FAILED
    assert "connection failed" in (state.error or "")
    assert send_due_report(engine, config, moment + timedelta(days=1), mailer) == 0
    assert _state(engine).attempts == MAX_ATTEMPTS


def test_a_5xx_is_recorded_and_never_retried(
    engine: Engine, config: Config, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    keep_report(engine)
    mailer = _mailer(config)
    mailbox.data_replies.append("554 5.7.1 message refused as spam")
    assert send_due_report(engine, config, NOW, mailer) == 0
    # Then it is recorded as failed, with the server's words, and logged as an error
    state = _state(engine)
    assert state.status is Mail.FAILED
    assert state.error == "SMTP server refused (554): 5.7.1 message refused as spam"
    assert any(r.levelno == logging.ERROR and "554" in r.getMessage() for r in caplog.records)
    # And later ticks never try again
    for hours in (1, 24, 24 * 6):
        assert send_due_report(engine, config, NOW + timedelta(hours=hours), mailer) == 0
    assert (mailbox.transfers, _state(engine).attempts) == (1, 1)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_refused_recipient_is_noted_and_the_others_get_it(
    engine: Engine, tmp_path: Path, port: int, mailbox: Mailbox
) -> None:
    to = "[alcaldia@jun.example, gone@jun.example]"
    config = load_config(town_config(tmp_path, email_section(port, to=to))).config
    mailbox.unknown.add("gone@jun.example")
    keep_report(engine)
    assert send_due_report(engine, config, NOW, _mailer(config)) == 1
    [(recipients, _)] = mailbox.accepted
    assert recipients == ["alcaldia@jun.example"]
    assert _state(engine).error == "refused for: gone@jun.example"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_login_works_and_its_password_is_never_logged_or_recorded(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    login = "    username_env: JUN_SMTP_USER\n    password_env: JUN_SMTP_PASSWORD\n"
    right = {"JUN_SMTP_USER": USERNAME, "JUN_SMTP_PASSWORD": PASSWORD}
    wrong = {**right, "JUN_SMTP_PASSWORD": PASSWORD[::-1]}
    mailbox = Mailbox()
    with smtp_server(mailbox, login=True) as port:
        config = load_config(town_config(tmp_path, email_section(port, extra=login))).config
        # Given a wrong password: refused for good, and said so without the password
        keep_report(engine)
        assert send_due_report(engine, config, NOW, _mailer(config, wrong)) == 0
        refused = _state(engine)
        assert refused.status is Mail.FAILED
        assert refused.error == "authentication failed (check the account's keys): " + (
            "the SMTP server refused the login (535)"
        )
        # When the right one is given and the report sent by hand
        sent = send_latest(engine, _mailer(config, right), NOW, again=False)
    # Then it logged in and the message arrived
    assert sent.status is Mail.SENT
    assert set(mailbox.logins) == {USERNAME}
    assert len(mailbox.accepted) == 1
    # And neither password is in a log line, the record, or the mailer's repr
    shown = [r.getMessage() for r in caplog.records] + [repr(_mailer(config, right))]
    shown += [str(state) for state in mail_states(engine)]
    assert not [line for line in shown if PASSWORD in line or PASSWORD[::-1] in line]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_message_lost_mid_way_is_unconfirmed_and_never_resent_by_itself(
    engine: Engine, config: Config, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    keep_report(engine)
    mailer = _mailer(config)
    # Given a server that takes the message and hangs up before saying it took it
    mailbox.drop = True
    assert send_due_report(engine, config, NOW, mailer) == 0
    # Then the send is unconfirmed, with a WARNING saying what to do
    assert _state(engine).status is Mail.UNCONFIRMED
    assert any(
        r.levelno == logging.WARNING and "--send --again" in r.getMessage() for r in caplog.records
    )
    # And no later tick sends it again
    mailbox.drop = False
    for hours in (1, 24):
        assert send_due_report(engine, config, NOW + timedelta(hours=hours), mailer) == 0
    assert mailbox.transfers == 1
    # Nor does a plain `--send`; only `--send --again`
    assert send_latest(engine, mailer, NOW, again=False).status is Mail.UNCONFIRMED
    assert mailbox.transfers == 1
    assert send_latest(engine, mailer, NOW, again=True).status is Mail.SENT
    assert len(mailbox.accepted) == 1


def test_the_desk_job_makes_the_weekly_report_then_sends_it_once(
    engine: Engine, config: Config, mailbox: Mailbox
) -> None:
    # Given the daemon's desk jobs with the town's mailer, and no report made yet
    jobs = DeskJobs(_mailer(config))
    # When two ticks run
    first = jobs(engine, config, NOW)
    second = jobs(engine, config, NOW + timedelta(minutes=1))
    # Then the report was made and e-mailed at the first, and nothing happened at the second
    assert (first["weekly reports"], first["weekly reports e-mailed"]) == (1, 1)
    assert (second["weekly reports"], second["weekly reports e-mailed"]) == (0, 0)
    [(_, message)] = mailbox.accepted
    [attachment] = list(message.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    pdf = PdfReader(BytesIO(attachment.get_content()))
    assert "Jun" in pdf.pages[0].extract_text()
    assert _state(engine).week_start == WEEK


def test_without_reports_email_nothing_is_sent(engine: Engine) -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "accounts.yaml").config
    assert report_mailer(config, {}) is None
    assert "weekly reports e-mailed" not in DeskJobs()(engine, config, NOW)
