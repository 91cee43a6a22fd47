"""Open311 GeoReport v2: the town's cases served to FixMyStreet, 311 apps and websites, and the
requests they post taken in as cases on the `open311` channel (docs/open311.md)."""
