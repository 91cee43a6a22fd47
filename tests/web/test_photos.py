"""A case's photos and map pin on the web desk: the case page shows them (the pin as an inline
SVG over the districts), the photo is served under the case's access rules (another department's
user, a wrong case, or no sign-in gets nothing), and the analytics map lists report pins, on
SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette

from jun_engine.attachments.media import MediaStore
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.domain.messages import Channel
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.store.tables import CasePhotoRow, CasePlaceRow, CaseRow
from jun_engine.web.app import create_app
from jun_engine.web.charts import d3_wound, load_geojson
from jun_engine.web.settings import WebSettings
from tests.web.conftest import SECRET, Town, new_client
from tests.web.town import FAST, NOW

JUN = SHIPPED_CONFIG.parent / "docs" / "jun-districts.geojson"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"a streetlight, out" * 20
TIP_PHOTO = b"\x89PNG\r\n\x1a\n" + b"the red car" * 20


def _attach(
    town: Town, media: MediaStore, reference: str, data: bytes, pin: tuple[float, float]
) -> int:
    with Session(town.engine) as session:
        case = session.exec(select(CaseRow).where(CaseRow.reference == reference)).one()
        assert case.id is not None
        kept = media.put(data, "image/png")
        photo = CasePhotoRow(
            channel=Channel.LINE,
            content_id=f"content-{reference}",
            account_id="U" + "b" * 32,
            author_id="9000000001",
            case_id=case.id,
            status=PhotoStatus.STORED,
            path=kept.path,
            size=kept.size,
            content_type="image/png",
            sha256=kept.sha256,
            received_at=NOW,
            stored_at=NOW,
        )
        session.add(photo)
        session.add(
            CasePlaceRow(
                case_id=case.id,
                latitude=pin[0],
                longitude=pin[1],
                label="Calle Real <b>3</b>",
                district="Centro",
                at=NOW,
            )
        )
        session.commit()
        assert photo.id is not None
        return photo.id


@pytest.fixture(scope="module")
def photos(town: Town, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """The media folder, the streetlight case's photo id and the police tip's."""
    folder = tmp_path_factory.mktemp("media")
    media = MediaStore(folder)
    street = _attach(town, media, town.cases.streetlight, PHOTO, (37.22012, -3.59034))
    tip = _attach(town, media, town.cases.tip, TIP_PHOTO, (37.2051, -3.5801))
    return folder, street, tip


@pytest.fixture(scope="module")
def app(town: Town, photos: tuple[Path, int, int]) -> Starlette:
    """The desk with the town's districts and media store."""
    settings = WebSettings(
        secret_key=SECRET,
        secure_cookies=False,
        poll_seconds=5,
        passwords=FAST,
        districts_geojson=JUN,
        media_dir=photos[0],
    )
    return create_app(town.config, town.engine, settings, clock=lambda: NOW)


def test_the_case_page_shows_the_photo_and_the_pin_over_the_districts(
    town: Town, clients: Callable[[str], httpx.Client], photos: tuple[Path, int, int]
) -> None:
    reference, photo_id = town.cases.streetlight, photos[1]

    page = clients("ana").get(f"/cases/{reference}")

    assert page.status_code == 200
    html = page.text
    assert f'<img class="photo" src="/cases/{reference}/photos/{photo_id}"' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="pin-map"' in html
    assert '<circle class="pin"' in html
    assert "<title>Urbanizaciones</title>" in html  # the districts are drawn
    assert "Centro · 37.22012, -3.59034" in html
    assert "<b>3</b>" not in html  # the pin's label is inert
    assert "Calle Real &lt;b&gt;3&lt;/b&gt;" in html


def test_the_photo_is_served_to_who_may_see_the_case(
    town: Town, clients: Callable[[str], httpx.Client], photos: tuple[Path, int, int]
) -> None:
    answer = clients("ana").get(f"/cases/{town.cases.streetlight}/photos/{photos[1]}")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in answer.headers["cache-control"]
    assert answer.content == PHOTO


def test_another_departments_user_gets_404_for_the_photo(
    town: Town, clients: Callable[[str], httpx.Client], photos: tuple[Path, int, int]
) -> None:
    police = clients("pol")
    # the streetlight's photo, by its case's link
    answer = police.get(f"/cases/{town.cases.streetlight}/photos/{photos[1]}")
    assert answer.status_code == 404
    assert PHOTO not in answer.content
    # and public works' user cannot reach the police tip's photo through a case of theirs
    works = clients("ana")
    assert works.get(f"/cases/{town.cases.streetlight}/photos/{photos[2]}").status_code == 404
    assert works.get(f"/cases/{town.cases.tip}/photos/{photos[2]}").status_code == 404
    assert works.get(f"/cases/{town.cases.streetlight}/photos/nope").status_code == 404
    # while the police see their own
    assert police.get(f"/cases/{town.cases.tip}/photos/{photos[2]}").content == TIP_PHOTO


def test_the_mayors_office_sees_no_photo_of_a_private_case(
    town: Town, clients: Callable[[str], httpx.Client], photos: tuple[Path, int, int]
) -> None:
    mayor = clients("alcaldia")
    assert mayor.get(f"/cases/{town.cases.tip}/photos/{photos[2]}").status_code == 404
    assert 'class="photo"' not in mayor.get(f"/cases/{town.cases.tip}").text
    assert mayor.get(f"/cases/{town.cases.streetlight}/photos/{photos[1]}").content == PHOTO


def test_no_photo_without_signing_in(town: Town, live: str, photos: tuple[Path, int, int]) -> None:
    with new_client(live) as anonymous:
        answer = anonymous.get(f"/cases/{town.cases.streetlight}/photos/{photos[1]}")
    assert PHOTO not in answer.content
    assert answer.url.path == "/login"


def test_the_analytics_map_lists_report_pins_rounded_and_none_kept_private(
    clients: Callable[[str], httpx.Client], photos: tuple[Path, int, int]
) -> None:
    csv = clients("alcaldia").get("/analytics/pins.csv")

    assert csv.status_code == 200
    lines = csv.text.strip().splitlines()
    assert lines[0] == "latitude,longitude,category,district"
    assert lines[1:] == ["37.22,-3.59,streetlights,Centro"]  # the police tip's pin is not there
    svg = clients("alcaldia").get("/analytics/pins.svg")
    assert svg.status_code == 200
    assert "<svg" in svg.text


def test_the_districts_are_drawn_as_vega_reads_rings_not_as_the_globe_but_them() -> None:
    """The shipped GeoJSON follows RFC 7946 (outer rings counterclockwise); Vega's d3-geo
    wants them clockwise, else a district is the whole globe but itself (a blank map)."""
    shipped = load_geojson(JUN.read_text())
    wound = d3_wound(shipped)

    def outer_rings(geojson: dict[str, Any]) -> list[list[list[float]]]:
        rings = []
        for feature in geojson["features"]:
            geometry = feature["geometry"]
            polygons = (
                [geometry["coordinates"]]
                if geometry["type"] == "Polygon"
                else geometry["coordinates"]
            )
            rings += [polygon[0] for polygon in polygons]
        return rings

    def area(ring: list[list[float]]) -> float:
        return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))

    assert all(area(ring) > 0 for ring in outer_rings(shipped))  # as RFC 7946 has it
    assert all(area(ring) < 0 for ring in outer_rings(wound))
    assert d3_wound(wound) == wound
