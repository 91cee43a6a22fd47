"""Departments' e-mails through a real SMTP server: a new private case is announced with no
personal data (never a word, handle or name of the resident), public cases are not e-mailed,
cases opened close together go in one e-mail, the digest goes by e-mail instead of a DM from the
town, a 4xx is retried with backoff, and an attempt whose end was not heard is never resent."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from jun_engine.cases.privacy import normalise, runs
from jun_engine.cli.app import app
from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, MessageKind
from jun_engine.domain.residents import Identity
from jun_engine.domain.statuses import DepartmentMailKind, OutboxKind
from jun_engine.domain.statuses import MailStatus as Mail
from jun_engine.mail.attempts import STALE_AFTER
from jun_engine.mail.departments import (
    DepartmentMailer,
    department_mailer,
    send_department_mail,
)
from jun_engine.residents.verification import bind
from jun_engine.scheduling.desk_jobs import DeskJobs
from jun_engine.store.session import session_scope
from jun_engine.store.tables import (
    CasePlaceRow,
    CaseRow,
    DepartmentMailRow,
    OutboxRow,
    ResidentRow,
)
from tests.mail.conftest import DESK, HANDLE, NOW, RESIDENT, department_town, opened
from tests.mail.smtp_server import Mailbox

NAME = "Dolores Olmedo Ruiz"
TIP = (
    "He visto trapicheo todas las noches en el portal siete de la calle Olmo, "
    "frente a la panadería de Paquita; el del coche gris matrícula 4821-KLM"
)


@pytest.fixture
def config(tmp_path: Path, port: int) -> Config:
    """Jun with the police and the health centre e-mailed, through the test's SMTP server."""
    return load_config(department_town(tmp_path, port)).config


@pytest.fixture
def mailer(config: Config) -> DepartmentMailer:
    made = department_mailer(config, {})
    assert made is not None
    return made


def _resident(engine: Engine) -> int:
    """A verified resident of Jun on X."""
    with session_scope(engine) as session:
        row = ResidentRow(name=NAME, district="Barrio Alto", language="es", enrolled_at=NOW)
        session.add(row)
        session.flush()
        bind(session, row, Identity(Channel.X, RESIDENT, HANDLE), now=NOW)
        assert row.id is not None
        return row.id


def _rows(engine: Engine) -> list[DepartmentMailRow]:
    with session_scope(engine) as session:
        return list(session.exec(select(DepartmentMailRow).order_by(col(DepartmentMailRow.id))))


