"""The town's Open311 GeoReport v2 server, pinned to the spec's examples: every field of every
method in JSON and in XML (read as FixMyStreet's client reads it), requests taken in as cases on
the `open311` channel through the core's stages, bad input refused with a list error and
nothing stored, keys and their rate, status changes served with their time, privacy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from typer.testing import CliRunner

from jun_engine.cases import actions
from jun_engine.channels.open311 import clients
from jun_engine.cli.app import app as cli
from jun_engine.domain.messages import Channel
from jun_engine.domain.statuses import CaseStatus, Privacy
from jun_engine.store.tables import CaseEventRow, CaseRow, InboundMessageRow
from tests.web.conftest import Town, new_client, served, sign_in
from tests.web.open311 import (
    fixmystreet_reads,
    issue_key,
    open311_app,
    open311_config,
    past_the_seeded_references,
)
from tests.web.town import NOW, PRIVATE_TIP

V2 = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
"""GET requests' fields, in the spec's order (XML writes them all, empty or not)."""
PERSONAL = {
    "email": "maria.lopez@example.org",
    "first_name": "María",
    "last_name": "López Quintana",
    "phone": "+34 600 123 456",
    "device_id": "device-7f3a",
    "account_id": "fms-user-4411",
}


@pytest.fixture(scope="module")
def app(town: Town) -> Starlette:
    """The desk with Open311 on the seeded town (jurisdiction `jun.es`), for `live`."""
    past_the_seeded_references(town.engine)
    return open311_app(open311_config(town.config), town.engine)


@pytest.fixture(scope="module")
def client(live: str) -> Iterator[httpx.Client]:
    """An HTTP client of the served desk (Open311 needs no sign-in)."""
    with new_client(live) as each:
        yield each


@pytest.fixture(scope="module")
def key(town: Town) -> str:
    """FixMyStreet's API key."""
    return issue_key(town.engine, "fixmystreet")


def _pothole(client: httpx.Client, key: str, fmt: str = "json", **extra: str) -> httpx.Response:
    form = {
        "api_key": key,
        "jurisdiction_id": "jun.es",
        "service_code": "public_works-potholes",
        "lat": "37.2861",
        "long": "-3.1318",
        "address_string": "Calle Real 12, Jun",
        "description": "Un bache de un palmo frente al número 12",
        "attribute[depth]": "deep",
        "media_url": "https://fixmystreet.example/photo/1.jpeg",
        **PERSONAL,
    }
    form.update(extra)
    return client.post(f"{V2}/requests.{fmt}", data={k: v for k, v in form.items() if v})


def _stored(town: Town) -> tuple[int, int, int]:
    with Session(town.engine) as session:
        return (
            session.exec(select(sa.func.count()).select_from(InboundMessageRow)).one(),
            session.exec(select(sa.func.count()).select_from(CaseRow)).one(),
            session.exec(select(sa.func.count()).select_from(CaseEventRow)).one(),
        )


# --- discovery and services ---------------------------------------------------------------------


