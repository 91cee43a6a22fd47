"""accounts.yaml's department e-mail: `departments.<key>.email`, the town's one `smtp` server
(which the weekly report shares; an older file's server in `reports.email` still works) and
`web.url`, each problem reported with its line and field like every other key."""

from __future__ import annotations

from pathlib import Path

import pytest

from jun_engine.config import ConfigError, Problem, load_config
from jun_engine.config.environment import CredentialsError, smtp_login
from jun_engine.mail.delivery import report_mailer
from jun_engine.mail.departments import department_mailer
from tests.config.test_loading import SHIPPED, minimal, write

WATER = "    account: water\n"
EMAIL = WATER + "    email: [aguas@jun.example, guardia@jun.example]\n"
SMTP = """
smtp:
  host: smtp.jun.example
  port: 587
  security: starttls
  username_env: JUN_SMTP_USER
  password_env: JUN_SMTP_PASSWORD
  from: avisos@jun.example
web:
  url: https://desk.jun.example/
"""
LOGIN = {"JUN_SMTP_USER": "avisos", "JUN_SMTP_PASSWORD": "s3cret-Pa55"}
REPORT = """
reports:
  email:
    to: [alcaldia@jun.example]
"""


def _load(tmp_path: Path, text: str) -> list[Problem]:
    """The problems of `text` (an error is expected; the environment is not read)."""
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    return list(raised.value.problems)


def _line(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` holding `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_departments_and_the_report_share_the_towns_one_server(tmp_path: Path) -> None:
    # Given a town whose water department has addresses, with one server for all its e-mail
    text = minimal(SMTP + REPORT, **{WATER: EMAIL})
    config = load_config(write(tmp_path, text)).config
    # Then the department's addresses, the server and the desk's address are read
    assert config.emailed_departments() == {"water": ["aguas@jun.example", "guardia@jun.example"]}
    assert config.web.url == "https://desk.jun.example"
    # And both mailers go through that server, as the town's From unless the report names one
    departments = department_mailer(config, LOGIN)
    report = report_mailer(config, LOGIN)
    assert departments is not None
    assert report is not None
    assert departments.server == report.server
    assert (departments.server.host, departments.server.port) == ("smtp.jun.example", 587)
    assert (departments.sender, report.sender) == ("avisos@jun.example", "avisos@jun.example")
    login = smtp_login(config, LOGIN)
    assert login is not None
    assert login.username == "avisos"


def test_an_older_file_with_the_server_in_reports_email_serves_departments_too(
    tmp_path: Path,
) -> None:
    older = (
        "\nweb:\n  url: https://desk.jun.example\nreports:\n  email:\n"
        "    to: [alcaldia@jun.example]\n    from: informes@jun.example\n"
        "    smtp_host: 127.0.0.1\n    smtp_port: 2525\n    security: none\n"
    )
    config = load_config(write(tmp_path, minimal(older, **{WATER: EMAIL}))).config
    mailer = department_mailer(config, {})
    assert mailer is not None
    assert (mailer.server.host, mailer.server.port, mailer.sender) == (
        "127.0.0.1",
        2525,
        "informes@jun.example",
    )


def test_no_department_with_addresses_means_no_department_mailer(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, minimal(SMTP))).config
    assert department_mailer(config, LOGIN) is None


def test_addresses_without_a_server_or_a_desk_address_are_errors_at_the_departments_line(
    tmp_path: Path,
) -> None:
    text = minimal(**{WATER: EMAIL})
    problems = _load(tmp_path, text)
    assert {(p.path, p.line) for p in problems} == {
        ("departments.water.email", _line(text, "email: [aguas")),
    }
    messages = " | ".join(p.message for p in problems)
    assert "add a top-level `smtp` section" in messages
    assert "set web.url" in messages


