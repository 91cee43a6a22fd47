"""The shipped town with its weekly report, and its departments' e-mails, sent to a real SMTP
server in the test process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Admission, AdmissionOutcome
from jun_engine.domain.routing import Intent, Layer, Routing, Urgency
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow, WeeklyReportRow
from tests.mail.smtp_server import Mailbox, smtp_server
from tests.stages import open_case

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


DESK = "https://desk.jun.example"
RESIDENT = "9000000001"
HANDLE = "lola_olmo_jun"


def smtp_section(port: int) -> str:
    """accounts.yaml's town-wide `smtp:` (a server on 127.0.0.1:`port`) and `web:` sections."""
    return (
        "\nsmtp:\n"
        "  host: 127.0.0.1\n"
        f"  port: {port}\n"
        "  security: none\n"
        "  from: avisos@jun.example\n"
        "  timeout: 10\n"
        f"web:\n  url: {DESK}/\n"
    )


def department_town(
    directory: Path, port: int, *, departments: tuple[str, ...] = ("police", "health")
) -> Path:
    """The shipped accounts.yaml with `smtp_section(port)`, and `departments` e-mailed at
    `<key>@jun.example`, written to `directory`; its path."""
    path = town_config(directory, smtp_section(port))
    text = path.read_text(encoding="utf-8")
    for key in departments:
        line = f"    account: {key}\n"
        assert text.count(line) == 1, key
        text = text.replace(line, f"{line}    email: [{key}@jun.example]\n")
    path.write_text(text, encoding="utf-8")
    return path


def opened(
    engine: Engine,
    config: Config,
    text: str,
    department: str,
    category: str | None = None,
    *,
    kind: MessageKind = MessageKind.DM,
    resident: int | None = None,
    at: datetime = NOW,
) -> str:
    """Open the case of a resident's message at `at`, as the case desk does; its reference."""
    town = config.town_account().user_id
    platform_id = str(uuid.uuid4().int % 10**18)
    with session_scope(engine) as session:
        row = InboundMessageRow(
            channel=Channel.X,
            kind=kind,
            platform_id=platform_id,
            account_id=town,
            author_id=RESIDENT,
            author_handle=HANDLE,
            text=text,
            created_at=at,
            received_at=at,
            conversation_id=platform_id if kind is MessageKind.MENTION else f"{town}-{RESIDENT}",
            mentioned_ids=town if kind is MessageKind.MENTION else "",
        )
        session.add(row)
        session.flush()
        routing = Routing(
            department, category, Intent.COMPLAINT, Urgency.NORMAL, 1.0, Layer.KEYWORD
        )
        admission = Admission(AdmissionOutcome.ADMITTED, resident_id=resident)
        case_id = open_case(session, row, admission, routing, config, at)
        case = session.get(CaseRow, case_id)
        assert case is not None
        return case.reference


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
