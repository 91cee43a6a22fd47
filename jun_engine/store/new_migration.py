"""Developer tool: write the next migration from the difference between tables.py and head.

    .venv/bin/python -m jun_engine.store.new_migration "add resident phone"

It builds a scratch SQLite database at head, compares it with `tables.py`, and writes
`migrations/versions/NNNN_<slug>.py` for you to review (PostgreSQL-only details, data moves).
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import alembic_config, upgrade


def next_revision_id() -> str:
    """The next four-digit revision id: 0001, 0002, ..."""
    script = ScriptDirectory.from_config(alembic_config())
    numbers = [int(rev.revision) for rev in script.walk_revisions() if rev.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def write_revision(message: str) -> Path:
    """Autogenerate the next revision against a scratch database at head; return its path."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade(url)
        engine = create_engine_from_url(url)
        try:
            with engine.connect() as connection:
                script = command.revision(
                    alembic_config(connection),
                    message=message,
                    autogenerate=True,
                    rev_id=next_revision_id(),
                )
        finally:
            engine.dispose()
    if script is None or isinstance(script, list):
        raise SystemExit("alembic wrote no single revision")
    return Path(script.path)


def main(argv: list[str]) -> int:
    """Command-line entry: one argument, the revision's message."""
    if len(argv) != 1 or not argv[0].strip():
        sys.stderr.write('usage: python -m jun_engine.store.new_migration "what changes"\n')
        return 2
    sys.stdout.write(f"wrote {write_revision(argv[0].strip())}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
