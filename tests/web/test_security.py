"""The desk's security, against a live server on SQLite and PostgreSQL: another department's
private case does not exist for you, resident text is inert, forms need their token, ten wrong
passwords lock an account, and no secret, hash or password shows in a page or a log."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session, select

from jun_engine.domain.statuses import StaffRole
from jun_engine.staff import accounts
from jun_engine.store.tables import CaseEventRow, CaseRow, PrivateViewRow, StaffAccountRow
from tests.web.conftest import SECRET, Town, csrf_of, new_client, sign_in
from tests.web.town import FAST, HEALTH_TEXT, HOSTILE, NOW, PASSWORD, PRIVATE_TIP

Clients = Callable[[str], httpx.Client]
PRIVATE_WORDS = ("droga", "coche rojo", "diabetes", "analítica")


def _no_private_text(html: str) -> None:
    for words in (PRIVATE_TIP, HEALTH_TEXT, *PRIVATE_WORDS):
        assert words not in html


def test_another_departments_private_case_is_not_found_by_link(
    town: Town, clients: Clients
) -> None:
    ana = clients("ana")  # public works
    for reference in (town.cases.tip, town.cases.health, town.cases.tip.lower()):
        response = ana.get(f"/cases/{reference}")
        assert response.status_code == 404
        _no_private_text(response.text)
        assert reference.upper() not in response.text


def test_guessed_references_tell_nothing(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    unknown = ana.get("/cases/JUN-2026-999999")
    for number in range(1, 13):
        response = ana.get(f"/cases/JUN-2026-{number:06d}")
        _no_private_text(response.text)
        if response.status_code == 404:
            # the same page as a reference that does not exist at all
            assert response.text == unknown.text
    assert unknown.status_code == 404


def test_actions_on_a_hidden_case_are_not_found(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    token = csrf_of(ana.get("/").text)
    response = ana.post(f"/cases/{town.cases.tip}/note", data={"csrf": token, "text": "x"})
    assert response.status_code == 404
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == town.cases.tip)).one()
        notes = session.exec(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id, CaseEventRow.kind == "note")
        ).all()
    assert notes == []


def test_the_department_reads_its_private_case_and_the_view_is_audited(
    town: Town, clients: Clients
) -> None:
    response = clients("pol").get(f"/cases/{town.cases.tip}")
    assert response.status_code == 200
    assert PRIVATE_TIP in response.text
    with Session(town.engine) as session:
        staff = session.exec(select(StaffAccountRow).where(StaffAccountRow.username == "pol")).one()
        case = session.exec(select(CaseRow).where(CaseRow.reference == town.cases.tip)).one()
        views = session.exec(
            select(PrivateViewRow).where(
                PrivateViewRow.case_id == case.id, PrivateViewRow.staff_id == staff.id
            )
        ).all()
    assert len(views) >= 1


def test_the_mayor_sees_every_case_but_not_private_text(town: Town, clients: Clients) -> None:
    mayor = clients("alcaldia")
    page = mayor.get(f"/cases/{town.cases.tip}")
    assert page.status_code == 200
    assert town.cases.tip in page.text
    _no_private_text(page.text)
    public = mayor.get(f"/cases/{town.cases.streetlight}")
    assert "La farola de la calle Real" in public.text
    inbox = mayor.get("/").text
    assert town.cases.tip in inbox
    assert town.cases.health in inbox
    _no_private_text(inbox)
    # nor can the mayor's office find a private case by its words
    found = mayor.get("/", params={"q": "droga"}).text
    assert town.cases.tip not in found
    with Session(town.engine) as session:
        staff = session.exec(
            select(StaffAccountRow).where(StaffAccountRow.username == "alcaldia")
        ).one()
        views = session.exec(select(PrivateViewRow).where(PrivateViewRow.staff_id == staff.id))
        assert list(views) == []


def test_the_triage_desk_sees_only_unrouted_cases(town: Town, clients: Clients) -> None:
    triage = clients("tri")
    assert triage.get(f"/cases/{town.cases.triage}").status_code == 200
    assert triage.get(f"/cases/{town.cases.streetlight}").status_code == 404
    inbox = triage.get("/").text
    assert town.cases.triage in inbox
    assert town.cases.streetlight not in inbox


def test_hostile_resident_text_renders_inert(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    for html in (ana.get(f"/cases/{town.cases.hostile}").text, ana.get("/").text):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "\u202e" not in html  # the override is shown as its code, never obeyed
        assert "⟨U+202E⟩" in html
        assert "**bold**" in html  # markdown is not rendered
        assert 'href="javascript' not in html
        assert "{{ 7*7 }}" in html  # no template evaluation either
    assert HOSTILE.startswith("<script>")


def test_a_form_without_its_token_is_refused(town: Town, clients: Clients) -> None:
    ana = clients("ana")
    reference = town.cases.pothole
    for data in ({"text": "sin token"}, {"text": "token ajeno", "csrf": "x" * 43}):
        response = ana.post(f"/cases/{reference}/note", data=data)
        assert response.status_code == 403
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        details = session.exec(
            select(CaseEventRow.detail).where(CaseEventRow.case_id == case.id)
        ).all()
    assert "sin token" not in details
    assert "token ajeno" not in details
    with new_client(str(ana.base_url)) as fresh:
        fresh.get("/login")
        login = fresh.post("/login", data={"username": "ana", "password": PASSWORD})
        assert login.status_code == 403


def test_ten_wrong_passwords_lock_the_account(town: Town, live: str) -> None:
    with new_client(live) as client:
        for attempt in range(10):
            token = csrf_of(client.get("/login").text)
            wrong = client.post(
                "/login",
                data={"username": "lockme", "password": f"wrong password {attempt}", "csrf": token},
            )
            assert wrong.status_code == 401
        token = csrf_of(client.get("/login").text)
        right = client.post(
            "/login", data={"username": "lockme", "password": PASSWORD, "csrf": token}
        )
        assert right.status_code == 401  # locked: even the right password is refused
        assert "lockme" not in (client.cookies.get("jun_desk") or "")
    with Session(town.engine) as session:
        row = session.exec(
            select(StaffAccountRow).where(StaffAccountRow.username == "lockme")
        ).one()
        assert row.locked_until is not None


def test_no_secret_password_or_hash_in_pages_or_logs(
    town: Town, live: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pages = []
    with new_client(live) as client:
        sign_in(client, "admin")
        cookie = client.cookies.get("jun_desk") or ""
        for path in ("/", f"/cases/{town.cases.tip}", "/analytics", "/reports", "/metrics"):
            pages.append(client.get(path).text)
        token = csrf_of(client.get("/login").text)
        client.post(
            "/login", data={"username": "admin", "password": "a wrong one!!", "csrf": token}
        )
    # the server's records (the test's own HTTP client logs its cookies at DEBUG: not the desk)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpcore", "httpx"))
    )
    for text in (*pages, logged):
        assert PASSWORD not in text
        assert "a wrong one!!" not in text
        assert SECRET not in text
        assert "$argon2" not in text
        if cookie:
            assert cookie not in text
    assert PRIVATE_TIP not in logged


def test_session_cookie_flags_and_security_headers(live: str) -> None:
    with new_client(live) as client:
        page = client.get("/login")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        set_cookie = page.headers.get("set-cookie", "")
        assert "httponly" in set_cookie.lower()
        assert "samesite=strict" in set_cookie.lower()
        # a visitor without a session is sent to sign in, and sees no case
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_a_disabled_account_can_act_no_more_at_once(town: Town, live: str) -> None:
    """Pages that only read may trust the account they read for a few seconds; an action never
    does: disabled (or reset) now, the next POST is refused."""
    with Session(town.engine) as session:
        accounts.add(
            session,
            "breve",
            StaffRole.DEPARTMENT,
            "public_works",
            PASSWORD,
            config=town.config,
            now=NOW,
            passwords=FAST,
        )
        session.commit()
    with new_client(live) as client:
        sign_in(client, "breve")
        page = client.get(f"/cases/{town.cases.pothole}")
        assert page.status_code == 200
        with Session(town.engine) as session:
            accounts.disable(session, "breve", now=NOW)
            session.commit()
        note = client.post(
            f"/cases/{town.cases.pothole}/note",
            data={"csrf": csrf_of(page.text), "text": "después de la baja"},
        )
        assert note.url.path == "/login"
    with Session(town.engine) as session:
        details = session.exec(select(CaseEventRow.detail)).all()
    assert "después de la baja" not in details