def test_discovery_names_the_endpoint_its_formats_and_how_to_get_a_key(
    client: httpx.Client,
) -> None:
    document = client.get(f"{V2}/discovery.json").json()
    assert document["contact"] == "open311@jun.es"
    assert document["key_service"] == "Ask the town hall: open311@jun.es"
    assert document["changeset"] == "2026-03-02T11:30:00+00:00"
    [endpoint] = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": str(client.base_url).rstrip("/") + "/open311/v2",
        "changeset": document["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    xml = client.get(f"{V2}/discovery.xml")
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    read = fixmystreet_reads(xml.content)
    assert read["endpoints"]["endpoint"]["format" if False else "formats"] == {
        "format": ["text/xml", "application/json"]
    }
    assert read["key_service"] == document["key_service"]


def test_services_lists_public_categories_only_with_real_booleans(client: httpx.Client) -> None:
    response = client.get(f"{V2}/services.json", params={"jurisdiction_id": "jun.es"})
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    listed = response.json()
    assert isinstance(listed, list)
    codes = [s["service_code"] for s in listed]
    assert "public_works-potholes" in codes
    assert "police-noise" in codes
    assert "police-tips" not in codes  # a private category
    assert not [c for c in codes if c.startswith(("health", "social_services"))]
    pothole = next(s for s in listed if s["service_code"] == "public_works-potholes")
    assert pothole == {
        "service_code": "public_works-potholes",
        "service_name": "Baches y calzada",
        "description": "Baches y calzada",
        "metadata": True,
        "type": "realtime",
        "keywords": pothole["keywords"],
        "group": "Obras y Servicios",
    }
    assert isinstance(pothole["keywords"], str)
    assert "bache" in pothole["keywords"]
    light = next(s for s in listed if s["service_code"] == "public_works-streetlights")
    assert light["metadata"] is False


def test_services_xml_reads_as_fixmystreet_reads_it(client: httpx.Client) -> None:
    read = fixmystreet_reads(client.get(f"{V2}/services.xml").content)
    services = read["service"]
    assert isinstance(services, list)
    pothole = next(s for s in services if s["service_code"] == "public_works-potholes")
    assert pothole["metadata"] == "true"
    assert pothole["type"] == "realtime"
    assert pothole["service_name"] == "Baches y calzada"
    assert pothole["group"] == ["Obras y Servicios"]  # ForceArray: FixMyStreet reads a list
    assert next(s for s in services if s["service_code"] == "water-leaks")["metadata"] == "false"


def test_a_service_definition_lists_its_attributes_and_values(client: httpx.Client) -> None:
    document = client.get(f"{V2}/services/public_works-potholes.json").json()
    assert document == {
        "service_code": "public_works-potholes",
        "attributes": [
            {
                "variable": True,
                "code": "depth",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "",
                "order": 1,
                "description": "¿Qué profundidad tiene?",
                "values": [{"key": "shallow", "name": "Poco"}, {"key": "deep", "name": "Mucho"}],
            },
            {
                "variable": True,
                "code": "lane",
                "datatype": "number",
                "required": False,
                "datatype_description": "",
                "order": 2,
                "description": "Carril",
                "values": [],
            },
        ],
    }
    read = fixmystreet_reads(client.get(f"{V2}/services/public_works-potholes.xml").content)
    assert read["service_code"] == "public_works-potholes"
    depth, lane = read["attributes"]
    assert depth["code"] == "depth"
    assert depth["required"] == "true"
    assert depth["variable"] == "true"
    assert depth["order"] == "1"
    assert depth["values"] == [{"key": "shallow", "name": "Poco"}, {"key": "deep", "name": "Mucho"}]
    assert lane["datatype"] == "number"
    assert lane["values"] == []


@pytest.mark.parametrize(
    "code", ["police-tips", "health-appointments", "nope", "public_works-streetlights"]
)
def test_a_private_unknown_or_plain_service_has_no_definition(
    client: httpx.Client, code: str
) -> None:
    response = client.get(f"{V2}/services/{code}.json")
    assert response.status_code == 404
    [problem] = response.json()
    assert problem["code"] == 404
    assert isinstance(problem["description"], str)


# --- POST requests ------------------------------------------------------------------------------


def test_a_posted_request_becomes_an_acknowledged_case_on_the_open311_channel(
    town: Town, client: httpx.Client, key: str
) -> None:
    response = _pothole(client, key)
    assert response.status_code == 200, response.text
    [made] = response.json()
    assert set(made) == {"service_request_id", "token", "service_notice"}
    reference = made["service_request_id"]
    assert reference in made["service_notice"]
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        message = session.get(InboundMessageRow, case.message_id)
        events = session.exec(select(CaseEventRow.kind).where(CaseEventRow.case_id == case.id))
        kinds = list(events)
    assert case.channel is Channel.OPEN311
    assert (case.department, case.category) == ("public_works", "potholes")
    assert case.privacy is Privacy.PUBLIC
    assert case.status is CaseStatus.ACKNOWLEDGED
    assert case.opened_at == NOW
    assert case.first_response_due is not None
    assert kinds[:3] == ["opened", "routed", "acknowledged"]
    assert "notified" in kinds
    assert message is not None
    assert message.channel is Channel.OPEN311
    assert message.text == "Un bache de un palmo frente al número 12"
    assert "maria.lopez@example.org" not in message.author_id
    kept = json.loads(message.raw)  # the person's details are kept with the case
    assert {k: kept[k] for k in PERSONAL} == PERSONAL
    assert kept["attributes"] == {"depth": ["deep"]}
    # the token leads to the request
    token = client.get(f"{V2}/tokens/{made['token']}.json").json()
    assert token == [{"service_request_id": reference, "token": made["token"]}]


def test_a_posted_request_is_served_back_without_anything_personal(
    client: httpx.Client, key: str
) -> None:
    reference = _pothole(client, key).json()[0]["service_request_id"]
    [served] = client.get(f"{V2}/requests/{reference}.json").json()
    assert served == {
        "service_request_id": reference,
        "status": "open",
        "status_notes": served["status_notes"],
        "service_name": "Baches y calzada",
        "service_code": "public_works-potholes",
        "description": "Un bache de un palmo frente al número 12",
        "agency_responsible": "Obras y Servicios",
        "requested_datetime": "2026-03-02T12:30:00+01:00",
        "updated_datetime": "2026-03-02T12:30:00+01:00",
        "expected_datetime": served["expected_datetime"],
        "address": "Calle Real 12, Jun",
        "lat": 37.2861,
        "long": -3.1318,
        "media_url": "https://fixmystreet.example/photo/1.jpeg",
    }
    assert served["expected_datetime"] > served["requested_datetime"]
    assert served["expected_datetime"].endswith("+01:00")
    for response in (
        client.get(f"{V2}/requests/{reference}.xml"),
        client.get(f"{V2}/requests.json"),
        client.get(f"{V2}/requests.xml"),
        client.get(f"{V2}/servicerequestupdates.json"),
    ):
        body = response.text
        for value in PERSONAL.values():
            assert value not in body


def test_the_request_xml_reads_as_fixmystreet_reads_it(client: httpx.Client, key: str) -> None:
    posted = fixmystreet_reads(_pothole(client, key, "xml").content)
    reference = posted["request"][0]["service_request_id"]  # what Open311.pm takes
    assert reference.startswith("JUN-")
    read = fixmystreet_reads(client.get(f"{V2}/requests/{reference}.xml").content)
    [request] = read["request"]
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == reference
    assert request["status"] == "open"
    assert request["lat"] == "37.2861"
    assert request["long"] == "-3.1318"
    assert request["zipcode"] is None
    assert request["service_notice"] is None
    assert request["requested_datetime"] == "2026-03-02T12:30:00+01:00"
    token = posted["request"][0]["token"]
    assert fixmystreet_reads(client.get(f"{V2}/tokens/{token}.xml").content) == {
        "request": [{"service_request_id": reference, "token": token}]
    }


def test_an_emergency_posted_through_open311_takes_the_fast_lane(
    town: Town, client: httpx.Client, key: str
) -> None:
    gas = "Huele a gas muy fuerte junto al bache, frente a la escuela"
    reference = _pothole(client, key, description=gas).json()[0]["service_request_id"]
    calm = _pothole(client, key).json()[0]["service_request_id"]
    with Session(town.engine) as session:
        urgency = dict(
            session.exec(
                select(CaseRow.reference, CaseRow.urgency).where(
                    col(CaseRow.reference).in_([reference, calm])
                )
            ).all()
        )
    assert urgency == {reference: "emergency", calm: "normal"}


def test_a_request_by_address_id_alone_is_taken(client: httpx.Client, key: str) -> None:
    response = _pothole(client, key, lat="", long="", address_string="", address_id="UPRN-88")
    assert response.status_code == 200, response.text


BAD_POSTS: list[tuple[str, dict[str, str], int]] = [
    ("no service_code", {"service_code": ""}, 400),
    ("no location", {"lat": "", "long": "", "address_string": ""}, 400),
    ("lat without long", {"long": "", "address_string": ""}, 400),
    ("lat out of range", {"lat": "91"}, 400),
    ("no api_key", {"api_key": ""}, 403),
    ("a bad api_key", {"api_key": "o311_not-a-key"}, 403),
    ("an unknown service", {"service_code": "public_works-unicorns"}, 404),
    ("a private service", {"service_code": "police-tips"}, 404),
    ("another jurisdiction", {"jurisdiction_id": "granada.es"}, 404),
    ("a description over 4,000", {"description": "b" * 4001}, 400),
    ("HTML", {"description": "Bache <script>alert(1)</script>"}, 400),
    ("an entity", {"description": "Bache &amp; farola"}, 400),
    ("a required attribute missing", {"attribute[depth]": ""}, 400),
    ("a value not in the list", {"attribute[depth]": "bottomless"}, 400),
    ("a number that is not", {"attribute[lane]": "left"}, 400),
    ("a media_url that is no URL", {"media_url": "javascript:alert(1)"}, 400),
]


@pytest.mark.parametrize(
    ("change", "status"), [(b[1], b[2]) for b in BAD_POSTS], ids=[b[0] for b in BAD_POSTS]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_are_refused_with_a_list_error_and_store_nothing(
    town: Town, client: httpx.Client, key: str, change: dict[str, str], status: int, fmt: str
) -> None:
    before = _stored(town)
    response = _pothole(client, key, fmt, **change)
    assert response.status_code == status
    if fmt == "json":
        [problem] = response.json()
        assert problem["code"] == status
        assert problem["description"]
    else:
        [problem] = fixmystreet_reads(response.content)["error"]
        assert problem["code"] == str(status)
        assert problem["description"]
    assert _stored(town) == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/requests.html", {}),
        ("/services.yaml", {}),
        ("/requests.json", {"start_date": "yesterday"}),
        ("/requests.json", {"end_date": "2026-03-01T10:00:00"}),  # no zone
        ("/requests.json", {"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00Z"}),
        ("/requests.json", {"status": "pending"}),
        ("/requests.json", {"service_request_id": "JUN-2026-000001", "end_date": "tomorrow"}),
        ("/servicerequestupdates.json", {"start_date": "2026-13-01T00:00:00Z"}),
    ],
)
def test_bad_queries_are_400_list_errors(
    client: httpx.Client, path: str, params: dict[str, str]
) -> None:
    response = client.get(f"{V2}{path}", params=params)
    assert response.status_code == 400
    if path.endswith(".json"):
        assert response.json()[0]["code"] == 400
    else:  # an unknown format is answered in XML, the required one
        assert fixmystreet_reads(response.content)["error"][0]["code"] == "400"


