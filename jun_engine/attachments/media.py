"""The media store: photos residents sent, kept as files outside the database, named by their
content (`ab/<sha256>.jpg`), written whole or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jun_engine.config.schema import Config
from jun_engine.domain.attachments import PHOTO_TYPES

DEFAULT_DIR = "media"
"""The media folder when the town has no `line.media_dir` (relative to accounts.yaml)."""


def media_root(config: Config, config_dir: Path) -> Path:
    """Where this town keeps its media: `line.media_dir` relative to accounts.yaml's folder."""
    folder = config.line.media_dir if config.line is not None else DEFAULT_DIR
    return (config_dir / folder).resolve()


@dataclass(frozen=True, slots=True)
class Stored:
    """A file in the store: its path relative to the store, its size and digest."""

    path: str
    size: int
    sha256: str


class MediaStore:
    """Files under one folder; every path handed out is relative to it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, content_type: str) -> Stored:
        """Keep `data` (a photo of `content_type`, one of PHOTO_TYPES); the same bytes are one
        file, however often they are kept."""
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{digest[:2]}/{digest}.{PHOTO_TYPES[content_type]}"
        target = self.file(relative)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_whole(target, data)
        return Stored(relative, len(data), digest)

    def file(self, relative: str) -> Path:
        """The file at `relative`, refused when it would leave the store."""
        parts = PurePosixPath(relative).parts
        if not parts or any(p in ("..", "") or p.startswith("/") for p in parts):
            raise ValueError(f"not a media path: {relative!r}")
        return self.root.joinpath(*parts)

    def delete(self, relative: str) -> bool:
        """Remove the file; whether it was there."""
        try:
            self.file(relative).unlink()
        except FileNotFoundError:
            return False
        return True


def _write_whole(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, flush it to disk, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
