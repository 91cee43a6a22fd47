"""accounts.yaml's `reports.email`: where the weekly report is e-mailed, checked with the file's
line and field like every other key, its login only ever as environment variable names."""

from __future__ import annotations

from pathlib import Path

import pytest

from jun_engine.config import ConfigError, Problem, load_config
from jun_engine.config.environment import CredentialsError, smtp_login
from tests.config.test_loading import minimal, write

GOOD = """
reports:
  email:
    to: [alcaldia@jun.example, gabinete@jun.example]
    from: informes@jun.example
    smtp_host: smtp.jun.example
    smtp_port: 587
    security: starttls
    username_env: JUN_SMTP_USER
    password_env: JUN_SMTP_PASSWORD
"""


def _problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[Problem]:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, minimal(text)), target="emulator", environ=environ)
    return list(raised.value.problems)


def test_a_full_section_loads_and_its_login_comes_from_the_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, minimal(GOOD))).config
    email = config.reports.email
    assert email is not None
    assert (email.sender, email.to, email.security) == (
        "informes@jun.example",
        ["alcaldia@jun.example", "gabinete@jun.example"],
        "starttls",
    )
    environ = {"JUN_SMTP_USER": "informes", "JUN_SMTP_PASSWORD": "s3cret-Pa55"}
    login = smtp_login(config, environ)
    assert login is not None
    assert login.username == "informes"
    assert "s3cret-Pa55" not in repr(login)
    with pytest.raises(CredentialsError, match="JUN_SMTP_PASSWORD"):
        smtp_login(config, {"JUN_SMTP_USER": "informes"})


def test_bad_values_are_reported_with_their_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("alcaldia@jun.example,", "alcaldia at jun,").replace(
        "security: starttls", "security: tls"
    )
    problems = _problems(tmp_path, text)
    base = minimal().count("\n")
    found = {(p.path, p.line) for p in problems}
    assert ("reports.email.to[0]", base + 4) in found
    assert ("reports.email.security", base + 8) in found
    [address] = [p for p in problems if p.path == "reports.email.to[0]"]
    assert "e-mail address such as 'mayor@example.org'" in address.message


def test_a_password_written_into_the_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    text = GOOD.replace("    password_env: JUN_SMTP_PASSWORD\n", "    password: Hunter2-smtp\n")
    problems = _problems(tmp_path, text)
    [problem] = [p for p in problems if p.path == "reports.email.password"]
    assert problem.line == minimal().count("\n") + 10
    assert "password_env" in problem.message  # the did-you-mean names the right key
    assert all("Hunter2-smtp" not in p.message for p in problems)


def test_half_a_login_and_a_password_in_clear_over_the_network_are_errors(
    tmp_path: Path,
) -> None:
    half = GOOD.replace("    password_env: JUN_SMTP_PASSWORD\n", "")
    [problem] = _problems(tmp_path, half)
    assert problem.path == "reports.email.username_env"
    assert "password_env too" in problem.message
    clear = GOOD.replace("security: starttls", "security: none")
    [problem] = _problems(tmp_path, clear)
    assert problem.path == "reports.email.security"
    assert "unencrypted" in problem.message
    # A relay on this machine may take a login without TLS
    local = clear.replace("smtp.jun.example", "localhost")
    assert load_config(write(tmp_path, minimal(local))).config.reports.email is not None


def test_unset_smtp_variables_are_errors_even_against_the_emulator(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD, environ={})
    smtp = [p for p in problems if p.path.startswith("reports.email")]
    assert [(p.path, p.is_error) for p in smtp] == [
        ("reports.email.username_env", True),
        ("reports.email.password_env", True),
    ]
    assert all("needed to e-mail reports" in p.message for p in smtp)