@pytest.mark.parametrize(
    "path", ["/requests/JUN-2026-999999.json", "/tokens/nope.json", "/services/x.json", "/nope"]
)
def test_unknown_resources_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(f"{V2}{path}")
    assert response.status_code == 404


def test_another_jurisdiction_is_404_on_every_read(client: httpx.Client) -> None:
    for path in ("/services.json", "/requests.json", "/servicerequestupdates.json"):
        response = client.get(f"{V2}{path}", params={"jurisdiction_id": "granada.es"})
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": "no jurisdiction 'granada.es'"}]


# --- GET requests -------------------------------------------------------------------------------


def test_private_cases_are_never_served(town: Town, client: httpx.Client) -> None:
    listed = client.get(f"{V2}/requests.json").json()
    references = {r["service_request_id"] for r in listed}
    assert town.cases.streetlight in references
    assert town.cases.tip not in references
    assert town.cases.health not in references
    assert PRIVATE_TIP not in client.get(f"{V2}/requests.xml").text
    assert client.get(f"{V2}/requests/{town.cases.tip}.json").status_code == 404
    asked = client.get(f"{V2}/requests.json", params={"service_request_id": town.cases.tip})
    assert asked.json() == []


def test_handles_in_a_public_post_are_masked(town: Town, client: httpx.Client) -> None:
    for each in client.get(f"{V2}/requests.json").json():
        assert "@lola_jun" not in each.get("description", "")
        assert "lola" not in json.dumps(each)


