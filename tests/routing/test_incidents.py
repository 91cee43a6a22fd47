"""Incident grouping: one outage is one incident, not fifty unrelated cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jun_engine.config import Config
from jun_engine.routing.incidents import IncidentRules, Report, find_incidents
from jun_engine.routing.router import Router

NOW = datetime(2026, 7, 1, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules(jun_config: Config, jun_router: Router) -> IncidentRules:
    return IncidentRules.from_config(jun_config, jun_router.rules)


def _report(router: Router, key: str, text: str, minutes_ago: int) -> Report:
    return Report(key, NOW - timedelta(minutes=minutes_ago), text, router.classify_text(text))


def test_an_outage_reported_in_many_words_is_one_incident_tagging_the_utility(
    jun_router: Router, rules: IncidentRules
) -> None:
    # Given six residents reporting the same power cut in their own words within an hour
    texts = [
        "Otra vez sin luz en el Barrio Alto #EndesaMeEstresa",
        "Nos hemos quedado sin luz, ¿sabéis algo? #EndesaMeEstresa",
        "Apagón en toda la calle Real",
        "No power in Los Llanos since 8pm",
        "ไฟดับทั้งหมู่บ้าน",
        "Corte de luz otra vez, Endesa no contesta",
    ]
    reports = [_report(jun_router, str(i), t, 10 * i) for i, t in enumerate(texts)]
    # When incidents are looked for
    incidents = find_incidents(reports, NOW, rules)
    # Then there is one, for public works, tagging Endesa, holding every report
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident.department == "public_works"
    assert (incident.external_body, incident.tag_handle) == ("endesa", "EndesaClientes")
    assert sorted(incident.report_keys) == sorted(r.key for r in reports)


def test_reports_below_the_minimum_or_outside_the_window_make_no_incident(
    jun_router: Router, rules: IncidentRules
) -> None:
    recent = [_report(jun_router, str(i), "sin luz en mi calle", 5) for i in range(3)]
    old = [_report(jun_router, f"old{i}", "sin luz en mi calle", 600) for i in range(5)]
    assert find_incidents(recent + old, NOW, rules) == []


def test_near_identical_texts_to_one_department_are_grouped(
    jun_router: Router, rules: IncidentRules
) -> None:
    reports = [
        _report(jun_router, str(i), f"El contenedor de la plaza está lleno y huele {'!' * i}", i)
        for i in range(5)
    ]
    incidents = find_incidents(reports, NOW, rules)
    assert [len(i.report_keys) for i in incidents] == [5]
    assert incidents[0].department == "street_cleaning"
    assert incidents[0].tag_handle is None


def test_unrelated_reports_stay_separate_cases(jun_router: Router, rules: IncidentRules) -> None:
    texts = [
        "La farola de mi calle está apagada",
        "Hay un bache enorme en la carretera",
        "No han recogido la basura",
        "Fuga de agua en la plaza",
        "Música altísima en el tercero",
        "¿Cuándo abre la piscina?",
    ]
    reports = [_report(jun_router, str(i), t, i) for i, t in enumerate(texts)]
    assert find_incidents(reports, NOW, rules) == []


def test_department_hashtags_alone_link_nothing(jun_router: Router, rules: IncidentRules) -> None:
    texts = [
        "farola #JunObras",
        "bache #JunObras",
        "acera rota #JunObras",
        "banco #JunObras",
        "señal caída #JunObras",
    ]
    reports = [_report(jun_router, str(i), t, i) for i, t in enumerate(texts)]
    assert find_incidents(reports, NOW, rules) == []
