"""Pure geometry on the Earth's surface, small enough for a town: the great-circle distance
between two pins (haversine) and whether a pin lies inside a GeoJSON polygon (ray casting).

A town's districts are a few square kilometres: ray casting on longitude/latitude as plane
coordinates is exact enough there (an edge bends less than a centimetre), and needs no GEOS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8
"""The Earth's mean radius (IUGG), in metres."""

Ring = Sequence[Sequence[float]]
"""A closed ring of [longitude, latitude] positions, as GeoJSON writes them."""
Polygon = Sequence[Ring]
"""An outer ring, then its holes."""


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Whether (lon, lat) is inside `ring` (even-odd rule; a ring need not repeat its start)."""
    inside = False
    count = len(ring)
    for index in range(count):
        x1, y1 = ring[index][0], ring[index][1]
        x2, y2 = ring[index - 1][0], ring[index - 1][1]
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def in_polygon(lon: float, lat: float, polygon: Polygon) -> bool:
    """Inside the outer ring and in none of its holes."""
    if not polygon or not in_ring(lon, lat, polygon[0]):
        return False
    return not any(in_ring(lon, lat, hole) for hole in polygon[1:])
