"""Working cases in the desk over HTTP: the inbox's order, filters and refresh rows; reply,
note, reroute, merge, resolve and reopen through the case desk's own functions."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from html import unescape as html_unescape

import httpx
import pytest
from sqlmodel import Session, select

from jun_engine.domain.statuses import CaseStatus, ExampleSource, OutboxKind, StaffRole
from jun_engine.staff.accounts import Staff
from jun_engine.store.tables import CaseEventRow, CaseRow, OutboxRow, RoutingExampleRow
from jun_engine.web.access import Access
from jun_engine.web.inbox import InboxFilter, inbox
from tests.web.conftest import Town, csrf_of
from tests.web.town import NOW, case, resident

Clients = Callable[[str], httpx.Client]


def _new_case(town: Town, text: str, *, hours_ago: float = 2, urgency: str | None = None) -> str:
    with Session(town.engine, expire_on_commit=False) as session:
        lola = resident(session, "lola_jun")
        reference = case(
            session,
            town.config,
            text,
            "public_works",
            "potholes",
            resident=lola,
            hours_ago=hours_ago,
            urgency=urgency,
        )
        session.commit()
    return reference


def _case(town: Town, reference: str) -> CaseRow:
    with Session(town.engine) as session:
        return session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()


def _post(client: httpx.Client, reference: str, action: str, **data: str) -> httpx.Response:
    token = csrf_of(client.get(f"/cases/{reference}").text)
    return client.post(f"/cases/{reference}/{action}", data={"csrf": token, **data})


def test_the_inbox_puts_emergencies_then_the_nearest_due_first(
    town: Town, clients: Clients
) -> None:
    emergency = _new_case(town, "Fuga de gas en la calle Mayor", urgency="emergency", hours_ago=0.1)
    html = clients("ana").get("/").text
    order = [ref for ref in (emergency, town.cases.hostile, town.cases.streetlight) if ref in html]
    assert order == [emergency, town.cases.hostile, town.cases.streetlight]
    assert (
        html.index(emergency) < html.index(town.cases.hostile) < html.index(town.cases.streetlight)
    )


def test_filters_and_search_narrow_the_inbox(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    overdue = ana.get("/", params={"overdue": "1"}).text
    assert town.cases.hostile in overdue  # opened four days ago: first response overdue
    assert town.cases.pothole not in overdue
    by_category = ana.get("/", params={"category": "public_works/streetlights"}).text
    assert town.cases.streetlight in by_category
    assert town.cases.pothole not in by_category
    by_district = ana.get("/", params={"district": "Los Llanos"}).text
    assert town.cases.hostile in by_district
    assert town.cases.streetlight not in by_district
    assert town.cases.streetlight in ana.get("/", params={"q": "farola"}).text
    assert town.cases.streetlight in ana.get("/", params={"q": "@lola_jun"}).text
    rows = ana.get("/inbox/rows").text
    assert town.cases.streetlight in rows
    assert "<html" not in rows


def test_reply_goes_through_the_outbox_from_the_departments_side(
    town: Town, clients: Clients
) -> None:
    reference = _new_case(town, "Hay un bache en la plaza")
    response = _post(clients("ana"), reference, "reply", text="Mañana lo arreglamos")
    assert response.status_code == 200
    row = _case(town, reference)
    assert row.status is CaseStatus.ANSWERED
    assert row.first_response_at is not None
    with Session(town.engine) as session:
        sent = session.exec(select(OutboxRow).where(OutboxRow.case_id == row.id)).all()
    assert len(sent) == 1
    assert "Mañana lo arreglamos" in sent[0].text
    # answered where the resident wrote: a reply to the post, tagged with its reference
    assert sent[0].kind is OutboxKind.REPLY
    assert sent[0].target is not None
    assert sent[0].text.endswith(f"(ref. {sent[0].target[-5:]})")
    assert "Mañana lo arreglamos" in response.text  # the page shows what was sent


def test_note_reroute_merge_resolve_and_reopen(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    first, second = _new_case(town, "Bache uno"), _new_case(town, "Bache uno otra vez")
    assert _post(ana, first, "note", text="Revisado por la brigada").status_code == 200
    assert _post(ana, second, "merge", into=first).status_code == 200
    assert _case(town, second).status is CaseStatus.MERGED
    assert _post(ana, first, "resolve").status_code == 200
    assert _case(town, first).status is CaseStatus.RESOLVED
    assert _post(ana, first, "reopen").status_code == 200
    assert _case(town, first).status is CaseStatus.REOPENED
    rerouted = _post(ana, first, "reroute", target="water/leaks")
    assert rerouted.status_code == 404  # water's case now: no longer public works' to see
    moved = _case(town, first)
    assert (moved.department, moved.category) == ("water", "leaks")
    with Session(town.engine) as session:
        kinds = session.exec(
            select(CaseEventRow.kind).where(CaseEventRow.case_id == moved.id)
        ).all()
        example = session.exec(
            select(RoutingExampleRow).where(RoutingExampleRow.case_id == moved.id)
        ).one()
    assert {"note", "resolved", "reopened", "rerouted", "merged_in"} <= set(kinds)
    assert example.source is ExampleSource.CORRECTION


def test_a_refused_action_says_why_and_changes_nothing(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    reference = _new_case(town, "Bache tres")
    page = _post(ana, reference, "merge", into=reference)
    assert "cannot be merged into itself" in page.text
    assert _case(town, reference).status is CaseStatus.ACKNOWLEDGED


def test_the_mayors_office_reads_but_does_not_work_cases(town: Town, clients: Clients) -> None:
    mayor = clients("alcaldia")
    page = mayor.get(f"/cases/{town.cases.streetlight}").text
    assert 'id="reply-form"' not in page
    token = csrf_of(page)
    refused = mayor.post(f"/cases/{town.cases.streetlight}/resolve", data={"csrf": token})
    assert refused.status_code == 403


def test_case_page_shows_resident_routing_and_sla(town: Town, clients: Clients) -> None:
    html = clients("ana").get(f"/cases/{town.cases.streetlight}").text
    assert "Lola Martínez" in html
    assert "@lola_jun" in html
    assert "9000000001" not in html  # never a bare numeric id
    assert "0.83" in html
    assert "Europe/Madrid" in html


def test_pages_and_charts_name_departments_and_categories_in_the_readers_language(
    town: Town, clients: Clients
) -> None:
    ana = clients("ana")
    reroute = ana.get(f"/cases/{town.cases.streetlight}").text
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', reroute)
    labels = dict(options)
    assert labels["public_works"] == "Obras y Servicios"
    assert labels["public_works/streetlights"] == "Obras y Servicios / Alumbrado público"
    english = ana.get(f"/cases/{town.cases.streetlight}", headers={"accept-language": "en"})
    assert "Public works / Streetlights" in html_unescape(english.text)
    mayor = clients("alcaldia")
    analytics = html_unescape(mayor.get("/analytics").text)
    assert "Obras y Servicios" in analytics
    assert "<td>public_works</td>" not in analytics
    chart = mayor.get("/analytics/volume_by_department.svg").text
    assert "Obras y Servicios" in html_unescape(chart)
    csv_rows = mayor.get("/analytics/volume_by_department.csv").text
    assert "public_works" in csv_rows  # the export keeps the keys, stable for spreadsheets


def test_the_inbox_pages_by_keyset_in_the_same_order(town: Town, clients: Clients) -> None:
    for hours in (3, 5, 7):  # a few more cases, some with equal due times' neighbours
        _new_case(town, f"Otra farola fundida, hace {hours} horas", hours_ago=hours)
    admin = Access.of(Staff(0, "admin", StaffRole.ADMIN, None, 0), town.config)
    with Session(town.engine) as session:
        whole = inbox(session, admin, InboxFilter(), town.config, NOW)
        walked: list[str] = []
        after = ""
        for _page in range(len(whole.rows)):
            page = inbox(session, admin, InboxFilter(), town.config, NOW, after=after, size=2)
            walked += [row.reference for row in page.rows]
            if page.next_after is None:
                break
            after = page.next_after
    assert whole.next_after is None
    assert len(whole.rows) >= 7
    assert walked == [row.reference for row in whole.rows]  # every case once, in order
    first = clients("admin").get("/", params={"after": "not-a-cursor"})
    assert first.status_code == 200  # a broken cursor is the first page, not an error


@pytest.mark.parametrize("town", ["sqlite"], indirect=True)  # PostgreSQL readers never block
def test_pages_read_while_the_daemon_holds_the_write_lock(town: Town, clients: Clients) -> None:
    """The desk's reads never take SQLite's write lock: the daemon's intake is never held up
    by a page, and a page never waits on the intake."""
    ana, mayor = clients("ana"), clients("alcaldia")  # signed in (a write) beforehand
    writer = sqlite3.connect(town.url.removeprefix("sqlite:///"), timeout=60)
    try:
        writer.isolation_level = None
        writer.execute("BEGIN IMMEDIATE")  # what the daemon's every transaction does
        writer.execute("UPDATE staff_account SET failed_logins = failed_logins WHERE id < 0")
        assert ana.get("/").status_code == 200
        assert ana.get("/inbox/rows", params={"q": "farola"}).status_code == 200
        assert mayor.get("/analytics").status_code == 200
        writer.execute("ROLLBACK")
    finally:
        writer.close()