def test_filters_ids_override_the_rest_service_code_dates_status(
    town: Town, client: httpx.Client
) -> None:
    both = f"{town.cases.streetlight}, {town.cases.pothole}"
    by_ids = client.get(
        f"{V2}/requests.json", params={"service_request_id": both, "status": "closed"}
    ).json()
    assert {r["service_request_id"] for r in by_ids} == {town.cases.streetlight, town.cases.pothole}
    lights = client.get(
        f"{V2}/requests.json", params={"service_code": "public_works-streetlights"}
    ).json()
    assert {r["service_code"] for r in lights} == {"public_works-streetlights"}
    assert client.get(f"{V2}/requests.json", params={"status": "closed"}).json() == []
    assert (
        client.get(
            f"{V2}/requests.json", params={"service_code": "public_works-unicorns"}
        ).status_code
        == 404
    )
    window = {"start_date": "2026-03-02T09:00:00Z", "end_date": "2026-03-02T10:00:00Z"}
    in_window = client.get(f"{V2}/requests.json", params=window).json()
    assert [r["service_request_id"] for r in in_window] == [town.cases.streetlight]


# --- status changes, updates both ways ----------------------------------------------------------


def test_answer_resolve_and_reopen_show_with_their_times(
    town: Town, client: httpx.Client, key: str
) -> None:
    reference = _pothole(client, key).json()[0]["service_request_id"]
    config = open311_config(town.config)
    moments = [NOW + timedelta(hours=h) for h in (1, 2, 3)]
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        actions.answer(session, case, "Vamos mañana", actor="ana", config=config, now=moments[0])
        session.commit()
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        actions.resolve(session, case, actor="ana", config=config, now=moments[1])
        session.commit()
    [served] = client.get(f"{V2}/requests/{reference}.json").json()
    assert served["status"] == "closed"
    assert served["updated_datetime"] == "2026-03-02T14:30:00+01:00"
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        actions.reopen(session, case, actor="ana", now=moments[2])
        session.commit()
    [served] = client.get(f"{V2}/requests/{reference}.json").json()
    assert served["status"] == "open"
    assert served["updated_datetime"] == "2026-03-02T15:30:00+01:00"
    window = {"start_date": "2026-03-02T12:00:00Z", "end_date": "2026-03-02T15:00:00Z"}
    updates = client.get(f"{V2}/servicerequestupdates.json", params=window).json()
    mine = [u for u in updates["service_request_updates"] if u["service_request_id"] == reference]
    assert [(u["status"], u["updated_datetime"]) for u in mine] == [
        ("in_progress", "2026-03-02T13:30:00+01:00"),
        ("fixed", "2026-03-02T14:30:00+01:00"),
        ("reopen", "2026-03-02T15:30:00+01:00"),
    ]
    first = mine[0]
    assert "Vamos mañana" in first["description"]  # the staff answer, as it went out in public
    assert mine[1]["description"] != first["description"]
    assert set(first) == {
        "update_id", "service_request_id", "status", "updated_datetime", "description"
    }  # fmt: skip
    xml = fixmystreet_reads(client.get(f"{V2}/servicerequestupdates.xml", params=window).content)
    read = [u for u in xml["request_update"] if u["service_request_id"] == reference]
    assert [u["status"] for u in read] == ["in_progress", "fixed", "reopen"]
    assert read[0]["update_id"] == first["update_id"]
    assert read[0]["media_url"] is None


