"""Places: map pins, the town's districts drawn as GeoJSON, distances between pins."""
