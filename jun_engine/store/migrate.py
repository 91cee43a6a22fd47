"""Move a database's schema to the revision this version needs, and tell where it stands.

The Alembic configuration is built here in code (no alembic.ini): the scripts ship inside the
package under `jun_engine/store/migrations/`. The daemon calls `ensure_schema_current` at start;
`jun-engine db upgrade` calls `upgrade`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import sqlalchemy.exc as sa_exc
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from jun_engine.store.engine import (
    create_engine_from_url,
    database_errors,
    first_line,
    is_sqlite_memory,
    redacted,
)
from jun_engine.store.errors import (
    MigrationError,
    RevisionError,
    SchemaAheadError,
    SchemaBehindError,
)
from jun_engine.store.tables import METADATA

MIGRATIONS = Path(__file__).with_name("migrations")
Step = Callable[[Config], None]


class SchemaState(StrEnum):
    """How a database's schema compares with what this version needs."""

    CURRENT = "current"
    BEHIND = "behind"
    AHEAD = "ahead"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where a database's schema stands: its revisions, the ones needed, and the verdict."""

    database: str
    current: tuple[str, ...]
    head: tuple[str, ...]
    state: SchemaState

    @property
    def is_current(self) -> bool:
        return self.state is SchemaState.CURRENT


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, built in code; migrations run on `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as their plain SQLAlchemy type, so revisions never import ours."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def configure_options(connection: Connection) -> dict[str, Any]:
    """What every run (upgrade, downgrade, autogenerate) tells Alembic about this schema."""
    return {
        "connection": connection,
        "target_metadata": METADATA,
        "render_as_batch": connection.dialect.name == "sqlite",
        "render_item": render_item,
        "compare_type": True,
        "compare_server_default": True,
    }


def schema_drift(engine: Engine) -> list[Any]:
    """How the database's tables differ from `tables.py`; empty when migrations match the code."""
    with database_errors(engine), engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=configure_options(connection))
        return list(compare_metadata(context, METADATA))


def heads() -> tuple[str, ...]:
    """The revisions this version of jun-engine needs."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(url: str, revision: str = "head") -> SchemaStatus:
    """Upgrade the database at `url` to `revision` (default: the newest) and say where it is."""
    return _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> SchemaStatus:
    """Downgrade the database at `url` to `revision` (an id, `-1`, or `base`)."""
    return _run(url, lambda config: command.downgrade(config, revision))


def current(url: str) -> tuple[str, ...]:
    """The revisions the database at `url` is at; empty if it has never been migrated."""
    engine = create_engine_from_url(url)
    try:
        return schema_status(engine).current
    finally:
        engine.dispose()


def schema_status(engine: Engine) -> SchemaStatus:
    """Compare the database's revisions with this version's (a missing SQLite file is empty)."""
    found: tuple[str, ...] = ()
    if not _is_missing_sqlite_file(engine):
        with database_errors(engine), engine.connect() as connection:
            found = tuple(MigrationContext.configure(connection).get_current_heads())
    needed = heads()
    return SchemaStatus(redacted(engine.url), found, needed, _state(found, needed))


def _is_missing_sqlite_file(engine: Engine) -> bool:
    """Reading the schema of a file that does not exist must not create it (a typo in --db)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or is_sqlite_memory(url) or not url.database:
        return False
    return not Path(url.database).exists()


def ensure_schema_current(engine: Engine) -> None:
    """Return if the schema is what this version needs, else raise a `SchemaError` that says why."""
    status = schema_status(engine)
    if status.state is SchemaState.AHEAD:
        raise SchemaAheadError(status.current, status.head)
    if not status.is_current:
        raise SchemaBehindError(status.current, status.head)


def _state(found: tuple[str, ...], needed: tuple[str, ...]) -> SchemaState:
    if set(found) == set(needed):
        return SchemaState.CURRENT
    if not found:
        return SchemaState.EMPTY
    script = ScriptDirectory.from_config(alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    return SchemaState.BEHIND if set(found) <= known else SchemaState.AHEAD


def _run(url: str, step: Step) -> SchemaStatus:
    engine = create_engine_from_url(url)
    try:
        with _migration_connection(engine) as connection:
            step(alembic_config(connection))
        return schema_status(engine)
    finally:
        engine.dispose()


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for migrating: on SQLite, foreign keys are off while tables are rebuilt."""
    with database_errors(engine), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            yield connection
        except CommandError as exc:
            raise RevisionError(str(exc)) from exc
        except (sa_exc.ProgrammingError, sa_exc.InternalError, sa_exc.NotSupportedError) as exc:
            raise MigrationError(first_line(exc)) from exc
        finally:
            if sqlite:
                _restore_foreign_keys(connection)


def _driver(connection: Connection) -> Any:
    """The sqlite3 connection itself, to run pragmas outside any transaction."""
    return connection.connection.driver_connection


def _restore_foreign_keys(connection: Connection) -> None:
    driver = _driver(connection)
    broken = driver.execute("PRAGMA foreign_key_check").fetchall()
    driver.execute("PRAGMA foreign_keys=ON")
    if broken:
        raise MigrationError(f"the migration left {len(broken)} rows with broken foreign keys")
