"""Alembic migrations of the jun-engine schema; run them through `jun_engine.store.migrate`."""