def test_a_bad_address_and_a_bad_desk_address_point_at_their_lines(tmp_path: Path) -> None:
    text = minimal(
        SMTP.replace("https://desk.jun.example/", "desk.jun.example"),
        **{WATER: WATER + "    email: [aguas at jun]\n"},
    )
    problems = _load(tmp_path, text)
    found = {(p.path, p.line) for p in problems}
    assert ("departments.water.email[0]", _line(text, "aguas at jun")) in found
    assert ("web.url", _line(text, "url: desk.jun.example")) in found


def test_one_server_only_the_report_may_not_name_its_own_beside_smtp(tmp_path: Path) -> None:
    twice = REPORT + "    smtp_host: smtp.other.example\n    security: ssl\n"
    text = minimal(SMTP + twice)
    problems = _load(tmp_path, text)
    assert {(p.path, p.line) for p in problems} == {
        ("reports.email.smtp_host", _line(text, "smtp_host: smtp.other")),
        ("reports.email.security", _line(text, "security: ssl")),
    }
    assert all("the town's SMTP server is under `smtp`" in p.message for p in problems)


def test_a_report_with_no_server_anywhere_is_an_error(tmp_path: Path) -> None:
    text = minimal(REPORT + "    from: informes@jun.example\n")
    [problem] = _load(tmp_path, text)
    assert (problem.path, problem.line) == ("reports.email", _line(text, "email:"))
    assert "no SMTP server" in problem.message


def test_the_servers_login_rules_hold_under_smtp(tmp_path: Path) -> None:
    half = minimal(SMTP.replace("  password_env: JUN_SMTP_PASSWORD\n", ""))
    [problem] = _load(tmp_path, half)
    assert (problem.path, problem.line) == ("smtp.username_env", _line(half, "username_env"))
    clear = minimal(SMTP.replace("security: starttls", "security: none"))
    [problem] = _load(tmp_path, clear)
    assert (problem.path, problem.line) == ("smtp.security", _line(clear, "security: none"))
    assert "unencrypted" in problem.message


def test_a_password_written_under_smtp_is_refused_without_echoing_it(tmp_path: Path) -> None:
    text = minimal(SMTP.replace("  password_env: JUN_SMTP_PASSWORD\n", "  password: Hunter2-x\n"))
    problems = _load(tmp_path, text)
    [problem] = [p for p in problems if p.path == "smtp.password"]
    assert problem.line == _line(text, "password: Hunter2")
    assert all("Hunter2-x" not in p.message for p in problems)


def test_unset_login_variables_are_errors_naming_who_needs_them(tmp_path: Path) -> None:
    text = minimal(SMTP, **{WATER: EMAIL})
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text), target="emulator", environ={})
    smtp = [p for p in raised.value.problems if p.path.startswith("smtp")]
    assert [(p.path, p.is_error) for p in smtp] == [
        ("smtp.username_env", True),
        ("smtp.password_env", True),
    ]
    assert all("needed to e-mail departments" in p.message for p in smtp)
    config = load_config(write(tmp_path, text)).config
    with pytest.raises(CredentialsError, match="JUN_SMTP_PASSWORD"):
        department_mailer(config, {"JUN_SMTP_USER": "avisos"})


def test_the_shipped_files_commented_example_is_valid_once_uncommented(tmp_path: Path) -> None:
    # Given accounts.yaml with its e-mail example and the police's addresses uncommented
    lines = SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("#smtp:\n")
    end = lines.index("\n", start)
    lines[start:end] = [line[1:] for line in lines[start:end]]
    text = "".join(lines).replace("    # email: [policia@", "    email: [policia@", 1)
    # Then it loads, with one server for the report and the police
    config = load_config(write(tmp_path, text), environ=None).config
    assert config.emailed_departments() == {"police": ["policia@jun.example"]}
    assert config.web.url == "https://desk.jun.example"
    server = config.mail_server()
    assert server is not None
    assert (server.host, server.sender) == ("smtp.jun.example", "avisos@jun.example")
    assert config.reports.email is not None