def test_a_client_update_is_recorded_once_and_reopen_reopens(
    town: Town, client: httpx.Client, key: str
) -> None:
    reference = _pothole(client, key).json()[0]["service_request_id"]
    config = open311_config(town.config)
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        actions.resolve(session, case, actor="ana", config=config, now=NOW + timedelta(hours=1))
        session.commit()
    form = {
        "api_key": key,
        "service_request_id": reference,
        "update_id": "fms-comment-77",
        "status": "REOPEN",
        "updated_datetime": "2026-03-02T14:00:00+01:00",
        "description": "Sigue igual, el bache no está arreglado",
        **PERSONAL,
    }
    first = client.post(f"{V2}/servicerequestupdates.json", data=form)
    assert first.status_code == 200, first.text
    [made] = first.json()
    assert set(made) == {"update_id"}
    again = client.post(f"{V2}/servicerequestupdates.xml", data=form)
    assert fixmystreet_reads(again.content)["request_update"] == [made]
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        kinds = session.exec(select(CaseEventRow.kind).where(CaseEventRow.case_id == case.id)).all()
    assert case.status is CaseStatus.REOPENED
    assert kinds.count("open311_update") == 1
    bad = client.post(f"{V2}/servicerequestupdates.json", data={**form, "status": "MAYBE"})
    assert bad.status_code == 400
    unknown = {**form, "service_request_id": town.cases.tip, "update_id": "x"}
    assert client.post(f"{V2}/servicerequestupdates.json", data=unknown).status_code == 404
    keyless = {k: v for k, v in form.items() if k != "api_key"}
    assert client.post(f"{V2}/servicerequestupdates.json", data=keyless).status_code == 403


