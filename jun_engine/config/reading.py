"""Reading accounts.yaml's bytes safely: a size cap, no binary files, strict UTF-8."""

from __future__ import annotations

import stat
from pathlib import Path

from jun_engine.config.problems import ConfigError, fatal

MAX_BYTES = 1024 * 1024
"""accounts.yaml is a few dozen KiB; anything over 1 MiB is the wrong file."""


def read_text(path: Path, name: str) -> str:
    """The file's text, or ConfigError if it is missing, unreadable, too big or not UTF-8 text."""
    data = _read_bytes(path, name)
    if b"\x00" in data:
        line, column = _byte_position(data, data.index(b"\x00"))
        raise fatal(name, line, column, "this is a binary file, not YAML text (it has NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        raise fatal(
            name,
            line,
            column,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} here); save it as UTF-8",
        ) from None


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise fatal(name, None, None, "this is a directory; give the path of accounts.yaml")
        if not stat.S_ISREG(info.st_mode):
            raise fatal(name, None, None, "this is not a regular file (a pipe or a device?)")
        if info.st_size > MAX_BYTES:
            raise _too_big(name, info.st_size)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fatal(name, None, None, "no such file (pass its path, or use --config)") from None
    except PermissionError:
        raise fatal(name, None, None, "cannot read the file: permission denied") from None
    except OSError as exc:
        raise fatal(name, None, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    return data


def _too_big(name: str, size: int) -> ConfigError:
    return fatal(
        name,
        None,
        None,
        f"the file is {size / 1_048_576:.1f} MiB; accounts.yaml must be under "
        f"{MAX_BYTES // 1_048_576} MiB (is this the right file?)",
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1
