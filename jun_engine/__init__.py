"""jun-engine: a civic-interaction engine that lets a town run its public services over X."""

__version__ = "0.1.0"
