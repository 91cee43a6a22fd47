"""The town's districts as accounts.yaml draws them (`town.districts_geojson`): which district a
map pin falls in, and what is wrong with the file (for `jun-engine check`).

The file is a GeoJSON FeatureCollection; each feature has a `name` property (a district of
`town.districts`) and a Polygon or MultiPolygon geometry in longitude/latitude (WGS 84).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jun_engine.config.schema import Config
from jun_engine.places.geometry import Polygon, in_polygon

MAX_BYTES = 20_000_000
"""A districts file larger than this is refused (a town's districts are a few kilobytes)."""


class DistrictsError(ValueError):
    """The districts' GeoJSON cannot be used; the message says why and where."""


@dataclass(frozen=True, slots=True)
class District:
    """One named district and its polygons."""

    name: str
    polygons: tuple[Polygon, ...]

    def contains(self, latitude: float, longitude: float) -> bool:
        """Whether the pin is inside one of its polygons."""
        return any(in_polygon(longitude, latitude, p) for p in self.polygons)


@dataclass(frozen=True, slots=True)
class Districts:
    """The town's districts, in the file's order."""

    districts: tuple[District, ...]
    geojson: dict[str, Any]
    """The FeatureCollection as read (for drawing maps)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every district's name."""
        return tuple(d.name for d in self.districts)

    def district_at(self, latitude: float, longitude: float) -> str | None:
        """The name of the district the pin falls in (the first in file order), or None when it
        falls outside every district (outside the town)."""
        return next((d.name for d in self.districts if d.contains(latitude, longitude)), None)

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of every district together."""
        points = [p for d in self.districts for poly in d.polygons for ring in poly for p in ring]
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        return min(lons), min(lats), max(lons), max(lats)


def town_districts(config: Config, config_dir: Path) -> Districts | None:
    """The districts `town.districts_geojson` draws (relative to accounts.yaml's folder), or
    None when it names no file. `jun-engine check` has said what is wrong with the file."""
    if config.town.districts_geojson is None:
        return None
    return read_districts(config_dir / config.town.districts_geojson)


def read_districts(path: Path) -> Districts:
    """The districts of the GeoJSON file at `path`; DistrictsError says what is wrong."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DistrictsError(f"{path} is larger than {MAX_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DistrictsError(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DistrictsError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from exc
    return parse_districts(data)


def parse_districts(data: object) -> Districts:
    """The districts of a parsed GeoJSON FeatureCollection; DistrictsError says what is wrong."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DistrictsError("the districts' GeoJSON must be a FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise DistrictsError("the districts' GeoJSON has no features")
    return Districts(tuple(_district(n, f) for n, f in enumerate(features, start=1)), data)


def _district(number: int, feature: object) -> District:
    where = f"feature {number}"
    if not isinstance(feature, dict):
        raise DistrictsError(f"{where} is not a GeoJSON Feature")
    name = (feature.get("properties") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise DistrictsError(f"{where} has no `name` property")
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons: Sequence[Any] = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else []
    else:
        raise DistrictsError(f"{where} ({name}) is a {kind!r}, not a Polygon or MultiPolygon")
    checked = tuple(_polygon(f"{where} ({name})", p) for p in polygons)
    if not checked:
        raise DistrictsError(f"{where} ({name}) has no polygon")
    return District(name, checked)


def _polygon(where: str, polygon: object) -> Polygon:
    if not isinstance(polygon, list) or not polygon:
        raise DistrictsError(f"{where}: a polygon is a list of rings")
    return tuple(_ring(where, ring) for ring in polygon)


def _ring(where: str, ring: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise DistrictsError(f"{where}: a ring has at least four positions")
    return tuple(_position(where, p) for p in ring)


def _position(where: str, position: object) -> tuple[float, float]:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(isinstance(v, int | float) for v in position[:2])
    ):
        raise DistrictsError(f"{where}: a position is [longitude, latitude]")
    lon, lat = float(position[0]), float(position[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise DistrictsError(f"{where}: [{lon}, {lat}] is not a longitude and latitude")
    return lon, lat


def unmatched(districts: Districts, listed: Sequence[str]) -> Iterator[str]:
    """Sentences about names that differ between the file and `town.districts`."""
    drawn = set(districts.names)
    for name in districts.names:
        if listed and name not in listed:
            yield f"the GeoJSON draws {name!r}, which is not in town.districts"
    for name in listed:
        if name not in drawn:
            yield f"town.districts lists {name!r}, which the GeoJSON does not draw"
