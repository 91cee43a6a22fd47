"""Alembic's entry point: migrate the connection `jun_engine.store.migrate` opened and passed in."""

from alembic import context
from sqlalchemy.engine import Connection

from jun_engine.store.errors import MigrationError
from jun_engine.store.migrate import configure_options


def run() -> None:
    """Run the migrations in one transaction on the caller's connection."""
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or not isinstance(connection, Connection):
        raise MigrationError("run migrations through `jun-engine db upgrade`, not `alembic`")
    context.configure(**configure_options(connection))
    with context.begin_transaction():
        context.run_migrations()


run()