def _body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def test_a_private_tip_is_announced_by_email_with_no_personal_data(
    engine: Engine, config: Config, mailer: DepartmentMailer, mailbox: Mailbox
) -> None:
    # Given a verified resident who tips the police off by DM, and says where they live
    resident = _resident(engine)
    reference = opened(engine, config, TIP, "police", "tips", resident=resident)
    with session_scope(engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        assert case.id is not None
        place = CasePlaceRow(case_id=case.id, latitude=37.2213, longitude=-3.5942, label="Olmo 7")
        session.add(place)
    # When the desk's step sends what is due
    assert send_department_mail(engine, config, NOW, mailer) == 1
    # Then the police got one e-mail: the reference, department, category, times and the link
    [(recipients, message)] = mailbox.accepted
    assert recipients == ["police@jun.example"]
    assert message["From"] == "avisos@jun.example"
    assert message["Subject"] == f"[Jun] Nuevo caso privado {reference} · Policía Local"
    assert message["Auto-Submitted"] == "auto-generated"
    body = _body(message)
    assert f"Nuevo caso privado {reference}" in body
    assert "Departamento: Policía Local · Avisos confidenciales · normal" in body
    assert "Abierto: 04/03/2026 10:00 (Europe/Madrid)" in body  # the town's zone
    assert "Primera respuesta antes de: 04/03/2026 10:30 (Europe/Madrid)" in body  # 30 min SLA
    assert f"{DESK}/cases/{reference}" in body
    # And not a word of the resident: no run of their text, their handle, name, id or place
    [raw] = mailbox.raw
    wire = normalise(str(message)) + " " + normalise(raw.decode("ascii"))
    assert not {run for run in runs(TIP) if run in wire}
    for personal in (HANDLE, NAME, "Dolores", "Olmedo", RESIDENT, "Barrio Alto", "37.22", "Olmo"):
        assert normalise(personal) not in wire, personal
    # And the e-mail is recorded as sent, once
    [row] = _rows(engine)
    assert (row.status, row.attempts, row.sent_at, row.kind) == (
        Mail.SENT,
        1,
        NOW,
        DepartmentMailKind.CASE,
    )
    assert send_department_mail(engine, config, NOW + timedelta(minutes=5), mailer) == 0
    assert mailbox.transfers == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_public_case_is_not_emailed_and_the_health_centre_spends_no_dm(
    engine: Engine, config: Config, mailer: DepartmentMailer, mailbox: Mailbox
) -> None:
    # Given a public report to the police (tagged in the acknowledgement) and a health DM
    opened(engine, config, "@AytoJun música altísima en la plaza", "police", "noise",
          kind=MessageKind.MENTION)  # fmt: skip
    reference = opened(engine, config, "Quiero cambiar mi cita con la enfermera", "health")
    # Then only the private case is to be e-mailed
    assert [row.key.split(":")[0] for row in _rows(engine)] == ["case"]
    assert send_department_mail(engine, config, NOW, mailer) == 1
    [(recipients, message)] = mailbox.accepted
    assert recipients == ["health@jun.example"]
    assert reference in message["Subject"]
    # And the town sent no DM to the health centre (it reads the case on the desk)
    with session_scope(engine) as session:
        dms = session.exec(select(OutboxRow).where(OutboxRow.kind == OutboxKind.DM)).all()
    health = config.accounts["health"].user_id
    assert [dm.target for dm in dms if dm.target == health] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cases_opened_close_together_go_in_one_email_and_never_twice(
    engine: Engine, config: Config, mailer: DepartmentMailer, mailbox: Mailbox
) -> None:
    # Given three private health cases opened within a minute
    references = [
        opened(engine, config, text, "health", at=NOW + timedelta(seconds=20 * n))
        for n, text in enumerate(("necesito cita", "receta caducada", "vacuna de la gripe"))
    ]
    # When the step runs, they go in one e-mail that lists all three
    assert send_department_mail(engine, config, NOW + timedelta(minutes=1), mailer) == 1
    [(_, message)] = mailbox.accepted
    assert message["Subject"] == "[Jun] 3 casos privados nuevos · Consultorio de Salud"
    body = _body(message)
    assert all(f"{DESK}/cases/{reference}" in body for reference in references)
    assert body.count("Este correo no lleva datos personales") == 1
    # And each case's row is sent, all under that e-mail's Message-ID
    rows = _rows(engine)
    sent_as = str(message["Message-ID"]).strip()
    assert {(row.status, row.message_id) for row in rows} == {(Mail.SENT, sent_as)}
    # And later steps send nothing again
    for minutes in (2, 60, 60 * 24):
        assert send_department_mail(engine, config, NOW + timedelta(minutes=minutes), mailer) == 0
    assert mailbox.transfers == 1


def test_the_digest_goes_by_email_instead_of_a_dm_from_the_town(
    engine: Engine, config: Config, mailer: DepartmentMailer, mailbox: Mailbox
) -> None:
    # Given open cases in the health centre (e-mailed) and in public works (not)
    reference = opened(engine, config, "necesito cita", "health")
    opened(engine, config, "@AytoJun farola fundida en la calle Real", "public_works",
          "streetlights", kind=MessageKind.MENTION)  # fmt: skip
    jobs = DeskJobs(department_mailer=mailer)
    # When the desk's jobs run at the next tick, then again the same day
    first = jobs(engine, config, NOW + timedelta(minutes=1))
    again = jobs(engine, config, NOW + timedelta(hours=3))
    # Then each department got one digest: public works by DM, the health centre by e-mail
    assert (first["daily digests"], again["daily digests"]) == (2, 0)
    with session_scope(engine) as session:
        digests = session.exec(
            select(OutboxRow).where(col(OutboxRow.idempotency_key).startswith("digest:"))
        ).all()
    assert [row.target for row in digests] == [config.accounts["public_works"].user_id]
    # And the e-mailed ones went at the first tick: the new case, then the digest, alone
    assert (first["department e-mails sent"], again["department e-mails sent"]) == (2, 0)
    subjects = [message["Subject"] for _, message in mailbox.accepted]
    assert subjects == [
        f"[Jun] Nuevo caso privado {reference} · Consultorio de Salud",
        "[Jun] Resumen diario de Consultorio de Salud, 2026-03-04",
    ]
    digest = _body(mailbox.accepted[1][1])
    assert f"{reference} · - · recibido" in digest
    assert f"Todos los casos en el escritorio web: {DESK}/" in digest


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_4xx_is_retried_after_backoff_and_a_case_opened_meanwhile_is_not_held_back(
    engine: Engine, config: Config, mailer: DepartmentMailer, mailbox: Mailbox
) -> None:
    first = opened(engine, config, "necesito cita", "health")
    mailbox.data_replies.append("451 4.3.0 mailbox busy, try again later")
    # When the server says "later", the e-mail waits for the retry policy's moment
    assert send_department_mail(engine, config, NOW, mailer) == 0
    [row] = _rows(engine)
    assert row.status is Mail.RETRYING
    assert row.next_at is not None
    assert row.next_at > NOW
    assert "451" in (row.error or "")
    retry_at = row.next_at
    meanwhile = (retry_at - NOW) / 2
    second = opened(engine, config, "receta caducada", "health", at=NOW + meanwhile)
    # Then before it only the new case is sent (it surely never went); at it, the first
    assert send_department_mail(engine, config, NOW + meanwhile, mailer) == 1
    assert [m["Subject"] for _, m in mailbox.accepted] == [
        f"[Jun] Nuevo caso privado {second} · Consultorio de Salud"
    ]
    assert send_department_mail(engine, config, retry_at, mailer) == 1
    assert first in mailbox.accepted[1][1]["Subject"]
    assert [(row.status, row.attempts) for row in _rows(engine)] == [(Mail.SENT, 2), (Mail.SENT, 1)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_5xx_is_given_up_and_a_message_lost_mid_way_is_never_resent(
    engine: Engine,
    config: Config,
    mailer: DepartmentMailer,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    opened(engine, config, "necesito cita", "health")
    mailbox.data_replies.append("554 5.7.1 refused as spam")
    assert send_department_mail(engine, config, NOW, mailer) == 0
    # A server that takes the next e-mail and hangs up before saying it took it
    opened(engine, config, "receta caducada", "health", at=NOW + timedelta(minutes=1))
    mailbox.drop = True
    assert send_department_mail(engine, config, NOW + timedelta(minutes=1), mailer) == 0
    mailbox.drop = False
    assert [row.status for row in _rows(engine)] == [Mail.FAILED, Mail.UNCONFIRMED]
    assert any(
        r.levelno == logging.WARNING and "NOT resent" in r.getMessage() for r in caplog.records
    )
    # And neither is ever tried again
    for hours in (1, 24):
        assert send_department_mail(engine, config, NOW + timedelta(hours=hours), mailer) == 0
    assert (mailbox.transfers, mailbox.accepted) == (2, [])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_attempt_cut_by_a_crash_is_left_alone_then_unconfirmed_never_resent(
    engine: Engine,
    config: Config,
    mailer: DepartmentMailer,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an e-mail whose attempt was recorded, and then its process died (kill -9)
    opened(engine, config, "necesito cita", "health")
    with session_scope(engine) as session:
        [row] = session.exec(select(DepartmentMailRow)).all()
        row.status, row.attempts, row.attempted_at = Mail.SENDING, 1, NOW
        session.add(row)
    # When the step runs soon after, it leaves the attempt alone (it may still be under way)
    assert send_department_mail(engine, config, NOW + timedelta(minutes=1), mailer) == 0
    assert _rows(engine)[0].status is Mail.SENDING
    # And once it is stale it says the e-mail may have arrived, and does not send it
    assert (
        send_department_mail(engine, config, NOW + STALE_AFTER + timedelta(seconds=1), mailer) == 0
    )
    assert _rows(engine)[0].status is Mail.UNCONFIRMED
    assert mailbox.transfers == 0
    assert any("was interrupted and may have arrived" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_status_shows_each_department_s_mail_and_warns_of_a_failed_one(
    engine: Engine, db_url: str, config: Config, mailer: DepartmentMailer, mailbox: Mailbox,
    tmp_path: Path,
) -> None:  # fmt: skip
    # Given a tip to the police e-mailed, then one to the health centre the server refused
    opened(engine, config, "trapicheo en el portal", "police")
    opened(engine, config, "necesito cita", "health")
    mailbox.data_replies.append("554 5.7.1 refused as spam")  # health goes first: by key
    assert send_department_mail(engine, config, NOW, mailer) == 1
    opened(engine, config, "receta caducada", "health", at=NOW + timedelta(minutes=1))
    # When IT asks for the status
    args = ["-c", str(tmp_path / "accounts.yaml"), "--db", db_url, "status"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    as_json = CliRunner().invoke(app, [*args, "--json"])
    # Then each department's line says what was sent and what waits, and the refusal is a
    # warning that says it will not be resent
    lines = {line.split(":")[0]: line for line in shown.stdout.splitlines()}
    assert lines["e-mail to police"].startswith("e-mail to police: 1 sent (last ")
    assert lines["e-mail to police"].endswith(", 0 waiting")
    assert lines["warning"].startswith("warning: e-mail to health: 0 sent, 1 waiting, 1 failed")
    assert "refused (554): 5.7.1 refused as spam" in lines["warning"]
    assert "never resent by itself" in lines["warning"]
    health = json.loads(as_json.stdout)["department_mail"][0]
    assert (health["department"], health["failed"], health["waiting"]) == ("health", 1, 1)
