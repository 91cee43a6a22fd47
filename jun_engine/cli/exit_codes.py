"""The exit codes every `jun-engine` command uses, so scripts and systemd can act on them."""

from enum import IntEnum


class ExitCode(IntEnum):
    """What a `jun-engine` process tells its caller when it ends."""

    OK = 0
    """Done; for `check`, the configuration is valid."""
    FAILURE = 1
    """The command ran but the work failed (an API refused, a record was not found)."""
    USAGE = 2
    """Bad invocation or invalid input: unknown option, invalid accounts.yaml, malformed file."""
    DATABASE = 3
    """The database is unreachable, or its schema is behind (run `jun-engine db upgrade`); for
    `status`, also one that cannot take the daemon's writes (disk full, read-only)."""
    ALREADY_RUNNING = 4
    """Another daemon already holds this database."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C before finishing (the conventional 128 + SIGINT)."""
