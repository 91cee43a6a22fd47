"""What every desk command opens first: the town's configuration and its database, current."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.engine import Engine

from jun_engine.cli import console
from jun_engine.cli.context import global_options
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.config import ConfigError, load_config
from jun_engine.config.schema import Config
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.errors import DatabaseError, DatabaseUrlError, SchemaError


@contextmanager
def town_and_database(ctx: typer.Context) -> Iterator[tuple[Config, Engine]]:
    """The configuration and an engine on a current schema; one error line and exit 2 or 3 if
    either cannot be had. The engine is disposed of on the way out."""
    from jun_engine.store.migrate import ensure_schema_current  # alembic: only when needed

    options = global_options(ctx)
    try:
        config = load_config(options.config_path).config
    except ConfigError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except OSError as exc:
        console.fail(ExitCode.USAGE, f"cannot read {options.config_path}: {exc.strerror or exc}")
    try:
        engine = create_engine_from_url(options.db_url)
    except DatabaseUrlError as exc:
        console.fail(ExitCode.USAGE, str(exc))
    except DatabaseError as exc:
        console.fail(ExitCode.DATABASE, str(exc))
    try:
        try:
            ensure_schema_current(engine)
        except (DatabaseError, SchemaError) as exc:
            console.fail(ExitCode.DATABASE, str(exc))
        yield config, engine
    finally:
        engine.dispose()
