"""Figures drawn as SVG on the server: a Vega-Lite description rendered by vl-convert (no browser
script, no CDN, no tile server). The districts' map is drawn from the town's GeoJSON."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from itertools import pairwise
from typing import Any

import vl_convert

from jun_engine.web.analytics import Chart, Figure

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
"""Names the Vega-Lite version; never fetched."""
WIDTH, HEIGHT = 440, 220


MAX_DRAWN = 128
FAR_LIMIT = 2
"""A `lines` chart leaves out a limit this many times above the lowest of its line's."""


def svg(figure: Figure, geojson: dict[str, Any] | None = None) -> str:
    """The figure's chart as an SVG document (empty data draws an empty frame)."""
    return str(vl_convert.vegalite_to_svg(json.dumps(spec(figure, geojson))))


class Drawn:
    """Charts already drawn, keyed on the Vega-Lite description they were drawn from (so on the
    data they show): the same figures never pay vl-convert twice, however often the analytics
    are recomputed, and new data simply draws anew. The oldest of `MAX_DRAWN` are forgotten."""

    def __init__(self) -> None:
        self._svgs: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def svg(self, figure: Figure, geojson: dict[str, Any] | None = None) -> str:
        """The figure's chart, drawn now or earlier."""
        described = json.dumps(spec(figure, geojson), sort_keys=True, default=str)
        key = hashlib.sha256(described.encode()).hexdigest()
        with self._lock:
            if key in self._svgs:
                self._svgs.move_to_end(key)
                return self._svgs[key]
        drawn = str(vl_convert.vegalite_to_svg(described))
        with self._lock:
            self._svgs[key] = drawn
            while len(self._svgs) > MAX_DRAWN:
                self._svgs.popitem(last=False)
        return drawn


def warm() -> None:
    """Start vl-convert's JavaScript engine (its first chart costs seconds; later ones do not)."""
    vl_convert.vegalite_to_svg(
        json.dumps({"$schema": SCHEMA, "data": {"values": []}, "mark": "bar"})
    )


def spec(figure: Figure, geojson: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Vega-Lite description of the figure's chart."""
    values = [dict(zip(figure.columns, row, strict=True)) for row in figure.rows]
    chart = figure.chart
    assert chart is not None
    base: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }
    if chart.kind == "map" and geojson is not None:
        return base | _map(values, chart.x, chart.y, geojson)
    if chart.kind == "points":
        return base | _points(values, chart, geojson)
    if chart.kind == "lines":
        return base | _lines(values, figure.columns, chart)
    x: dict[str, Any] = {
        "field": chart.x,
        "type": "ordinal",
        "title": None,
        "axis": {"labelAngle": -40, "labelLimit": 120},
    }
    y: dict[str, Any] = {"field": chart.y, "type": "quantitative", "title": chart.y}
    encoding: dict[str, Any] = {"x": x, "y": y, "tooltip": [{"field": c} for c in figure.columns]}
    if chart.color:
        encoding["color"] = {
            "field": chart.color,
            "type": "nominal",
            "title": chart.color,
            "scale": {"scheme": "tableau10"},
        }
    if chart.kind == "grouped" and chart.color:
        encoding["xOffset"] = {"field": chart.color}
    return base | {"data": {"values": values}, "mark": {"type": "bar"}, "encoding": encoding}


def _lines(values: list[dict[str, Any]], columns: tuple[str, ...], chart: Chart) -> dict[str, Any]:
    """One line per colour, and each `limits` column as a dashed rule per colour (its largest
    value; none where it is empty, nor where it is over `FAR_LIMIT` times the colour's lowest
    limit, which would flatten the rest: the table has it)."""
    color = {
        "field": chart.color,
        "type": "nominal",
        "title": chart.color,
        "scale": {"scheme": "tableau10"},
    }
    line: dict[str, Any] = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {
                "field": chart.x,
                "type": "ordinal",
                "title": None,
                "axis": {"labelAngle": -40, "labelLimit": 120},
            },
            "y": {"field": chart.y, "type": "quantitative", "title": chart.y},
            "color": color,
            "tooltip": [{"field": c} for c in columns],
        },
    }
    layers = [line]
    if chart.limits:
        layers.append(
            {
                "transform": [
                    {"fold": list(chart.limits), "as": ["limit", "messages"]},
                    {"filter": "isValid(datum.messages)"},
                    {
                        "aggregate": [{"op": "max", "field": "messages", "as": "messages"}],
                        "groupby": [chart.color, "limit"],
                    },
                    {
                        "joinaggregate": [{"op": "min", "field": "messages", "as": "lowest"}],
                        "groupby": [chart.color],
                    },
                    {"filter": f"datum.messages <= {FAR_LIMIT} * datum.lowest"},
                ],
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "y": {"field": "messages", "type": "quantitative"},
                    "color": color,
                    "strokeDash": {
                        "field": "limit",
                        "type": "nominal",
                        "title": None,
                        "sort": list(chart.limits),
                    },
                    "tooltip": [{"field": chart.color}, {"field": "limit"}, {"field": "messages"}],
                },
            }
        )
    return {"data": {"values": values}, "layer": layers}


