"""What a case carries besides text, whatever the channel: the photos a resident sent and the map
pin of the place, with the district it falls in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PhotoStatus(StrEnum):
    """Where a photo a resident sent stands: waiting to be fetched from the channel, kept in the
    media store, refused (too large, not a photo) or gone from the channel before it was kept."""

    PENDING = "pending"
    STORED = "stored"
    REFUSED = "refused"
    GONE = "gone"


PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
"""The content types kept, and the file extension each is stored with."""


@dataclass(frozen=True, slots=True)
class CasePlace:
    """Where a case is: the resident's pin, its label and the district it falls in (None:
    outside every district the town draws, or the town draws none)."""

    latitude: float
    longitude: float
    label: str | None
    district: str | None


@dataclass(frozen=True, slots=True)
class CasePhoto:
    """One photo kept with a case (a file in the media store)."""

    id: int
    content_type: str
    size: int
    sha256: str
