"""Many residents reporting one outage become one incident linked to their cases: the department
is alerted once by DM if it asks for DMs, the utility tagged once in public without a word of
theirs, and the incident closes when the window passes quietly; on every database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.cases.incidents import link_incidents
from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind
from jun_engine.routing.router import Router
from jun_engine.scheduling.desk_jobs import run_desk
from jun_engine.store.tables import CaseRow, IncidentRow, OutboxRow
from tests.cases.conftest import MONDAY, StoreMessage, ids
from tests.cases.test_opening import admitted
from tests.stages import open_case

STREETS = ("calle Real", "Barrio Alto", "Los Llanos", "plaza Mayor", "camino Viejo")
OUTAGE = (
    "Otra vez sin luz en {street} #EndesaMeEstresa",
    "Nos hemos quedado sin luz en {street}, ¿sabéis algo?",
    "Apagón en {street} desde las ocho",
    "Corte de luz en {street}, Endesa no contesta",
    "No power in {street} since 8pm",
)
"""Five ways to say it; with five streets, up to 25 different texts."""
WINDOW = timedelta(hours=2)


def report_outage(
    session: Session,
    config: Config,
    router: Router,
    store_message: StoreMessage,
    count: int,
    start: datetime,
) -> list[CaseRow]:
    """`count` residents report the power cut, one a minute from `start`; their cases."""
    cases = []
    for n in range(count):
        text = OUTAGE[n % len(OUTAGE)].format(street=STREETS[n // len(OUTAGE) % len(STREETS)])
        at = start + timedelta(minutes=n)
        message = store_message(text, author=str(9_100_000_000 + n), at=at)
        routing = router.classify_text(text)
        case = session.get(
            CaseRow, open_case(session, message, admitted(None), routing, config, at)
        )
        assert case is not None
        cases.append(case)
    return cases


def incidents(session: Session) -> list[IncidentRow]:
    return list(session.exec(select(IncidentRow).order_by(IncidentRow.id)))  # type: ignore[arg-type]


def incident_items(session: Session) -> dict[str, OutboxRow]:
    rows = session.exec(select(OutboxRow).where(OutboxRow.idempotency_key.startswith("incident:")))
    return {row.idempotency_key: row for row in rows}


def test_fifty_outage_reports_are_one_incident_alerted_once_and_tagged_once(
    session: Session, engine: Engine, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given fifty residents reporting the same power cut within an hour, in their own words
    cases = report_outage(session, config, router, store_message, 50, MONDAY)
    session.commit()
    # When the case desk runs its jobs
    done = run_desk(engine, config, MONDAY + timedelta(minutes=50))
    # Then all fifty cases are linked to one open incident of public works, blamed on Endesa
    assert done["cases linked to incidents"] == 50
    [incident] = incidents(session)
    assert (incident.department, incident.external_body, incident.closed_at) == (
        "public_works",
        "endesa",
        None,
    )
    for case in cases:
        session.refresh(case)
        assert case.incident_id == incident.id
    # And the town posted one public tag of @EndesaClientes; public works, which did not ask for
    # DMs (notify_by_dm), is not DMed: it sees the incident on the web desk and in its digest
    items = incident_items(session)
    assert sorted(items) == [f"incident:{incident.id}:tag"]
    tag = items[f"incident:{incident.id}:tag"]
    assert (tag.kind, tag.private, tag.account_id) == (OutboxKind.POST, False, ids(config)["town"])
    assert "@EndesaClientes" in tag.text
    assert "50" in tag.text
    # And nothing a resident wrote is in the public post
    for word in ("calle Real", "Barrio Alto", "Los Llanos", "ocho", "8pm", "sabéis", "#Endesa"):
        assert word not in tag.text


def test_a_department_that_asks_for_dms_gets_one_alert_dm_per_incident(
    session: Session, engine: Engine, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given public works asking for each new case by DM, and fifty reports of one power cut
    config = dm_notified(config, "public_works")
    report_outage(session, config, router, store_message, 50, MONDAY)
    session.commit()
    # When the case desk runs its jobs twice
    run_desk(engine, config, MONDAY + timedelta(minutes=50))
    run_desk(engine, config, MONDAY + timedelta(minutes=51))
    # Then the department got one DM alert from the town account, besides the public tag
    [incident] = incidents(session)
    items = incident_items(session)
    assert sorted(items) == [f"incident:{incident.id}:alert", f"incident:{incident.id}:tag"]
    alert = items[f"incident:{incident.id}:alert"]
    assert (alert.kind, alert.private, alert.target, alert.account_id) == (
        OutboxKind.DM,
        True,
        ids(config)["public_works"],
        ids(config)["town"],
    )
    assert "50 avisos de Cortes de luz" in alert.text
    assert f"#{incident.id}" in alert.text


def dm_notified(config: Config, department: str) -> Config:
    """`config` with `department` asking for DMs (`notify_by_dm: true`)."""
    changed = config.departments[department].model_copy(update={"notify_by_dm": True})
    return config.model_copy(update={"departments": {**config.departments, department: changed}})


def test_fewer_reports_than_the_minimum_stay_separate_cases_with_no_alert(
    session: Session, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given one report fewer than an incident needs
    below = config.routing.incident_min_reports - 1
    cases = report_outage(session, config, router, store_message, below, MONDAY)
    # When incidents are linked
    assert link_incidents(session, config, MONDAY + timedelta(minutes=10)) == 0
    # Then there is no incident, no case is linked and nobody is alerted
    assert incidents(session) == []
    assert all(case.incident_id is None for case in cases)
    assert incident_items(session) == {}


def test_linking_again_changes_nothing_and_a_later_report_joins_without_a_new_alert(
    session: Session, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given an incident of six reports, linked and announced
    report_outage(session, config, router, store_message, 6, MONDAY)
    at = MONDAY + timedelta(minutes=10)
    assert link_incidents(session, config, at) == 6
    announced = incident_items(session)
    # When the job runs again, at once and later
    assert link_incidents(session, config, at) == 0
    assert link_incidents(session, config, at + timedelta(minutes=30)) == 0
    # Then nothing changed
    assert len(incidents(session)) == 1
    assert incident_items(session).keys() == announced.keys()
    # When one more resident reports it within the window
    [late] = report_outage(session, config, router, store_message, 1, at + timedelta(minutes=40))
    # Then it joined the same incident as its case opened, so the job has nothing to link
    [incident] = incidents(session)
    assert late.incident_id == incident.id
    assert link_incidents(session, config, at + timedelta(minutes=41)) == 0
    # And its answer is the short one naming the incident, and nobody is alerted again
    reply = session.exec(
        select(OutboxRow).where(OutboxRow.idempotency_key == f"case:{late.reference}:ack")
    ).one()
    assert reply.text.startswith(f"Ya nos han avisado de esto: incidencia #{incident.id}.")
    assert "@JunObras" in reply.text
    assert incident_items(session).keys() == announced.keys()


def test_an_incident_without_an_outside_body_is_posted_once_mentioning_the_department(
    session: Session, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given six reports of a burst water main, sharing a hashtag (water's, no outside body)
    for n in range(6):
        at = MONDAY + timedelta(minutes=n)
        text = f"Fuga enorme de agua en la calle Real, número {n} #FugaCalleReal"
        message = store_message(text, author=str(9_200_000_000 + n), at=at)
        open_case(session, message, admitted(None), router.classify_text(text), config, at)

    # When the desk links them
    assert link_incidents(session, config, MONDAY + timedelta(minutes=10)) == 6

    # Then the town posts once, mentioning the water department's account
    [incident] = incidents(session)
    post = incident_items(session)[f"incident:{incident.id}:post"]
    assert (post.kind, post.account_id) == (OutboxKind.POST, ids(config)["town"])
    assert f"Incidencia #{incident.id}: 6 vecinos de Jun" in post.text
    assert "@JunAguas" in post.text
    assert "calle Real" not in post.text


def test_after_a_quiet_window_the_incident_closes_and_a_new_outage_is_a_new_incident(
    session: Session, config: Config, router: Router, store_message: StoreMessage
) -> None:
    # Given an incident whose last report came at MONDAY + 4 minutes
    first = report_outage(session, config, router, store_message, 5, MONDAY)
    assert link_incidents(session, config, MONDAY + timedelta(minutes=5)) == 5
    # When the window passes with no new report
    quiet = MONDAY + timedelta(minutes=4) + WINDOW + timedelta(minutes=1)
    assert link_incidents(session, config, quiet) == 0
    # Then the incident is closed, its cases still linked to it
    [closed] = incidents(session)
    assert closed.closed_at == quiet
    assert {case.incident_id for case in first} == {closed.id}
    # When the power goes again and five more residents report it
    later = quiet + timedelta(hours=1)
    second = report_outage(session, config, router, store_message, 5, later)
    assert link_incidents(session, config, later + timedelta(minutes=5)) == 5
    # Then that is a new incident, with its own public tag
    [_, reopened] = incidents(session)
    assert reopened.id != closed.id
    assert reopened.closed_at is None
    assert {case.incident_id for case in second} == {reopened.id}
    assert f"incident:{reopened.id}:tag" in incident_items(session)
