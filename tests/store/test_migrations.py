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
