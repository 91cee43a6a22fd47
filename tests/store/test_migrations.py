"""Migrations: an empty database reaches head, steps down and back, and the daemon's start-up
check tells a behind or unknown schema apart from a current one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import RevisionError, SchemaAheadError, SchemaBehindError
from jun_engine.store.migrate import (
    SchemaState,
    current,
    downgrade,
    ensure_schema_current,
    heads,
    schema_drift,
    schema_status,
    upgrade,
)
from jun_engine.store.tables import METADATA

ENGINE_TABLES = set(METADATA.tables)


def _tables(url: str) -> set[str]:
    engine = create_engine_from_url(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_on_an_empty_database(db_url: str) -> None:
    # Given an empty database
    assert current(db_url) == ()
    # When it is upgraded
    status = upgrade(db_url)
    # Then it is at head with every table of tables.py (and Alembic's version table)
    assert status.state is SchemaState.CURRENT
    assert status.current == heads()
    assert _tables(db_url) == ENGINE_TABLES | {"alembic_version"}


def test_the_migrated_schema_matches_the_table_models(engine: sa.Engine) -> None:
    assert schema_drift(engine) == []


def test_downgrade_one_step_and_back(db_url: str) -> None:
    upgrade(db_url)
    # When the newest revision is undone
    down = downgrade(db_url, "-1")
    # Then the database is one step behind (for the first revision: empty again)
    assert down.state in {SchemaState.BEHIND, SchemaState.EMPTY}
    assert down.current != heads()
    # And what that revision made is gone: the schema no longer matches the table models
    assert _drift(db_url) != []
    # And upgrading brings it back to head, matching the models again
    assert upgrade(db_url).state is SchemaState.CURRENT
    assert _tables(db_url) == ENGINE_TABLES | {"alembic_version"}
    assert _drift(db_url) == []


def _drift(db_url: str) -> list[object]:
    engine = create_engine_from_url(db_url)
    try:
        return schema_drift(engine)
    finally:
        engine.dispose()


def test_upgrade_is_a_no_op_at_head(db_url: str) -> None:
    upgrade(db_url)
    assert upgrade(db_url).current == heads()


def test_ensure_schema_current_refuses_an_empty_database(db_url: str) -> None:
    engine = create_engine_from_url(db_url)
    try:
        with pytest.raises(SchemaBehindError) as caught:
            ensure_schema_current(engine)
    finally:
        engine.dispose()
    assert str(caught.value) == (
        f"database schema is at empty (no tables), this version needs {', '.join(heads())}: "
        "run `jun-engine db upgrade`"
    )


def test_ensure_schema_current_refuses_a_schema_behind(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "-1")
    engine = create_engine_from_url(db_url)
    try:
        with pytest.raises(SchemaBehindError, match="run `jun-engine db upgrade`"):
            ensure_schema_current(engine)
    finally:
        engine.dispose()


def test_ensure_schema_current_accepts_head(engine: sa.Engine) -> None:
    ensure_schema_current(engine)
    assert schema_status(engine).is_current


def test_a_revision_from_a_newer_version_is_reported_as_ahead(engine: sa.Engine) -> None:
    # Given a database a newer jun-engine migrated past what this version knows
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    # Then the start-up check says so instead of calling it behind
    with pytest.raises(SchemaAheadError, match="9999, which this version does not know"):
        ensure_schema_current(engine)


def test_an_unknown_target_revision_is_refused_with_its_name(db_url: str) -> None:
    with pytest.raises(RevisionError, match="nope"):
        upgrade(db_url, "nope")


OUTBOX_ROW = (
    "INSERT INTO outbox (id, idempotency_key, account_id, kind, text, part_no, priority, status,"
    " attempts, created_at, private) VALUES (1, 'menu:1', '100', 'post', 'Lunch', 1, 0, 'sent',"
    " 1, '2026-12-01 09:00:00+00:00', false)"
)
ATTEMPT_ROW = (
    "INSERT INTO outbox_attempt (id, outbox_id, account_id, kind, started_at, outcome)"
    " VALUES (1, 1, '100', 'post', '2026-12-01 09:00:00+00:00', 'sent')"
)


def test_the_outbox_channel_revision_keeps_the_rows_both_ways(db_url: str) -> None:
    # Given an outbox with a sent item and its attempt, one revision before "0014"
    upgrade(db_url, "0014")
    downgrade(db_url, "-1")
    _execute(db_url, OUTBOX_ROW, ATTEMPT_ROW)
    # When "0014" runs, the rows written before it were all X's
    upgrade(db_url, "0014")
    assert _rows(db_url, "SELECT id, channel, account_id FROM outbox") == [(1, "x", "100")]
    assert _rows(db_url, "SELECT id, channel, account_id FROM outbox_attempt") == [(1, "x", "100")]
    # And going back down keeps them, without the column
    downgrade(db_url, "-1")
    assert _rows(db_url, "SELECT id, account_id, text FROM outbox") == [(1, "100", "Lunch")]
    assert _rows(db_url, "SELECT id, outbox_id FROM outbox_attempt") == [(1, 1)]
    assert "channel" not in {c["name"] for c in _columns(db_url, "outbox")}
    # And up again reaches head, matching the models
    assert upgrade(db_url).state is SchemaState.CURRENT
    assert _drift(db_url) == []


def _execute(url: str, *statements: str) -> None:
    engine = create_engine_from_url(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine_from_url(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> list[dict[str, object]]:
    engine = create_engine_from_url(url)
    try:
        return [dict(column) for column in sa.inspect(engine).get_columns(table)]
    finally:
        engine.dispose()
