"""The daemon's parts around the stages: database outages, stream health, status and /metrics."""
