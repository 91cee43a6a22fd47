"""Analytics figures, their CSV, the Prometheus metrics and the weekly report, on SQLite and
PostgreSQL; and the `staff` and `web` commands."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from jun_engine.cli.app import app as cli
from jun_engine.domain.statuses import StaffRole
from jun_engine.scheduling.desk_jobs import JOBS
from jun_engine.staff.accounts import Staff
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, StaffAccountRow, WeeklyReportRow
from jun_engine.web.access import Access
from jun_engine.web.analytics import Cell, Figure, compute, percentile, percentile_of_counts
from jun_engine.web.pdf_fonts import find_fonts
from jun_engine.web.report import REPORTER, make_due_weekly_report, make_weekly_report
from jun_engine.web.report_pdf import Headline, weekly_pdf
from tests.web.conftest import Town
from tests.web.town import NOW, case, resident

Clients = Callable[[str], httpx.Client]


def test_percentiles_by_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile_of_counts([], 0.5) is None
    assert percentile_of_counts([(3.0, 1), (1.0, 2), (2.0, 1)], 0.5) == 1.0
    assert percentile_of_counts([(float(n), 1) for n in range(1, 11)], 0.9) == 9.0


def test_volumes_count_what_each_role_sees(town: Town) -> None:
    with Session(town.engine) as session:
        everything = compute(session, town.config, Access.of(REPORTER, town.config), NOW)
    volume = everything.figure("volume_by_department")
    assert volume is not None
    counts = {str(row[1]): int(row[2] or 0) for row in volume.rows if row[0] == "2026-03-02"}
    assert counts["police"] >= 1
    assert counts["health"] >= 1
    assert counts["public_works"] >= 2


def test_csv_export_is_the_figures_table(town: Town, clients: Clients) -> None:
    response = clients("ana").get("/analytics/volume_by_department.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["week", "department", "cases"]
    assert {row[1] for row in rows[1:]} == {"public_works"}  # ana sees her department only
    assert clients("ana").get("/analytics/nothing.csv").status_code == 404


def test_metrics_in_prometheus_text(clients: Clients) -> None:
    response = clients("admin").get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'jun_cases_open{department="police"} ' in response.text
    assert "# TYPE jun_outbox_backlog gauge" in response.text


def test_weeks_times_and_ratings_are_counted_by_the_database(town: Town) -> None:
    """Local weeks (a case at 00:30 on a Monday in Jun is 23:30 UTC on the Sunday), nearest-rank
    percentiles of response times, the share within the SLA and the ratings."""
    utc = UTC
    with Session(town.engine) as session:
        lola = resident(session, "lola_jun")
        moments = {
            "monday_local": (datetime(2026, 2, 22, 23, 30, tzinfo=utc), 1.0, True, 5),
            "sunday_local": (datetime(2026, 2, 22, 22, 30, tzinfo=utc), 2.0, None, 4),
            "wednesday": (datetime(2026, 2, 18, 10, 0, tzinfo=utc), 10.0, False, None),
        }
        for text, (opened, hours, met, stars) in moments.items():
            reference = case(
                session,
                town.config,
                text,
                "culture_sport",
                None,
                resident=lola,
                hours_ago=(NOW - opened) / timedelta(hours=1),
            )
            row = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
            row.first_response_at = opened + timedelta(hours=hours)
            row.first_response_due = (
                None if met is None else row.first_response_at + timedelta(minutes=1 if met else -1)
            )
            row.satisfaction = stars
            session.add(row)
        session.commit()
        culture = Staff(0, "c", StaffRole.DEPARTMENT, "culture_sport", 0)
        figures = compute(session, town.config, Access.of(culture, town.config), NOW)
    volume, times, ratings = (
        figures.figure(name) for name in ("volume_by_department", "times", "satisfaction")
    )
    assert volume is not None
    assert times is not None
    assert ratings is not None
    assert volume.rows == [("2026-02-16", "culture_sport", 2), ("2026-02-23", "culture_sport", 1)]
    first = next(r for r in times.rows if r[1] == "first_response")
    assert first[2:5] == (3, 2.0, 10.0)
    assert first[6] == round(100 * 2 / 3, 1)
    assert ratings.rows == [("culture_sport", 2, 4.5, 0, 0, 0, 1, 1)]


def test_the_weekly_report_is_kept_once_per_week(town: Town, clients: Clients) -> None:
    first = make_weekly_report(town.engine, town.config, NOW)
    second = make_weekly_report(town.engine, town.config, NOW)
    assert first == second
    with Session(town.engine) as session:
        kept = session.exec(select(WeeklyReportRow)).all()
    assert [row.week_start.isoformat() for row in kept] == ["2026-02-23"]
    page = clients("alcaldia").get("/reports/2026-02-23")
    assert page.status_code == 200
    assert "Informe semanal" in page.text


def test_the_scheduler_makes_each_weeks_report_once_with_its_pdf(
    town: Town, clients: Clients
) -> None:
    assert ("weekly reports", make_due_weekly_report) in JOBS
    next_monday = NOW + timedelta(days=7, hours=1)
    made = []
    for _tick in range(2):
        with session_scope(town.engine) as session:
            made.append(make_due_weekly_report(session, town.config, next_monday))
    assert made == [1, 0]
    with Session(town.engine) as session:
        row = session.get(WeeklyReportRow, date(2026, 3, 2))
        assert row is not None
        assert row.pdf is not None
        assert row.pdf.startswith(b"%PDF-")
    pdf = clients("alcaldia").get("/reports/2026-03-02.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == row.pdf
    assert b"/Title" in pdf.content
    assert "/reports/2026-03-02.pdf" in clients("alcaldia").get("/reports").text
    for path in ("/reports", "/reports/2026-03-02", "/reports/2026-03-02.pdf"):
        assert clients("ana").get(path).status_code == 404  # a department's staff: not theirs


def test_a_thai_and_japanese_weekly_pdf_carries_their_letters_not_question_marks() -> None:
    fonts = find_fonts(["es", "th", "ja"])
    assert fonts.latin is not None, "no DejaVu Sans: apt-get install fonts-dejavu-core"
    assert {f.name for f in fonts.fallbacks} == {"thai", "japanese"}, (
        "no Thai or Japanese font: apt-get install fonts-tlwg-loma-ttf fonts-ipafont-gothic"
    )
    departments = ("week", "department", "cases")
    rows: list[tuple[Cell, ...]] = [
        ("2026-03-02", "งานโยธาและบริการ", 3),
        ("2026-03-02", "道路課", 2),
        ("2026-03-02", "Obras y Servicios · Señal", 1),
    ]
    figure = Figure("volume_by_department", "by_department", departments, rows)
    headline = Headline("รายงานประจำสัปดาห์", "Jun", "2026-03-02 - 2026-03-08", 6, 1)
    pdf = weekly_pdf(headline, [figure], "2026-03-02", str, NOW, fonts)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("รายงานประจำสัปดาห์", "งานโยธาและบริการ", "道路課", "Obras y Servicios · Señal"):
        assert words in text
    assert "?" not in text


def test_staff_commands(town: Town, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--db", town.url]
    added = runner.invoke(
        cli,
        [
            *base,
            "staff",
            "add",
            "marta",
            "--role",
            "department",
            "--department",
            "water",
            "--password-stdin",
        ],
        input="una contraseña larga\n",
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(
        cli,
        [*base, "staff", "add", "corto", "--role", "admin", "--password-stdin"],
        input="corta\n",
    )
    assert short.exit_code == 2
    assert "at least 12" in short.output
    no_dept = runner.invoke(
        cli,
        [*base, "staff", "add", "sin", "--role", "department", "--password-stdin"],
        input="una contraseña larga\n",
    )
    assert no_dept.exit_code == 2
    listed = runner.invoke(cli, [*base, "staff", "list"])
    assert "marta" in listed.output
    assert "$argon2" not in listed.output
    assert runner.invoke(cli, [*base, "staff", "disable", "marta"]).exit_code == 0
    with Session(town.engine) as session:
        row = session.exec(select(StaffAccountRow).where(StaffAccountRow.username == "marta")).one()
        assert row.disabled_at is not None
        assert row.password_hash.startswith("$argon2id$")
    reset = runner.invoke(
        cli, [*base, "staff", "reset", "marta", "--password-stdin"], input="otra contraseña larga\n"
    )
    assert reset.exit_code == 0
    missing = runner.invoke(cli, [*base, "staff", "disable", "nadie"])
    assert missing.exit_code == 1
    assert "web" in runner.invoke(cli, ["--help"]).output
