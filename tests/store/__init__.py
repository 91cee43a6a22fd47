"""Tests of jun_engine.store: one suite, run on SQLite and on PostgreSQL."""
