"""Districts from GeoJSON: which district a pin falls in (ray casting, MultiPolygon, holes), the
haversine distance behind FixMyStreet's 250 m, and `jun-engine check`'s problems with the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jun_engine.config import ConfigError, load_config
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.places.districts import (
    DistrictsError,
    parse_districts,
    read_districts,
    unmatched,
)
from jun_engine.places.geometry import distance_m, in_polygon

JUN = SHIPPED_CONFIG.parent / "docs" / "jun-districts.geojson"


def test_the_shipped_jun_districts_place_pins_in_each_of_the_four() -> None:
    districts = read_districts(JUN)
    assert districts.names == ("Centro", "Barrio Alto", "Los Llanos", "Urbanizaciones")
    assert districts.district_at(37.220, -3.590) == "Centro"
    assert districts.district_at(37.230, -3.600) == "Barrio Alto"
    assert districts.district_at(37.205, -3.580) == "Los Llanos"
    # Urbanizaciones is a MultiPolygon on both sides of Centro
    assert districts.district_at(37.220, -3.605) == "Urbanizaciones"
    assert districts.district_at(37.220, -3.575) == "Urbanizaciones"
    # Granada's cathedral is outside Jun
    assert districts.district_at(37.1765, -3.5990) is None


def test_a_hole_is_outside_its_polygon() -> None:
    outer = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    hole = [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
    assert in_polygon(2.0, 2.0, [outer, hole])
    assert not in_polygon(5.0, 5.0, [outer, hole])
    assert not in_polygon(11.0, 5.0, [outer, hole])


def test_a_concave_polygon_is_read_by_ray_casting() -> None:
    # a U shape: the notch between its arms is outside
    u_shape = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    ring = [[float(x), float(y)] for x, y in u_shape]
    assert in_polygon(0.5, 2.5, [ring])
    assert in_polygon(2.5, 2.5, [ring])
    assert not in_polygon(1.5, 2.0, [ring])


def test_haversine_distances_around_250_metres() -> None:
    # 0.00225 degrees of latitude is about 250 m anywhere
    assert distance_m(37.22, -3.59, 37.22225, -3.59) == pytest.approx(250.2, abs=0.5)
    # a degree of longitude shrinks with the cosine of the latitude
    assert distance_m(37.22, -3.59, 37.22, -3.58718) == pytest.approx(250.0, abs=1.0)
    assert distance_m(37.22, -3.59, 37.22, -3.59) == 0.0


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"type": "Feature"}, "must be a FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "has no features"),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]},
            "has no `name` property",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Centro"},
                        "geometry": {"type": "Point", "coordinates": [0, 0]},
                    }
                ],
            },
            "not a Polygon or MultiPolygon",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Centro"},
                        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
                    }
                ],
            },
            "at least four positions",
        ),
    ],
)
def test_unusable_geojson_is_refused_saying_why(data: object, says: str) -> None:
    with pytest.raises(DistrictsError, match=says):
        parse_districts(data)


def test_names_that_differ_from_town_districts_are_named() -> None:
    districts = read_districts(JUN)
    sentences = list(unmatched(districts, ["Centro", "Barrio Alto", "Los Llanos", "La Vega"]))
    assert sentences == [
        "the GeoJSON draws 'Urbanizaciones', which is not in town.districts",
        "town.districts lists 'La Vega', which the GeoJSON does not draw",
    ]


def _town_file(tmp_path: Path, geojson: object | None, name: str = "districts.geojson") -> Path:
    text = SHIPPED_CONFIG.read_text(encoding="utf-8").replace(
        "  # districts_geojson: docs/jun-districts.geojson",
        f"  districts_geojson: {name}",
    )
    assert f"districts_geojson: {name}" in text
    target = tmp_path / "accounts.yaml"
    target.write_text(text, encoding="utf-8")
    if geojson is not None:
        (tmp_path / name).write_text(json.dumps(geojson), encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def test_check_accepts_the_shipped_districts_beside_accounts_yaml(tmp_path: Path) -> None:
    target = _town_file(tmp_path, json.loads(JUN.read_text(encoding="utf-8")))
    assert load_config(target).config.town.districts_geojson == "districts.geojson"


def test_check_names_the_line_of_a_missing_file(tmp_path: Path) -> None:
    target = _town_file(tmp_path, None)
    with pytest.raises(ConfigError) as raised:
        load_config(target)
    [problem] = [p for p in raised.value.problems if p.path == "town.districts_geojson"]
    assert problem.line == _line_of(target, "districts_geojson:")
    assert "no GeoJSON file at" in problem.message


def test_check_names_districts_the_file_and_accounts_yaml_disagree_on(tmp_path: Path) -> None:
    geojson = json.loads(JUN.read_text(encoding="utf-8"))
    geojson["features"][1]["properties"]["name"] = "Barrio Bajo"
    target = _town_file(tmp_path, geojson)
    with pytest.raises(ConfigError) as raised:
        load_config(target)
    [problem] = [p for p in raised.value.problems if p.path == "town.districts_geojson"]
    assert problem.line == _line_of(target, "districts_geojson:")
    assert "'Barrio Bajo', which is not in town.districts" in problem.message
    assert "lists 'Barrio Alto', which the GeoJSON does not draw" in problem.message


def test_check_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    target = _town_file(tmp_path, None)
    (tmp_path / "districts.geojson").write_text("{\n  nope", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(target)
    [problem] = [p for p in raised.value.problems if p.path == "town.districts_geojson"]
    assert "districts.geojson:2: not JSON" in problem.message
