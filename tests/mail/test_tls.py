"""The report's e-mail over STARTTLS and over TLS from the first byte, with a login, against a
real server whose certificate the client checks: trusted, it is sent; untrusted, it is refused
for good and the password never left the machine."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail.delivery import mail_states, report_mailer, send_due_report
from tests.mail.conftest import NOW, email_section, keep_report, town_config
from tests.mail.smtp_server import PASSWORD, USERNAME, Certificate, Mailbox, smtp_server

LOGIN = "    username_env: JUN_SMTP_USER\n    password_env: JUN_SMTP_PASSWORD\n"
ENVIRON = {"JUN_SMTP_USER": USERNAME, "JUN_SMTP_PASSWORD": PASSWORD}


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    return Certificate.make(tmp_path)


def _send(engine: Engine, tmp_path: Path, port: int, security: str) -> Mail:
    # `security: none` in email_section, replaced: the login goes over TLS here
    section = email_section(port, extra=LOGIN).replace("security: none", f"security: {security}")
    config = load_config(town_config(tmp_path, section)).config
    mailer = report_mailer(config, ENVIRON)
    assert mailer is not None
    keep_report(engine)
    send_due_report(engine, config, NOW, mailer)
    return mail_states(engine, limit=1)[0].status


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_trusted_server_gets_the_login_and_the_report_over_tls(
    engine: Engine,
    tmp_path: Path,
    certificate: Certificate,
    monkeypatch: pytest.MonkeyPatch,
    security: Literal["starttls", "ssl"],
) -> None:
    # Given a server whose certificate the system trusts (SSL_CERT_FILE, as OpenSSL reads it)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    mailbox = Mailbox()
    with smtp_server(mailbox, login=True, tls=security, certificate=certificate) as port:
        status = _send(engine, tmp_path, port, security)
    # Then the report was sent, after a login over the encrypted connection
    assert status is Mail.SENT
    assert set(mailbox.logins) == {USERNAME}
    assert len(mailbox.accepted) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_untrusted_certificate_is_refused_for_good_before_any_login(
    engine: Engine, tmp_path: Path, certificate: Certificate
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox, login=True, tls="starttls", certificate=certificate) as port:
        status = _send(engine, tmp_path, port, "starttls")
    assert status is Mail.FAILED
    assert "TLS certificate is not trusted" in (mail_states(engine)[0].error or "")
    assert (mailbox.logins, mailbox.transfers) == ([], 0)
