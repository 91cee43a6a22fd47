"""A case's map pin drawn as a small inline SVG over the town's districts: no tile server, no
script, every name escaped (the drawing is inert)."""

from __future__ import annotations

import math
from html import escape

from jun_engine.places.districts import Districts

WIDTH, HEIGHT, MARGIN = 320, 220, 12
"""The drawing's size in CSS pixels, and the room kept around the districts."""
FILLS = ("#dbe9f6", "#e6f2dc", "#fbe8d3", "#eadcf2", "#f6f0c8", "#dcf0ee")


def pin_map(districts: Districts, latitude: float, longitude: float) -> str:
    """The districts as shapes and the pin as a red dot, fitted together in the frame (a pin
    outside the town widens the frame to show it)."""
    west, south, east, north = districts.bounds()
    west, east = min(west, longitude), max(east, longitude)
    south, north = min(south, latitude), max(north, latitude)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)

    def xy(lon: float, lat: float) -> str:
        x = MARGIN + (lon - west) * squeeze * scale
        y = HEIGHT - MARGIN - (lat - south) * scale
        return f"{x:.1f},{y:.1f}"

    shapes = []
    for number, district in enumerate(districts.districts):
        path = " ".join(
            "M" + " L".join(xy(p[0], p[1]) for p in ring) + " Z"
            for polygon in district.polygons
            for ring in polygon
        )
        fill = FILLS[number % len(FILLS)]
        shapes.append(
            f'<path d="{path}" fill="{fill}" stroke="#777" stroke-width="1" '
            f'fill-rule="evenodd"><title>{escape(district.name)}</title></path>'
        )
    x, y = xy(longitude, latitude).split(",")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pin-map" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="map">'
        + "".join(shapes)
        + f'<circle class="pin" cx="{x}" cy="{y}" r="6" fill="#d62728" stroke="white" '
        'stroke-width="2"/></svg>'
    )
