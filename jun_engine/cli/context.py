"""The global options, parsed once at the edge and handed to every command."""

from dataclasses import dataclass
from pathlib import Path

import typer

DEFAULT_CONFIG = Path("accounts.yaml")
DEFAULT_DB = "sqlite:///jun-engine.db"


@dataclass(frozen=True)
class GlobalOptions:
    """What `--config`, `--db`, `-v` and `--json` said (or their defaults)."""

    config_path: Path = DEFAULT_CONFIG
    db_url: str = DEFAULT_DB
    verbosity: int = 0


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The options of the root command, for a subcommand that needs them."""
    root = ctx.find_root()
    if isinstance(root.obj, GlobalOptions):
        return root.obj
    return GlobalOptions()


def normalise_db_url(value: str) -> str:
    """Accept a bare file path as an SQLite database; anything with `://` is a URL."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"