def _map(
    values: list[dict[str, Any]], key: str, measure: str, geojson: dict[str, Any]
) -> dict[str, Any]:
    counts = {str(v[key]): v[measure] for v in values}
    features = []
    for feature in d3_wound(geojson).get("features", []):
        properties = dict(feature.get("properties") or {})
        name = str(properties.get("name", ""))
        properties[measure] = counts.get(name, 0)
        features.append({**feature, "properties": properties})
    return {
        "data": {
            "values": {"type": "FeatureCollection", "features": features},
            "format": {"type": "json", "property": "features"},
        },
        "projection": {"type": "mercator"},
        "layer": [
            {
                "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "color": {
                        "field": f"properties.{measure}",
                        "type": "quantitative",
                        "title": measure,
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": [
                        {"field": "properties.name", "title": key},
                        {"field": f"properties.{measure}", "title": measure},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 10},
                "encoding": {
                    "longitude": {"field": "centroid[0]", "type": "quantitative"},
                    "latitude": {"field": "centroid[1]", "type": "quantitative"},
                    "text": {"field": "properties.name"},
                },
                "transform": [{"calculate": "geoCentroid(null, datum)", "as": "centroid"}],
            },
        ],
    }


def _points(
    values: list[dict[str, Any]], chart: Chart, geojson: dict[str, Any] | None
) -> dict[str, Any]:
    """Pins as dots over the districts (grey shapes), in the same Mercator projection."""
    dots: dict[str, Any] = {
        "data": {"values": values},
        "mark": {"type": "circle", "size": 40, "opacity": 0.8, "stroke": "white"},
        "encoding": {
            "longitude": {"field": chart.x, "type": "quantitative"},
            "latitude": {"field": chart.y, "type": "quantitative"},
            "color": {
                "field": chart.color,
                "type": "nominal",
                "title": chart.color,
                "scale": {"scheme": "tableau10"},
            },
            "tooltip": [{"field": k} for k in (chart.color, chart.y, chart.x) if k],
        },
    }
    layers: list[dict[str, Any]] = []
    if geojson is not None:
        layers.append(
            {
                "data": {
                    "values": d3_wound(geojson),
                    "format": {"type": "json", "property": "features"},
                },
                "mark": {"type": "geoshape", "fill": "#e8e8e8", "stroke": "white"},
            }
        )
    return {"projection": {"type": "mercator"}, "layer": [*layers, dots]}


def d3_wound(geojson: dict[str, Any]) -> dict[str, Any]:
    """`geojson` with every polygon's rings wound as Vega's d3-geo reads them: the outer ring
    clockwise, holes counterclockwise. RFC 7946 asks for the opposite, which d3 reads as the
    whole globe but the district: a blank map, every pin in one spot."""
    features = []
    for feature in geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
        if kind == "Polygon":
            coordinates = _wound(coordinates)
        elif kind == "MultiPolygon":
            coordinates = [_wound(polygon) for polygon in coordinates]
        else:
            features.append(feature)
            continue
        features.append({**feature, "geometry": {**geometry, "coordinates": coordinates}})
    return {**geojson, "features": features}


def _wound(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    """The outer ring (first) clockwise, the holes counterclockwise, in longitude/latitude."""
    return [
        ring[::-1] if (_signed_area(ring) > 0) == (n == 0) else ring for n, ring in enumerate(rings)
    ]


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the ring's area, positive when it runs counterclockwise (the shoelace formula)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in pairwise(ring))


def load_geojson(text: str) -> dict[str, Any]:
    """The districts' GeoJSON, checked to be a FeatureCollection with named features."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("the districts' GeoJSON must be a FeatureCollection")
    for number, feature in enumerate(data.get("features", []), start=1):
        if not isinstance(feature, dict) or "name" not in (feature.get("properties") or {}):
            raise ValueError(f"feature {number} of the districts' GeoJSON has no `name` property")
    return data