# --- keys ---------------------------------------------------------------------------------------


def test_a_revoked_key_is_refused(town: Town, client: httpx.Client) -> None:
    mine = issue_key(town.engine, "leaving-app")
    assert _pothole(client, mine).status_code == 200
    with Session(town.engine) as session:
        clients.revoke(session, "leaving-app", NOW)
        session.commit()
    before = _stored(town)
    response = _pothole(client, mine)
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key is not valid"}]
    assert _stored(town) == before


def test_keys_are_stored_hashed_and_named_once(town: Town) -> None:
    key = issue_key(town.engine, "hashed-app")
    with Session(town.engine) as session:
        raw = session.exec(sa.text("SELECT key_hash FROM open311_client")).all()  # type: ignore[call-overload]
        assert key not in {row[0] for row in raw}
        assert clients.hashed(key) in {row[0] for row in raw}
        with pytest.raises(clients.ClientError, match="exists already"):
            clients.add(session, "hashed-app", NOW)


def test_each_key_is_held_to_its_rate(town: Town) -> None:
    config = open311_config(town.config, per_minute=2)
    key = issue_key(town.engine, "busy-app")
    with served(open311_app(config, town.engine)) as url, new_client(url) as tc:
        statuses = [
            tc.get(f"{V2}/services.json", params={"api_key": key}).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        assert tc.get(f"{V2}/services.json").status_code == 200  # keyless reads are not counted
        refused = tc.get(f"{V2}/services.json", params={"api_key": key}).json()
    assert refused == [
        {"code": 429, "description": "more than 2 requests a minute for this api_key"}
    ]


# --- the desk -----------------------------------------------------------------------------------


def test_a_request_posted_through_open311_shows_in_the_desk_and_analytics(
    town: Town, client: httpx.Client, key: str
) -> None:
    reference = _pothole(client, key, description="Bache visible en el escritorio").json()[0][
        "service_request_id"
    ]
    with new_client(str(client.base_url)) as desk:
        sign_in(desk, "admin")
        page = desk.get(f"/cases/{reference}").text
        assert "Bache visible en el escritorio" in page
        assert "open311" in page
        inbox = desk.get("/", params={"channel": "open311"}).text
        assert reference in inbox
        assert town.cases.streetlight not in inbox
        volume = desk.get("/analytics/volume_by_channel.csv").text
        assert ",open311," in volume
        for value in PERSONAL.values():
            assert value not in page


# --- the command --------------------------------------------------------------------------------


def test_the_clients_command_issues_lists_and_revokes_keys(
    town: Town, client: httpx.Client
) -> None:
    runner = CliRunner()
    base = ["--db", town.url]
    added = runner.invoke(cli, [*base, "open311", "clients", "add", "web-jun"])
    assert added.exit_code == 0, added.output
    key = added.output.strip().splitlines()[-1]
    assert key.startswith("o311_")
    assert _pothole(client, key).status_code == 200
    again = runner.invoke(cli, [*base, "open311", "clients", "add", "web-jun"])
    assert again.exit_code == 2
    assert "exists already" in again.output
    listed = runner.invoke(cli, [*base, "open311", "clients", "list", "--json"])
    names = [c["name"] for c in json.loads(listed.output)]
    assert "web-jun" in names
    assert key not in listed.output
    assert runner.invoke(cli, [*base, "open311", "clients", "revoke", "web-jun"]).exit_code == 0
    assert _pothole(client, key).status_code == 403
    unknown = runner.invoke(cli, [*base, "open311", "clients", "revoke", "nobody"])
    assert unknown.exit_code == 1
