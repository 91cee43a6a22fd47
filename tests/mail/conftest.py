"""The shipped town with its weekly report e-mailed to a real SMTP server in the test process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.store.session import session_scope
from jun_engine.store.tables import WeeklyReportRow
from tests.mail.smtp_server import Mailbox, smtp_server

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
"""A Wednesday: the last full week is the one of Monday 2026-02-23."""
WEEK = date(2026, 2, 23)
PDF = b"%PDF-1.4\n% a stand-in; the real report's PDF is checked in test_the_desk_job_...\n%%EOF\n"


def email_section(port: int, *, extra: str = "", to: str = "[alcaldia@jun.example]") -> str:
    """accounts.yaml's `reports:` section for a server on 127.0.0.1:`port`."""
    return (
        "\nreports:\n  email:\n"
        f"    to: {to}\n"
        "    from: informes@jun.example\n"
        "    smtp_host: 127.0.0.1\n"
        f"    smtp_port: {port}\n"
        "    security: none\n"
        "    timeout: 10\n"
        f"{extra}"
    )


def town_config(directory: Path, section: str, *, language: str = "es") -> Path:
    """The shipped accounts.yaml plus `section`, in the town's `language`, written to
    `directory`; its path."""
    text = (REPO / "accounts.yaml").read_text(encoding="utf-8")
    text = text.replace("  default_language: es", f"  default_language: {language}", 1)
    path = directory / "accounts.yaml"
    path.write_text(text + section, encoding="utf-8")
    return path


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def port(mailbox: Mailbox) -> Iterator[int]:
    with smtp_server(mailbox) as serving:
        yield serving


@pytest.fixture
def config(tmp_path: Path, port: int) -> Config:
    return load_config(town_config(tmp_path, email_section(port))).config


def keep_report(engine: Engine, week: date = WEEK, html: str = "<h1>Informe</h1>") -> None:
    """A report as the desk keeps it (small HTML, a stand-in PDF)."""
    with session_scope(engine) as session:
        session.add(WeeklyReportRow(week_start=week, html=html, pdf=PDF, created_at=NOW))
